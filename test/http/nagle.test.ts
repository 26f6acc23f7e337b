import { describe, expect, test } from 'vitest';
import { BaseHTTPRequestHandler, StreamRequestHandler } from '../../src/index.js';
import { RawClient } from '../harness/client.js';
import { startServer } from '../harness/server.js';

// Issue 16: the HTTP handler sets TCP_NODELAY. A response written in two pieces — the head, then
// the body after an await — must not wait for the client's delayed ACK (Nagle's algorithm holds a
// small segment while an earlier one is unacknowledged; Linux delays an ACK up to 40 ms once a
// connection looks interactive). Twenty requests on one keep-alive connection: the median is
// what is compared, so one slow turn of a busy machine cannot decide it.

const REQUESTS = 20;

function twoPieces(nodelay: boolean | undefined) {
  return class TwoPieces extends BaseHTTPRequestHandler {
    override protocolVersion = 'HTTP/1.1';
    constructor(...args: ConstructorParameters<typeof BaseHTTPRequestHandler>) {
      super(...args);
      if (nodelay !== undefined) this.disableNagleAlgorithm = nodelay;
    }
    async do_GET(): Promise<void> {
      this.sendResponse(200);
      this.sendHeader('Content-Length', 2);
      this.endHeaders();
      this.wfile.write('a');
      await new Promise((resolve) => setImmediate(resolve));
      this.wfile.write('b');
    }
    override logMessage(): void {}
  };
}

/** Median milliseconds from sending a request to having its whole two-piece response. */
async function medianMs(nodelay: boolean | undefined): Promise<number> {
  const { port } = await startServer(twoPieces(nodelay));
  const c = await RawClient.connect(port);
  try {
    c.socket.setNoDelay(true); // the client's own requests go out at once
    const times: number[] = [];
    for (let i = 0; i < REQUESTS; i++) {
      const t0 = performance.now();
      c.send('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
      await c.read((got) => got.endsWith('\r\n\r\nab'));
      times.push(performance.now() - t0);
    }
    times.sort((a, b) => a - b);
    return times[REQUESTS >> 1]!;
  } finally {
    c.close();
  }
}

describe('TCP_NODELAY', () => {
  test("BaseHTTPRequestHandler turns it on; StreamRequestHandler keeps Python's false", () => {
    const fields = (C: new (...a: never[]) => { disableNagleAlgorithm: boolean }): boolean =>
      // Class fields live on instances: build one without running a connection.
      Reflect.construct(C, [null, ['127.0.0.1', 0], null]).disableNagleAlgorithm;
    expect(fields(BaseHTTPRequestHandler as never)).toBe(true);
    expect(fields(StreamRequestHandler as never)).toBe(false);
  });

  test('a response written in two pieces is not held for the delayed ACK', async () => {
    const ms = await medianMs(undefined);
    console.log(`two-piece response, default handler: median ${ms.toFixed(1)} ms`);
    expect(ms).toBeLessThan(20);
  });

  test('with Nagle back on, the same response waits for the ACK (what the test above would catch)', async () => {
    const ms = await medianMs(false);
    console.log(`two-piece response, disableNagleAlgorithm = false: median ${ms.toFixed(1)} ms`);
    expect(ms).toBeGreaterThan(20);
  });
});
