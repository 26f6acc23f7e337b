import type { Server } from 'node:net';
import type { SecureContextOptions } from 'node:tls';
import type { Address } from '../socketserver/address.js';
import type { RequestHandlerClass } from '../socketserver/base-request-handler.js';
import { BaseHTTPError } from '../socketserver/errors.js';
import { HTTPServer } from './http-server.js';
import { type HTTPSServerOptions, loadSecureContext, TLSListener } from './tls-listener.js';

/**
 * An HTTP server over TLS (CPython 3.14's `http.server.HTTPSServer`), on `node:tls`.
 *
 * ```ts
 * const server = new HTTPSServer(['0.0.0.0', 8443], Handler, { certfile: 'cert.pem', keyfile: 'key.pem' });
 * ```
 *
 * Everything `HTTPServer` does works the same over TLS: framing, limits, timeouts, keep-alive,
 * `shutdown()` and its draining. The handshake is held to the server's timeouts too: a client
 * must send its first byte within `keepAliveTimeoutMs` and finish the handshake within
 * `headersTimeoutMs` of connecting, else the connection is closed (see `TLSListener`). A handler
 * sees the connection once the handshake is done; `request` is then a `tls.TLSSocket`.
 *
 * - For callers: everything `HTTPServer` offers. The constructor takes CPython's keyword
 *   arguments as an options object, after `bindAndActivate` or in its place; it may hold
 *   `HTTPServer`'s options (limits, timeouts) too.
 * - May be overridden: as `HTTPServer`; `createContext()` (CPython's `_create_context`).
 * - Fields (from the options): `certfile`, `keyfile` (null: the key is in `certfile`),
 *   `password` (null: the key is not encrypted), `alpnProtocols` (`['http/1.1']`).
 *
 * The certificate and key are read when the server binds; a file that cannot be loaded rejects
 * `ready` with `ERR_TLS_CERT`, `ERR_TLS_KEY` or `ERR_TLS_PASSWORD`, and nothing listens
 * (CPython binds first, then fails in `server_activate`).
 */
export class HTTPSServer extends HTTPServer {
  /** Path of the PEM certificate chain. */
  certfile: string;
  /** Path of the PEM private key; null: read from `certfile`. */
  keyfile: string | null;
  /** Passphrase of an encrypted key (or a function returning it); null: none. */
  password: string | (() => string) | null;
  /** ALPN protocols offered, in order of preference. */
  alpnProtocols: string[];

  constructor(serverAddress: Address, RequestHandlerClass: RequestHandlerClass, options: HTTPSServerOptions);
  constructor(serverAddress: Address, RequestHandlerClass: RequestHandlerClass, bindAndActivate: boolean, options: HTTPSServerOptions);
  constructor(serverAddress: Address, RequestHandlerClass: RequestHandlerClass, bindOrOptions: boolean | HTTPSServerOptions, maybeOptions?: HTTPSServerOptions) {
    const options = typeof bindOrOptions === 'boolean' ? maybeOptions : bindOrOptions;
    if (options === undefined || typeof options.certfile !== 'string' || options.certfile === '') {
      throw new BaseHTTPError('ERR_TLS_CERT', 'HTTPSServer needs options.certfile, the path of a PEM certificate chain');
    }
    super(serverAddress, RequestHandlerClass, typeof bindOrOptions === 'boolean' ? bindOrOptions : true, options);
    this.certfile = options.certfile;
    this.keyfile = options.keyfile ?? null;
    this.password = options.password ?? null;
    // "Support by default HTTP/1.1", as CPython.
    this.alpnProtocols = options.alpnProtocols == null ? ['http/1.1'] : [...options.alpnProtocols];
  }

  /**
   * The TLS context's options: the certificate chain and key read from `certfile` and `keyfile`,
   * checked (CPython's `_create_context`). May be overridden, e.g. to add `minVersion` or
   * `ciphers`; node's defaults apply otherwise (TLS 1.2 and later).
   */
  createContext(): SecureContextOptions {
    return loadSecureContext(this);
  }

  /** Listens with TLS; a connection is served once its handshake is done. */
  protected override createListener(): Server {
    return new TLSListener(this.createContext(), this.alpnProtocols, this, (socket) => this.acceptRequest(socket));
  }
}
