/**
 * The test suite's one server fixture: an HTTPServer (a RecordingServer unless told otherwise)
 * started on 127.0.0.1 port 0 and serving, closed for you. A server started inside a test (or
 * its beforeEach) is closed after that test; one started in beforeAll, after the file. Closing
 * it yourself earlier is fine: `close()` is idempotent.
 */
import type { Socket } from 'node:net';
import { afterAll, onTestFinished } from 'vitest';
import { HTTPServer, type BaseHTTPRequestHandler, type HTTPServerOptions } from '../../src/index.js';

/** A handler class as HTTPServer takes it. */
export type HandlerClass = new (...args: ConstructorParameters<typeof BaseHTTPRequestHandler>) => BaseHTTPRequestHandler;

/** Per-instance settings applied to the server before it binds (all optional): `HTTPServer`'s options. */
export type ServerSettings = HTTPServerOptions;

/**
 * An HTTPServer that keeps what `handleError` received instead of printing it, so a test can
 * assert that nothing escaped a handler.
 */
export class RecordingServer extends HTTPServer {
  /** Errors passed to handleError, in order. */
  readonly errors: unknown[] = [];

  override handleError(_request: Socket, _clientAddress: readonly [string, number], error: unknown): void {
    this.errors.push(error);
  }
}

/** A server started on 127.0.0.1 port 0 and serving. */
export interface RunningServer<S extends HTTPServer = RecordingServer> {
  readonly server: S;
  readonly host: string;
  readonly port: number;
  /** serveForever()'s promise. */
  readonly loop: Promise<void>;
  /** shutdown(), serverClose(), and waits for the loop. Idempotent; called for you after the test (or the file). */
  close(): Promise<void>;
}

/** Servers started outside any test (beforeAll, or the module body): closed after the file. */
const fileScoped = new Set<RunningServer<HTTPServer>>();
afterAll(async () => {
  const all = [...fileScoped];
  fileScoped.clear();
  await Promise.all(all.map((s) => s.close()));
});
/**
 * Starts `Handler` on 127.0.0.1:0 with `settings` applied before binding, and serves it. It is
 * closed after the current test, or after the file when started outside a test.
 */
export async function startServer<S extends HTTPServer = RecordingServer>(
  Handler: HandlerClass,
  settings: ServerSettings = {},
  ServerClass: new (address: readonly [string, number], handler: HandlerClass) => S = RecordingServer as never,
): Promise<RunningServer<S>> {
  const server = new ServerClass(['127.0.0.1', 0], Handler);
  // Binding happens a microtask after construction, so these are seen by serverBind().
  Object.assign(server, settings);
  await server.ready;
  const loop = server.serveForever();
  let closing: Promise<void> | null = null;
  const running: RunningServer<S> = {
    server,
    host: server.serverAddress[0],
    port: server.serverAddress[1],
    loop,
    close() {
      closing ??= (async () => {
        fileScoped.delete(running);
        await server.shutdown();
        server.serverClose();
        await loop;
      })();
      return closing;
    },
  };
  try {
    onTestFinished(() => running.close());
  } catch {
    // Not inside a test (vitest: "can only be called inside a test"): the file's afterAll closes it.
    fileScoped.add(running);
  }
  return running;
}

/** Polls `predicate` every `intervalMs` until it holds or `timeoutMs` passes; returns its last value. */
export async function eventually(predicate: () => boolean, timeoutMs: number, intervalMs = 10): Promise<boolean> {
  const end = performance.now() + timeoutMs;
  for (;;) {
    if (predicate()) return true;
    if (performance.now() >= end) return predicate();
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}
