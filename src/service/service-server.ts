/**
 * `ServiceServer`: an `HTTPServer` that counts connections for the metrics and sends its
 * errors (exceptions escaping handlers, connections cut at shutdown) to the service's error log.
 */
import type { Server, Socket } from 'node:net';
import type { Logger } from 'pino';
import { HTTPServer } from '../http/http-server.js';
import type { HTTPServerOptions } from '../http/limits.js';
import { type HTTPSServerOptions, loadSecureContext, TLSListener } from '../http/tls-listener.js';
import type { Address } from '../socketserver/address.js';
import { peerAddress } from '../socketserver/peer-address.js';
import type { RequestStats } from './request-stats.js';
import { type HandlerContext, handlerOf, logHandlerError, type WrappedHandler } from './service-handler.js';

/** The server settings the service takes from its config: `HTTPServer`'s options, and TLS. */
export interface ServerSettings extends HTTPServerOptions {
  /** HTTPS for this listener (`HTTPSServer`'s options); absent or null: plain HTTP. */
  tls?: HTTPSServerOptions | null;
}

/**
 * An HTTP server for the service. `name` (`app`, `metrics`) labels its log records.
 *
 * - Overrides: `getRequest` (the peer's address read at once), `verifyRequest` (counts accepted connections and those refused over
 *   `maxConnections`), `handleError` and `handleShutdownTimeout` (error records),
 *   `createListener` (TLS when `tls` is set, as `HTTPSServer` does it).
 */
export class ServiceServer extends HTTPServer {
  /** Which listener this is, in log records. */
  readonly name: string;
  readonly #stats: RequestStats;
  readonly #log: Logger;
  /** HTTPS options (from the settings), or null for plain HTTP. */
  tls: HTTPSServerOptions | null = null;

  constructor(name: string, address: Address, HandlerClass: new (...args: any[]) => WrappedHandler, ctx: HandlerContext, settings: ServerSettings) {
    const { tls = null, ...options } = settings;
    super(address, HandlerClass, options);
    this.name = name;
    this.#stats = ctx.stats;
    this.#log = ctx.log;
    this.tls = tls;
    ctx.stats.connectionsOpen = () => this.activeConnections;
  }

  /** Listens with TLS when `tls` is set (the handshake held to the same timeouts as `HTTPSServer`'s). */
  protected override createListener(): Server {
    const tls = this.tls;
    if (tls === null) return super.createListener();
    return new TLSListener(loadSecureContext(tls), tls.alpnProtocols ?? ['http/1.1'], this, (socket) => this.acceptRequest(socket));
  }

  /**
   * The peer's address read at once, not on first use (the core's default): the access and
   * error records name the client even of a connection reset before its first record.
   */
  override getRequest(socket: Socket): [Socket, Address] {
    return [socket, peerAddress(socket)];
  }

  override verifyRequest(request: Socket, clientAddress: Address): boolean {
    this.#stats.connectionsAccepted++;
    const ok = super.verifyRequest(request, clientAddress);
    if (!ok) this.#stats.reject('too_many_connections');
    return ok;
  }

  override handleError(request: Socket, clientAddress: Address, error: unknown): void {
    logHandlerError(this.#log, handlerOf(request), clientAddress, error);
  }

  override handleShutdownTimeout(cut: number): void {
    this.#log.error({ listener: this.name, connectionsCut: cut, shutdownTimeoutMs: this.shutdownTimeoutMs }, `shutdown timeout: ${cut} connection(s) cut`);
  }
}
