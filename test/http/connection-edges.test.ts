import { describe, expect, test } from 'vitest';
import { BaseHTTPRequestHandler } from '../../src/index.js';
import { RawClient, sendRaw } from '../harness/client.js';
import { statuses } from '../harness/response.js';
import { eventually, startServer, type RunningServer } from '../harness/server.js';
import { Echo } from '../helpers/echo-handler.js';

let srv: RunningServer | null = null;

describe('connection edges', () => {
  test('Expect: 100-continue with a body over the limit: 100, then 413 and close', async () => {
    class Limited extends Echo {
      override async do_POST(): Promise<void> {
        await this.readBody(10);
      }
    }
    srv = await startServer(Limited);
    const c = await RawClient.connect(srv.port);
    c.send('POST / HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nContent-Length: 100\r\n\r\n');
    const out = await c.read((s) => s.includes('413'));
    expect(statuses(out)).toEqual([100, 413]);
    expect(out.startsWith('HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 413 ')).toBe(true);
    await c.closed;
  });

  test('a client that half-closes after its request still gets the answer of an async handler', async () => {
    class Later extends BaseHTTPRequestHandler {
      async do_GET(): Promise<void> {
        // Answer only once the server has seen the client's FIN (not after a guess of 50 ms).
        while (!this.rfile.ended) await new Promise((r) => setTimeout(r, 5));
        this.sendResponse(200);
        this.sendHeader('Content-Length', 2);
        this.endHeaders();
        this.wfile.write('ok');
      }
      override logMessage(): void {}
    }
    srv = await startServer(Later);
    const r = await sendRaw(srv.port, 'GET / HTTP/1.0\r\n\r\n', { halfClose: true });
    expect(statuses(r.text)).toEqual([200]);
    expect(r.text.endsWith('ok')).toBe(true);
  });

  test('an upload the handler does not read is drained after the answer, not stalled', async () => {
    class Refuses extends BaseHTTPRequestHandler {
      override protocolVersion = 'HTTP/1.1';
      do_PUT(): void {
        this.sendResponse(200);
        this.sendHeader('Content-Length', 0);
        this.sendHeader('Connection', 'close');
        this.endHeaders();
      }
      override logMessage(): void {}
    }
    const total = 8 * 1024 * 1024;
    srv = await startServer(Refuses, { maxBodyBytes: 2 * total }); // within the limit: the handler runs
    const t0 = performance.now();
    // Half-open, so that the server's FIN after its answer does not end our upload early.
    const c = await RawClient.connect(srv.port, { allowHalfOpen: true });
    let sent = 0;
    c.socket.write(`PUT / HTTP/1.1\r\nHost: a\r\nContent-Length: ${total}\r\n\r\n`);
    const chunk = Buffer.alloc(64 * 1024, 120);
    const pump = (): void => {
      while (sent < total) {
        sent += chunk.length;
        if (!c.socket.write(chunk)) {
          c.socket.once('drain', pump);
          return;
        }
      }
      c.socket.end();
    };
    pump();
    await c.closed;
    const result = { sent, error: c.errorCode ?? null, answer: c.text };
    expect(result.answer.startsWith('HTTP/1.1 200 OK')).toBe(true);
    expect(result.error).toBeNull();
    expect(result.sent).toBe(total);
    // Not stalled: a stalled upload never ends (the 30 s test timeout); 8 MiB on loopback takes
    // well under a second, this bound is generous for a busy machine.
    expect(performance.now() - t0).toBeLessThan(20_000);
  });

  test('a lone blank line closes silently and is not logged', async () => {
    const logged: string[] = [];
    class Logs extends Echo {
      override logMessage(fmt: string, ...args: unknown[]): void {
        logged.push(`${fmt} ${args.join(' ')}`);
      }
    }
    srv = await startServer(Logs);
    const r = await sendRaw(srv.port, '\r\n');
    expect(r.text).toBe('');
    expect(r.closed).toBe(true);
    expect(logged).toEqual([]);
  });

  /** A client that keeps its side open after the server's FIN (allowHalfOpen), as a slow peer would. */
  const halfOpenClient = (port: number): Promise<RawClient> => RawClient.connect(port, { allowHalfOpen: true });
  // The lingering deadline is performance.now() + lingerMs in this process, taken after the
  // response is written, so with t0 = performance.now() before the request a reset before
  // t0 + lingerMs cannot happen however late the sweep runs: the lower bounds are exact.
  // Each request below is followed, in the same write, by the start of another: a client that
  // said `Connection: close` and sent nothing after it is closed without lingering
  // (test/http/lingering-close.test.ts), so these send more, as a pipelining client would.
  const CLOSE_THEN_MORE = (path: string): string => `GET ${path} HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\nGET /more HTTP/1.1\r\n`;

  test('a lingering close ends at lingerMs even while the peer keeps sending (a deadline, not an idle timer)', async () => {
    srv = await startServer(Echo, { lingerMs: 300 });
    const c = await halfOpenClient(srv.port);
    const t0 = performance.now();
    c.send(CLOSE_THEN_MORE('/x'));
    expect(await eventually(() => c.text.includes('path=/x\n'), 10_000)).toBe(true);
    expect(statuses(c.text)).toEqual([200]);
    // The server has ended its side; this client never ends its own and keeps sending.
    const drip = setInterval(() => c.send('x'), 20);
    await c.closed;
    clearInterval(drip);
    const took = performance.now() - t0;
    expect(took).toBeGreaterThanOrEqual(300);
    expect(took).toBeLessThan(10_000);
    expect(await eventually(() => srv!.server.activeConnections === 0, 10_000)).toBe(true);
  });

  test('many lingering closes at once: a peer that ends is released at once, the others at the deadline', async () => {
    // lingerMs long enough that the ten ends are seen well before any deadline, even on a busy
    // machine (with 300 ms, a late test saw all twenty reset together, never ten left).
    srv = await startServer(Echo, { lingerMs: 1_000, requestQueueSize: 64 });
    const clients = await Promise.all(Array.from({ length: 20 }, () => halfOpenClient(srv!.port)));
    const t0 = performance.now();
    for (const c of clients) c.send(CLOSE_THEN_MORE('/y'));
    expect(await eventually(() => clients.every((c) => c.text.includes('path=/y\n')), 10_000)).toBe(true);
    for (const c of clients.slice(0, 10)) c.socket.end();
    // The server learns of the others' end only by its deadline (a silent half-open peer
    // never reads the reset either: its read side already saw the FIN).
    expect(await eventually(() => srv!.server.activeConnections === 10, 10_000)).toBe(true);
    expect(await eventually(() => srv!.server.activeConnections === 0, 10_000)).toBe(true);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(1_000);
    for (const c of clients) c.close();
  });
});
