import type { Socket } from 'node:net';
import { type Address, formatAddress } from './address.js';
import { Backlog } from './backlog.js';
import { type BaseRequestHandler, type RequestHandlerClass, runHandler } from './base-request-handler.js';
import { Connections } from './connections.js';
import { BaseHTTPError } from './errors.js';
import { checkSettings, SERVER_DEFAULTS, SERVER_RULES } from './settings.js';
import { lazyPeerAddress } from './peer-address.js';
import { peerDone } from './socket-reader.js';

/**
 * Base class for server classes (Python's `SocketServer.BaseServer`).
 *
 * In this port a "request" is an accepted connection, as in Python's SocketServer. The pipeline
 * per connection: `verifyRequest` → `processRequest` → `finishRequest` (handler's `setup`,
 * `handle`, `finish`) → `shutdownRequest` → `closeRequest`; errors go to `handleError`.
 * Connections are served concurrently (node's event loop plays ThreadingMixIn's part).
 *
 * - For callers: `ready`, `serveForever()`, `shutdown()`, `handleRequest()`, `serverClose()`,
 *   `activeConnections`.
 * - May be overridden: `serverBind` (call `super.serverBind()` first: it validates the
 *   settings), `serverActivate`, `serverClose`, `getRequest`, `verifyRequest`, `processRequest`,
 *   `handleError`, `handleTimeout`, `shutdownRequest`, `closeRequest`, `drainRequests`,
 *   `handleShutdownTimeout`.
 * - May be extended, do not override: the constructor, `finishRequest`, `validateSettings`.
 * - Class fields that may be overridden (or set on the instance before it binds), defaults in
 *   `SERVER_DEFAULTS`: `timeout` (seconds `handleRequest()` waits for a connection; `null`:
 *   forever), `shutdownTimeoutMs` (10 000: how long `shutdown()` lets busy connections finish
 *   before destroying them), `lingerMs` (2 000). They are validated once, when the server binds:
 *   a value out of range rejects `ready` with `ERR_INVALID_SETTING` before anything listens.
 */
export class BaseServer {
  /** Seconds `handleRequest()` waits for a connection before `handleTimeout()`; `null`: no limit. */
  timeout: number | null = SERVER_DEFAULTS.timeout;
  /** Milliseconds `shutdown()` lets open connections finish before it destroys them. */
  shutdownTimeoutMs = SERVER_DEFAULTS.shutdownTimeoutMs;
  /** Milliseconds a closing connection may still drain what the peer sends before it is destroyed. */
  lingerMs = SERVER_DEFAULTS.lingerMs;

  /** The address served; after binding, the real one (port 0 becomes the port the OS chose). */
  serverAddress: Address;
  /** The handler class instantiated for each connection. */
  RequestHandlerClass: RequestHandlerClass;
  /** Resolves once the server is bound and listening; rejects if that failed (EADDRINUSE…). */
  readonly ready: Promise<void>;
  /** Connections destroyed because the shutdown timeout ran out (set by `shutdown()`). */
  connectionsCut = 0;

  /** Open connections: socket → when its lingering close gives up (0 while it is not closing). */
  readonly #connections = new Connections();
  /** Connections accepted while nothing serves (Python's listen backlog), and `handleRequest()`'s wait. */
  readonly #backlog = new Backlog();
  #serving = false;
  #shuttingDown = false;
  #closed = false;
  #stopLoop: (() => void) | null = null;
  #loop: Promise<void> | null = null;
  #shutdownPromise: Promise<void> | null = null;
  #readyResolve!: () => void;
  #readyReject!: (e: unknown) => void;

  /** Constructor. May be extended, do not override. Binds and activates unless told not to. */
  constructor(serverAddress: Address, RequestHandlerClass: RequestHandlerClass, bindAndActivate = true) {
    this.serverAddress = serverAddress;
    this.RequestHandlerClass = RequestHandlerClass;
    this.ready = new Promise<void>((resolve, reject) => {
      this.#readyResolve = resolve;
      this.#readyReject = reject;
    });
    // A caller that never awaits `ready` must not crash the process with an unhandled rejection;
    // awaiting callers still see the error.
    this.ready.catch(() => {});
    if (bindAndActivate) {
      // Deferred one microtask: subclass class fields (requestQueueSize…) are assigned after
      // this constructor returns, and binding must see them.
      queueMicrotask(() => {
        void this.#bindAndActivate();
      });
    }
  }

