import { createServer, type Server, type Socket } from 'node:net';
import type { Address } from './address.js';
import { BaseServer } from './base-server.js';
import { SERVER_DEFAULTS } from './settings.js';

/**
 * A TCP server (Python's `SocketServer.TCPServer`) on a `node:net` listening socket.
 *
 * - For callers: everything `BaseServer` offers, plus `socket` and `fileno()`.
 * - May be overridden: `serverBind()`, `serverActivate()`, `serverClose()`, `getRequest()`,
 *   `createListener()`.
 * - Class fields that may be overridden: `allowReuseAddress` (false; node always sets
 *   `SO_REUSEADDR` on POSIX, so this only documents intent), `requestQueueSize` (511: the listen
 *   backlog, node:http's; Python's 5 drops bursts of connections), `addressFamily` (2 = AF_INET, or 10 = AF_INET6 for an IPv6 host),
 *   `socketType` (1 = SOCK_STREAM).
 *
 * Node binds and listens in one call, so `serverBind()` does both and `serverActivate()` only
 * starts handing accepted connections to the server; `ready` resolves after both.
 */
export class TCPServer extends BaseServer {
  /** Kept for parity: node sets SO_REUSEADDR on POSIX listening sockets in any case. */
  allowReuseAddress = false;
  /**
   * The listen backlog (the kernel caps it at `net.core.somaxconn`). 511, node:http's default,
   * not Python's 5: with 5, `wrk -c50` against the README's handler saw 6 request timeouts a
   * round, and 176 of 200 connections opened at once got no answer within 3 s (a handshake the
   * full accept queue dropped is retried after a second, then again; test/socketserver/listen-backlog.test.ts).
   */
  requestQueueSize = SERVER_DEFAULTS.requestQueueSize;
  /** AF_INET (2) or AF_INET6 (10), from the address bound. */
  addressFamily = 2;
  /** SOCK_STREAM. */
  socketType = 1;
  /** The listening socket (created by `serverBind()`). */
  socket: Server | null = null;

  /**
   * Validates the settings (`BaseServer.serverBind()`), then binds (and listens on)
   * `serverAddress`; updates it with the real port. May be overridden.
   */
  override async serverBind(): Promise<void> {
    await super.serverBind();
    const server = this.createListener();
    this.socket = server;
    const [host, port] = this.serverAddress;
    return new Promise<void>((resolve, reject) => {
      const onError = (e: Error): void => {
        server.off('listening', onListening);
        reject(e);
      };
      const onListening = (): void => {
        server.off('error', onError);
        // Later listener errors (EMFILE on accept…) are reported, never fatal to the process.
        server.on('error', (e) => process.stderr.write(`listening socket error: ${e.message}\n`));
        const a = server.address();
        if (a !== null && typeof a === 'object') {
          this.serverAddress = [a.address, a.port];
          this.addressFamily = a.family === 'IPv6' ? 10 : 2;
        }
        resolve();
      };
      server.once('error', onError);
      server.once('listening', onListening);
      server.listen({ host: host === '' ? undefined : host, port, backlog: this.requestQueueSize });
    });
  }

  /**
   * Creates the listening socket (not yet listening), which hands each connection to
   * `acceptRequest()`. May be overridden: `HTTPSServer` listens with `node:tls` and hands over
   * connections once their handshake is done. May throw (the bind then fails and `ready` rejects).
   */
  protected createListener(): Server {
    // Half-open: a client may send its request and FIN (curl -T, `socket.end()`) and still
    // expect the answer. The server ends its side itself (`shutdownRequest`).
    const server = createServer({ allowHalfOpen: true });
    server.on('connection', (socket: Socket) => this.acceptRequest(socket));
    return server;
  }

  /** Starts serving accepted connections. May be overridden. */
  override serverActivate(): void {
    this.markReady();
  }

  /** Closes the listening socket. May be overridden. */
  override serverClose(): void {
    super.serverClose();
    const s = this.socket;
    if (s !== null && s.listening) s.close();
  }

  /** The listening socket's file descriptor (-1 when unknown), as Python's `fileno()`. */
  fileno(): number {
    const handle = (this.socket as unknown as { _handle?: { fd?: number } } | null)?._handle;
    return typeof handle?.fd === 'number' ? handle.fd : -1;
  }

  protected override stopAccepting(): void {
    const s = this.socket;
    if (s !== null && s.listening) s.close();
  }
}

export type { Address };
