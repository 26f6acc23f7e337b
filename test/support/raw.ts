import { connect, type Socket } from 'node:net';
import { BaseHTTPRequestHandler, HTTPServer } from '../../src/index.js';
import { setDeadline } from '../helpers/deadline.mjs';

/** A started server and its port; `close()` shuts it down (use in afterEach). */
export interface Started<S extends HTTPServer = HTTPServer> {
  server: S;
  port: number;
  close(): Promise<void>;
}

/** Starts `Handler` on 127.0.0.1:0 with optional server settings. */
export async function start<H extends typeof BaseHTTPRequestHandler>(
  Handler: H,
  settings: Partial<
    Pick<
      HTTPServer,
      | 'headersTimeoutMs'
      | 'keepAliveTimeoutMs'
      | 'requestTimeoutMs'
      | 'maxBodyBytes'
      | 'maxConnections'
      | 'shutdownTimeoutMs'
      | 'maxHeaders'
      | 'maxHeaderLineBytes'
      | 'maxRequestLineBytes'
      | 'lingerMs'
      | 'requestQueueSize'
    >
  > = {},
): Promise<Started> {
  const server = new HTTPServer(['127.0.0.1', 0], Handler);
  Object.assign(server, settings);
  await server.ready;
  void server.serveForever();
  return {
    server,
    port: server.serverAddress[1],
    async close() {
      await server.shutdown();
      server.serverClose();
    },
  };
}

/**
 * Sends `data` (string as latin-1, or chunks written `gapMs` apart) and collects bytes until the
 * server closes or `timeoutMs` (default 10 s: a limit for a server that never closes, not a wait;
 * a caller whose server keeps the connection open passes its own).
 */
export function exchange(
  port: number,
  data: string | Buffer | Array<string | Buffer>,
  opts: { timeoutMs?: number; gapMs?: number; endAfterWrite?: boolean } = {},
): Promise<{ text: string; closed: boolean }> {
  const { timeoutMs = 10_000, gapMs = 0, endAfterWrite = false } = opts;
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    const sock = connect(port, '127.0.0.1');
    let closed = false;
    const finish = (): void => {
      cancel();
      resolve({ text: Buffer.concat(chunks).toString('latin1'), closed });
      sock.destroy();
    };
    const cancel = setDeadline(finish, timeoutMs);
    sock.on('data', (d) => chunks.push(d));
    sock.on('error', () => {});
    sock.on('close', () => {
      closed = true;
      finish();
    });
    const parts = Array.isArray(data) ? data : [data];
    const write = async (): Promise<void> => {
      for (const p of parts) {
        if (sock.destroyed) return;
        sock.write(typeof p === 'string' ? Buffer.from(p, 'latin1') : p);
        if (gapMs > 0) await new Promise((r) => setTimeout(r, gapMs));
      }
      if (endAfterWrite) sock.end();
    };
    void write();
  });
}

/** Opens a connection and returns helpers to write and read responses incrementally (`read` waits at most `timeoutMs`, default 10 s). */
export function open(port: number): Promise<{ sock: Socket; read: (until: (s: string) => boolean, timeoutMs?: number) => Promise<string>; closed: Promise<void> }> {
  return new Promise((resolve, reject) => {
    const sock = connect(port, '127.0.0.1');
    let buf = '';
    let notify: (() => void) | null = null;
    const closed = new Promise<void>((r) =>
      sock.on('close', () => {
        r();
        notify?.();
      }),
    );
    sock.on('data', (d) => {
      buf += d.toString('latin1');
      notify?.();
    });
    sock.on('error', () => {});
    sock.on('connect', () =>
      resolve({
        sock,
        closed,
        read(until, timeoutMs = 10_000) {
          return new Promise((res, rej) => {
            const cancel = setDeadline(() => rej(new Error(`timeout; got ${JSON.stringify(buf)}`)), timeoutMs);
            const check = (): void => {
              if (until(buf) || sock.destroyed) {
                cancel();
                notify = null;
                const out = buf;
                buf = '';
                res(out);
              }
            };
            notify = check;
            check();
          });
        },
      }),
    );
    sock.on('error', reject);
  });
}

/** Number of complete `HTTP/1.x NNN` status lines in `text`. */
export function statuses(text: string): number[] {
  return [...text.matchAll(/HTTP\/1\.[01] (\d{3})/g)].map((m) => Number(m[1]));
}

/** A handler that answers every GET/POST/HEAD with a small body and records what it saw. */
export class Echo extends BaseHTTPRequestHandler {
  override protocolVersion = 'HTTP/1.1';
  static seen: string[] = [];
  static silent = true;
  do_GET(): void {
    Echo.seen.push(`${this.command} ${this.path}`);
    const body = `path=${this.path}\n`;
    this.sendResponse(200);
    this.sendHeader('Content-Type', 'text/plain');
    this.sendHeader('Content-Length', Buffer.byteLength(body));
    this.endHeaders();
    if (this.command !== 'HEAD') this.wfile.write(body);
  }
  do_HEAD(): void {
    this.do_GET();
  }
  async do_POST(): Promise<void> {
    const body = await this.readBody();
    Echo.seen.push(`${this.command} ${this.path} ${body.length}`);
    this.sendResponse(200);
    this.sendHeader('Content-Length', body.length);
    this.endHeaders();
    this.wfile.write(body);
  }
  override logMessage(fmt: string, ...args: unknown[]): void {
    if (!Echo.silent) super.logMessage(fmt, ...args);
  }
}
