import type { RequestHandlerClass } from '../socketserver/base-request-handler.js';
import { HTTPServer } from './http-server.js';
import { HTTPSServer } from './https-server.js';
import { BaseHTTPRequestHandler } from './request-handler.js';

/**
 * The seed's `test()`, with CPython 3.14's parameters: serves `HandlerClass` with `ServerClass`
 * on `bind:port` until SIGINT or SIGTERM, printing where it listens, as CPython's
 * `http.server.test()`. With `tlsCert`, the server is made with the TLS options
 * (`{ certfile: tlsCert, keyfile: tlsKey, password: tlsPassword }`, for an `HTTPSServer`) and
 * the line says HTTPS. A signal starts a graceful `shutdown()`; the Promise resolves once the
 * connections have drained and the listening socket is closed, and rejects if the server
 * cannot listen. `bind` `''` listens on all interfaces (`::` where IPv6 is available, which
 * also takes IPv4, else `0.0.0.0`).
 */
export async function test(
  HandlerClass: RequestHandlerClass = BaseHTTPRequestHandler,
  ServerClass: typeof HTTPServer | typeof HTTPSServer = HTTPServer,
  protocol = 'HTTP/1.0',
  port = 8000,
  bind = '0.0.0.0',
  tlsCert: string | null = null,
  tlsKey: string | null = null,
  tlsPassword: string | null = null,
): Promise<void> {
  const Handler = HandlerClass as unknown as typeof BaseHTTPRequestHandler;
  // Python sets HandlerClass.protocol_version; a subclass field is the TypeScript equivalent.
  const Served = class extends Handler {
    override protocolVersion = protocol;
  };
  const server =
    tlsCert === null
      ? new (ServerClass as typeof HTTPServer)([bind, port], Served)
      : new (ServerClass as typeof HTTPSServer)([bind, port], Served, { certfile: tlsCert, keyfile: tlsKey, password: tlsPassword });
  await server.ready;
  const [host, realPort] = server.serverAddress;
  const scheme = tlsCert === null ? 'HTTP' : 'HTTPS';
  const url = `${scheme.toLowerCase()}://${host.includes(':') ? `[${host}]` : host}:${realPort}/`;
  const stop = (): void => {
    process.stdout.write('\nKeyboard interrupt received, exiting.\n');
    void server.shutdown();
  };
  // Before the banner: whoever waits for it may signal at once (a test did, and the process died
  // of the signal's default action in the moment between the banner's write and these lines).
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  process.stdout.write(`Serving ${scheme} on ${host} port ${realPort} (${url}) ...\n`);
  try {
    await server.serveForever();
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
    server.serverClose();
  }
}
