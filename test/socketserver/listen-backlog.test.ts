import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { BaseHTTPRequestHandler, HTTPServer, TCPServer } from '../../src/index.js';
import { sendRaw } from '../harness/client.js';
import { startServer } from '../harness/server.js';

// Issue 12 item 2: the listen backlog defaults to 511 (node:http's), not Python's 5. With 5, a
// burst of connections overflows the kernel's accept queue; the dropped handshakes are retried a
// second later (the initial retransmission timeout), so some clients wait a whole second.

const BURST = 200;

class Hello extends BaseHTTPRequestHandler {
  override protocolVersion = 'HTTP/1.1';
  do_GET(): void {
    this.sendResponse(200);
    this.sendHeader('Content-Length', 3);
    this.endHeaders();
    this.wfile.write('ok\n');
  }
  override logMessage(): void {}
}

/** One GET on a fresh connection; resolves with the status line, or '' if none came within 10 s. */
function get(port: number): Promise<string> {
  // sendRaw connects synchronously, in the caller's turn; a failed connect answers ''.
  return sendRaw(port, 'GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n', { timeoutMs: 10_000 }).then(
    (r) => r.text.split('\r\n')[0] ?? '',
    () => '',
  );
}

/**
 * The kernel's count of handshakes dropped because an accept queue was full (TcpExt
 * ListenOverflows, per network namespace), or null where /proc/net/netstat lacks it.
 */
function listenOverflows(): number | null {
  const [keys, values] = readFileSync('/proc/net/netstat', 'utf8')
    .split('\n')
    .filter((l) => l.startsWith('TcpExt:'))
    .map((l) => l.trim().split(/\s+/));
  const i = keys?.indexOf('ListenOverflows') ?? -1;
  return i < 0 || values === undefined ? null : Number(values[i]);
}

function somaxconn(): number {
  return Number(readFileSync('/proc/sys/net/core/somaxconn', 'utf8').trim());
}

describe('listen backlog', () => {
  test('TCPServer and HTTPServer default to 511', () => {
    expect(new TCPServer(['127.0.0.1', 0], Hello, false).requestQueueSize).toBe(511);
    expect(new HTTPServer(['127.0.0.1', 0], Hello, false).requestQueueSize).toBe(511);
  });

  test(`${BURST} connections opened at once against a default HTTPServer are all answered within a second`, async () => {
    const { port } = await startServer(Hello);
    if (spawnSync('ss', ['-V']).error === undefined) {
      // LISTEN  Recv-Q  Send-Q(=backlog)  local  peer
      const line = spawnSync('ss', ['-ltnH', `sport = :${port}`], { encoding: 'utf8' }).stdout.trim();
      expect(Number(line.split(/\s+/)[2])).toBe(Math.min(511, somaxconn()));
    }
    const overflowsBefore = listenOverflows();
    const started = performance.now();
    // All connects are issued in one synchronous turn: the kernel completes the handshakes and
    // queues them before the server accepts any.
    const answers = await Promise.all(Array.from({ length: BURST }, () => get(port)));
    const elapsed = performance.now() - started;
    const overflowsAfter = listenOverflows();
    const overflows = overflowsBefore === null || overflowsAfter === null ? null : overflowsAfter - overflowsBefore;
    console.log(`listen backlog: ${BURST} connections answered in ${Math.round(elapsed)} ms, accept-queue overflows ${overflows ?? 'unknown'}`);
    expect(answers.filter((a) => a !== 'HTTP/1.1 200 OK')).toEqual([]);
    // The property: no handshake was dropped. The kernel counts drops (for every listener in this
    // network namespace, so a count from elsewhere falls back to the time); a dropped handshake
    // is retried after 1 s, so under a second also means none was.
    expect(overflows === 0 || elapsed < 1_000, `accept queue overflowed ${overflows ?? '?'} times; ${Math.round(elapsed)} ms`).toBe(true);
  });
});
