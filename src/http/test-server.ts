import type { RequestHandlerClass } from '../socketserver/base-request-handler.js';
import { HTTPServer } from './http-server.js';
import { BaseHTTPRequestHandler } from './request-handler.js';

/**
 * The seed's `test()`: serves `HandlerClass` with `ServerClass` on `bind:port` until SIGINT or
 * SIGTERM, printing where it listens, as CPython's `http.server.test()`. Resolves once stopped.
 */
export async function test(
  HandlerClass: RequestHandlerClass = BaseHTTPRequestHandler,
  ServerClass: typeof HTTPServer = HTTPServer,
  protocol = 'HTTP/1.0',
  port = 8000,
  bind = '0.0.0.0',
): Promise<void> {
  const Handler = HandlerClass as unknown as typeof BaseHTTPRequestHandler;
  // Python sets HandlerClass.protocol_version; a subclass field is the TypeScript equivalent.
  const Served = class extends Handler {
    override protocolVersion = protocol;
  };
  const server = new ServerClass([bind, port], Served);
  await server.ready;
  const [host, realPort] = server.serverAddress;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${realPort}/`;
  process.stdout.write(`Serving HTTP on ${host} port ${realPort} (${url}) ...\n`);
  const stop = (): void => {
    process.stdout.write('\nKeyboard interrupt received, exiting.\n');
    void server.shutdown();
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  try {
    await server.serveForever();
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
    server.serverClose();
  }
}