  async #bindAndActivate(): Promise<void> {
    try {
      await this.serverBind();
      await this.serverActivate();
    } catch (e) {
      this.serverClose();
      this.#readyReject(e);
    }
  }

  /** Marks the server ready; `serverActivate()` implementations call it once listening. */
  protected markReady(): void {
    this.#readyResolve();
  }

  /**
   * Binds the server: here, only validates the settings (`validateSettings()`), the one point
   * where they are checked. May be overridden: call `super.serverBind()` first.
   */
  serverBind(): void | Promise<void> {
    this.validateSettings();
  }

  /**
   * Throws `ERR_INVALID_SETTING` (naming the setting, its value and where it came from) when a
   * setting is out of range: `timeout`, `shutdownTimeoutMs`, `lingerMs` and, on servers that have
   * them, `requestQueueSize` (`TCPServer`) and the HTTP limits (`HTTPServer`). Called once, by
   * `serverBind()`. May be extended (call `super.validateSettings()`) to check a subclass's own.
   */
  validateSettings(): void {
    checkSettings(this, SERVER_RULES);
  }

  /** Starts listening. May be overridden. The base class is ready at once. */
  serverActivate(): void | Promise<void> {
    this.markReady();
  }

  /** Releases the listening resources. May be overridden. */
  serverClose(): void {
    this.#closed = true;
  }

  /** Number of connections currently open. */
  get activeConnections(): number {
    return this.#connections.size;
  }

  /** True from the moment `shutdown()` was called. */
  get isShuttingDown(): boolean {
    return this.#shuttingDown;
  }

  /**
   * Hands an accepted socket to the server: the transport layer (`TCPServer`) calls this for
   * each accepted connection. Served at once while `serveForever()` runs, else queued.
   */
  protected acceptRequest(socket: Socket): void {
    // Errors on a connection (ECONNRESET, EPIPE…) end it; they never reach the process.
    socket.on('error', noop);
    if (this.#shuttingDown || this.#closed) {
      socket.destroy();
      return;
    }
    if (this.#backlog.offer(socket)) return; // to the handleRequest() that waits for it
    if (this.#serving) void this.#handleRequestNoblock(socket);
    else this.#backlog.push(socket);
  }

  /**
   * Returns `[request, clientAddress]` for an accepted socket (Python: `socket.accept()`). The
   * address is read from the socket when something first reads it (`lazyPeerAddress`: a
   * `getpeername` per connection costs ~3.5 µs), so a connection reset before that reads as
   * `['', 0]`; a server that must have every address overrides this with `peerAddress(socket)`.
   * May be overridden.
   */
  getRequest(socket: Socket): [Socket, Address] {
    return [socket, lazyPeerAddress(socket)];
  }

  /**
   * The socket's 'close' listener, one function for all sockets (it finds its server as the owner
   * of the socket's entry in `Connections`; a closure per connection was
   * ~150 bytes of each idle connection's heap with its context, measured in docs/performance.md).
   */
  static readonly #onClose = function (this: Socket): void {
    (Connections.ownerOf(this) as BaseServer).#forget(this);
  };

  #handleRequestNoblock(socket: Socket): void | Promise<void> {
    if (socket.destroyed) return; // closed while it waited in the backlog
    const [request, clientAddress] = this.getRequest(socket);
    this.#connections.add(request, this);
    request.on('close', BaseServer.#onClose);
    let ok: boolean;
    try {
      ok = this.verifyRequest(request, clientAddress);
    } catch (e) {
      this.handleError(request, clientAddress, e);
      ok = false;
    }
    if (!ok) {
      this.shutdownRequest(request);
      return;
    }
    if (this.processRequest === BaseServer.prototype.processRequest && this.finishRequest === BaseServer.prototype.finishRequest) {
      return this.#process(request, clientAddress);
    }
    try {
      const r = this.processRequest(request, clientAddress);
      if (r !== undefined) {
        return r.then(undefined, (e: unknown) => {
          this.handleError(request, clientAddress, e);
          this.shutdownRequest(request);
        });
      }
    } catch (e) {
      this.handleError(request, clientAddress, e);
      this.shutdownRequest(request);
    }
  }

  /**
   * `processRequest()` and `finishRequest()` as one step when neither is overridden: one
   * promise per connection after the handler's own (three before: `finally`, then two `then`s;
   * Connection: close in bench/RESULTS.md pays them on every request). Errors go to
   * `handleError`; only one thrown by `handleError` itself rejects, as before.
   */
  #process(request: Socket, clientAddress: Address): void | Promise<void> {
    let handler: BaseRequestHandler;
    let r: void | Promise<void>;
    try {
      handler = new this.RequestHandlerClass(request, clientAddress, this);
      r = runHandler(handler);
    } catch (e) {
      this.handleError(request, clientAddress, e);
      this.shutdownRequest(request);
      return;
    }
    if (r === undefined) {
      this.#shutdownAfter(request, clientAddress);
      return;
    }
    return r.then(
      () => {
        this.#finishAfter(handler, request, clientAddress, null);
      },
      (e: unknown) => {
        this.#finishAfter(handler, request, clientAddress, e);
      },
    );
  }

  #finishAfter(handler: BaseRequestHandler, request: Socket, clientAddress: Address, failure: unknown): void {
    try {
      handler.finish();
      if (failure !== null) this.handleError(request, clientAddress, failure);
    } catch (e) {
      this.handleError(request, clientAddress, e);
    }
    this.#shutdownAfter(request, clientAddress);
  }

  #shutdownAfter(request: Socket, clientAddress: Address): void {
    try {
      this.shutdownRequest(request);
    } catch (e) {
      this.handleError(request, clientAddress, e);
      this.shutdownRequest(request);
    }
  }

  #forget(request: Socket): void {
    const connections = this.#connections;
    if (!connections.forget(request)) return;
    this.closeRequest(request);
    connections.notifyIfIdle();
  }

  /** Returns whether to serve this connection. May be overridden. Default: true. */
  verifyRequest(_request: Socket, _clientAddress: Address): boolean {
    return true;
  }

  /**
   * Serves the connection: `finishRequest` then `shutdownRequest`. May be overridden (this is
   * the hook Python's ForkingMixIn and ThreadingMixIn replace). May return a Promise.
   */
  processRequest(request: Socket, clientAddress: Address): void | Promise<void> {
    const r = this.finishRequest(request, clientAddress);
    if (r === undefined) {
      this.shutdownRequest(request);
      return;
    }
    return r.then(
      () => this.shutdownRequest(request),
      (e: unknown) => {
        this.handleError(request, clientAddress, e);
        this.shutdownRequest(request);
      },
    );
  }

  /**
   * Instantiates the handler and runs `setup()`, `handle()`, `finish()` on it (`finish()` even
   * when `handle()` failed). May be extended, do not override.
   */
  finishRequest(request: Socket, clientAddress: Address): void | Promise<void> {
    const handler = new this.RequestHandlerClass(request, clientAddress, this);
    const r = runHandler(handler);
    return r === undefined ? undefined : r.finally(() => handler.finish());
  }

  /**
   * Ends the connection gracefully (flushes, then closes). May be overridden. The lingering close
   * that follows lasts at most `lingerMs`, then the connection is reset (`Connections.linger`).
   */
  shutdownRequest(request: Socket): void {
    if (!request.destroyed) {
      if (peerDone(request)) {
        // The peer sends nothing more (its reader says so: an HTTP client that said `Connection:
        // close` and whose request was read whole): close once the response is written, as
        // node:http always does, without waiting for its FIN. Measured on Connection: close
        // (docs/performance.md): 55.5 -> 49.5 µs of server CPU per connection (medians, 5 A/B
        // pairs), the end-of-input read and 'end' of the lingering close no longer paid.
        request.destroySoon();
        return;
      }
      request.end();
      // Read (and drop) what the peer still sends, so its FIN is seen and the socket closes.
      request.resume();
      this.#connections.linger(request, this.lingerMs);
    }
  }

  /**
   * Called exactly once per connection when it is finally closed. May be overridden (a metrics
   * subclass counts open connections here).
   */
  closeRequest(request: Socket): void {
    if (!request.destroyed) request.destroy();
  }

  /**
   * Handles an exception raised while serving a connection. May be overridden.
   * Default: prints the traceback to stderr and goes on, as CPython.
   */
  handleError(_request: Socket, clientAddress: Address, error: unknown): void {
    const stack = error instanceof Error ? (error.stack ?? String(error)) : String(error);
    process.stderr.write(`${'-'.repeat(40)}\nException occurred during processing of request from ${formatAddress(clientAddress)}\n` + `${stack}\n${'-'.repeat(40)}\n`);
  }

  /** Called when `handleRequest()` saw no connection within `timeout`. May be overridden. */
  handleTimeout(): void {}

  /**
   * Serves connections until `shutdown()`. Resolves when the loop has stopped. `pollInterval`
   * is accepted for parity and unused: node's event loop needs no polling.
   */
  serveForever(_pollInterval = 0.5): Promise<void> {
    if (this.#serving) return Promise.reject(new BaseHTTPError('ERR_SERVER_RUNNING', 'serveForever() is already running'));
    if (this.#shuttingDown || this.#closed) {
      return Promise.reject(new BaseHTTPError('ERR_SERVER_CLOSED', 'the server was shut down or closed'));
    }
    this.#serving = true;
    this.#loop = new Promise<void>((resolve) => {
      this.#stopLoop = resolve;
    });
    for (const socket of this.#backlog.takeAll()) void this.#handleRequestNoblock(socket);
    return this.#loop;
  }

  /**
   * Handles one connection, then returns. Waits at most `timeout` seconds for one, else calls
   * `handleTimeout()`.
   */
  async handleRequest(): Promise<void> {
    if (this.#serving || this.#backlog.waiting) throw new BaseHTTPError('ERR_SERVER_RUNNING', 'the server is already serving');
    if (this.#shuttingDown || this.#closed) throw new BaseHTTPError('ERR_SERVER_CLOSED', 'the server was shut down or closed');
    await this.ready;
    const socket = await this.#backlog.next(this.timeout);
    if (socket === null) {
      this.handleTimeout();
      return;
    }
    await this.#handleRequestNoblock(socket);
  }

  /**
   * Stops the serve loop gracefully and resolves once it has stopped: no new connections; the
   * connections already open finish what they received (`drainRequests()`); after
   * `shutdownTimeoutMs` the rest are destroyed and counted in `connectionsCut`
   * (`handleShutdownTimeout()`). Idempotent: every call returns the same promise.
   */
  shutdown(): Promise<void> {
    if (this.#shutdownPromise === null) this.#shutdownPromise = this.#shutdown();
    return this.#shutdownPromise;
  }

  async #shutdown(): Promise<void> {
    this.#shuttingDown = true;
    this.stopAccepting();
    this.#backlog.close();
    this.drainRequests();
    if (!(await this.#connections.whenIdle(this.shutdownTimeoutMs))) {
      const cut = this.#connections.sockets();
      this.connectionsCut = cut.length;
      for (const socket of cut) socket.destroy();
      if (cut.length > 0) this.handleShutdownTimeout(cut.length);
      await this.#connections.whenIdle();
    }
    this.#serving = false;
    const stop = this.#stopLoop;
    this.#stopLoop = null;
    if (stop !== null) stop();
    if (this.#loop !== null) await this.#loop;
  }

  /** Stops accepting new connections. May be overridden by transports. */
  protected stopAccepting(): void {}

  /**
   * Called once when shutdown begins, to make open connections finish. May be overridden.
   * Default: nothing (connections end on their own).
   */
  drainRequests(): void {}

  /**
   * Called when the shutdown timeout cut `cut` connections. May be overridden (the service logs
   * it to its error log). Default: a line on stderr.
   */
  handleShutdownTimeout(cut: number): void {
    process.stderr.write(`shutdown timeout: ${cut} connection(s) cut\n`);
  }
}

function noop(): void {}
