import { hostname } from 'node:os';
import type { Socket } from 'node:net';
import type { Address } from '../socketserver/address.js';
import type { RequestHandlerClass } from '../socketserver/base-request-handler.js';
import { visitInTurns } from '../socketserver/in-turns.js';
import { applyOptions, checkOptionNames, checkSettings, SERVER_RULES } from '../socketserver/settings.js';
import { TCPServer } from '../socketserver/tcp-server.js';
import { DEFAULT_LIMITS, type HTTPLimits, type HTTPServerOptions, LIMIT_RULES } from './limits.js';
import { type LiveLinks, LiveList } from '../socketserver/live-list.js';

/**
 * What the server asks of each live HTTP connection (implemented by the handler's request loop;
 * `BaseHTTPRequestHandler` offers `sweep` and `drain` too). Its `LiveLinks` belong to the server's
 * list: start them null and false.
 */
export interface SweptConnection extends LiveLinks {
  /**
   * Applies the server's timeouts at time `now` (ms, `performance.now()`). Returns true when it
   * cut a wait short (the costly case: a 408 written, or a close), so the sweep can bound the work
   * it does in one turn.
   */
  sweep(now: number): boolean;
  /** Shutdown began: close if idle, else close after the current response. True when it closed. */
  drain(): boolean;
}

/** Sent to connections beyond `maxConnections`; built once at load. */
const OVERLOADED = Buffer.from(
  'HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain\r\nContent-Length: 20\r\n' + 'Retry-After: 1\r\nConnection: close\r\n\r\nServer is overloaded',
  'latin1',
);

/** Every setting an `HTTPServer` takes as a constructor option. */
const OPTION_RULES = [SERVER_RULES, LIMIT_RULES];

/**
 * An HTTP server (Python's `BaseHTTPServer.HTTPServer`): a `TCPServer` that records its name and
 * port when it binds, and owns the protocol's limits and timeouts.
 *
 * ```ts
 * const server = new HTTPServer(['127.0.0.1', 8000], Handler, { maxBodyBytes: 65_536, keepAliveTimeoutMs: 10_000 });
 * ```
 *
 * - For callers: everything `TCPServer` offers; `serverName`, `serverPort` once `ready`. The
 *   constructor takes the settings as an options object (`HTTPServerOptions`), after
 *   `bindAndActivate` or in its place.
 * - May be overridden: as `TCPServer`; `verifyRequest` here refuses connections beyond
 *   `maxConnections` with a canned 503; `serverBind` first calls the handler class's static
 *   `prepare()` (a faulty class never listens).
 * - Settings, as class fields that may be overridden, constructor options, or values set on the
 *   instance before it binds: the limits and timeouts of `HTTPLimits` (each documented, with its
 *   default, in `limits.ts`; the defaults are the `DEFAULT_LIMITS` table), and `TCPServer`'s and
 *   `BaseServer`'s (`requestQueueSize`, `shutdownTimeoutMs`, `lingerMs`, `timeout`;
 *   `SERVER_DEFAULTS`); `allowReuseAddress` (true). A subclass's class field is assigned after
 *   this constructor, so it overrides an option for the same setting; an assignment after
 *   construction overrides both. All are validated once, when the server binds: a value out of
 *   range, or an unknown option, rejects `ready` with `ERR_INVALID_SETTING` naming it; nothing
 *   listens.
 *
 * Timeouts are checked by a sweep every tenth of the shortest one, 10 ms to 1 s: a timeout fires
 * up to one period late, the keep-alive one up to two; when many expire together, at most 32 are
 * closed per event-loop turn, so 10 000 take about half a second and no other client waits on them.
 */
export class HTTPServer extends TCPServer implements HTTPLimits {
  override allowReuseAddress = true;
  /** The bound host's name (the machine's host name for a wildcard address). */
  serverName = '';
  /** The bound port. */
  serverPort = 0;

  headersTimeoutMs = DEFAULT_LIMITS.headersTimeoutMs;
  keepAliveTimeoutMs = DEFAULT_LIMITS.keepAliveTimeoutMs;
  requestTimeoutMs = DEFAULT_LIMITS.requestTimeoutMs;
  maxBodyBytes = DEFAULT_LIMITS.maxBodyBytes;
  maxConnections = DEFAULT_LIMITS.maxConnections;
  maxRequestLineBytes = DEFAULT_LIMITS.maxRequestLineBytes;
  maxHeaderLineBytes = DEFAULT_LIMITS.maxHeaderLineBytes;
  maxHeaders = DEFAULT_LIMITS.maxHeaders;

  /** The live connections, linked through themselves (`live-list.ts` says why not a `Set`). */
  readonly #live = new LiveList<SweptConnection>();
  #sweeper: NodeJS.Timeout | null = null;
  /** A sweep (or drain) that stopped at its time budget goes on from here on the next turn. */
  #sweepRest: Iterator<SweptConnection> | null = null;
  #drainRest: Iterator<SweptConnection> | null = null;
  /** Bound once per server: the continuations, queued with setImmediate. */
  readonly #sweepOn = (): void => this.#sweepSome();
  readonly #drainOn = (): void => this.#drainSome();

  /** Constructor. May be extended, do not override. Binds and activates unless told not to. */
  constructor(serverAddress: Address, RequestHandlerClass: RequestHandlerClass, options?: HTTPServerOptions);
  constructor(serverAddress: Address, RequestHandlerClass: RequestHandlerClass, bindAndActivate: boolean, options?: HTTPServerOptions);
  constructor(serverAddress: Address, RequestHandlerClass: RequestHandlerClass, bindOrOptions: boolean | HTTPServerOptions = true, maybeOptions?: HTTPServerOptions) {
    super(serverAddress, RequestHandlerClass, typeof bindOrOptions === 'boolean' ? bindOrOptions : true);
    const options = typeof bindOrOptions === 'boolean' ? maybeOptions : bindOrOptions;
    // From JavaScript, anything but an object is taken as no options.
    if (typeof options === 'object' && options !== null) applyOptions(this, options, OPTION_RULES);
  }

  /** Also checks the limits and the constructor options' names (see `BaseServer.validateSettings`). */
  override validateSettings(): void {
    super.validateSettings();
    checkSettings(this, LIMIT_RULES);
    checkOptionNames(this, OPTION_RULES);
  }

  /**
   * Lets the handler class check itself (its static `prepare()`, e.g. `RouteHandler`'s route
   * table), binds, then records `serverName` and `serverPort`. A faulty class rejects `ready`
   * before anything listens.
   */
  override async serverBind(): Promise<void> {
    (this.RequestHandlerClass as { prepare?: () => void }).prepare?.();
    await super.serverBind();
    const [host, port] = this.serverAddress;
    // CPython calls socket.getfqdn(host), a DNS lookup that can block for seconds ('localhost'
    // for 127.0.0.1). We record the bound address itself, or the host name for a wildcard
    // address, without a lookup (docs/python-mapping.md).
    this.serverName = host === '0.0.0.0' || host === '::' || host === '' ? hostname() : host;
    this.serverPort = port;
  }

  /** Refuses a connection beyond `maxConnections` with a 503; else serves it. */
  override verifyRequest(request: Socket, _clientAddress: Address): boolean {
    if (this.activeConnections > this.maxConnections) {
      request.end(OVERLOADED);
      return false;
    }
    return true;
  }

  /** Registers a live connection for timeouts and draining (called by the handler's `setup()`). */
  track(connection: SweptConnection): void {
    this.#live.add(connection);
    if (this.#sweeper === null) {
      // One timer per server, not per connection or request (node's http server does the same
      // with its connectionsCheckingInterval). Its period bounds how late a timeout fires: one
      // period for the head and request timeouts, two for the keep-alive one (a connection's idle
      // time is counted from the first sweep that sees it idle, to spare a clock read per request).
      const period = Math.min(1000, Math.max(10, Math.min(this.headersTimeoutMs, this.keepAliveTimeoutMs, this.requestTimeoutMs) / 10));
      this.#sweeper = setInterval(() => this.#sweep(), period);
      this.#sweeper.unref();
    }
    if (this.isShuttingDown) connection.drain();
  }

  /** Forgets a connection (called by the handler's `finish()`). */
  untrack(connection: SweptConnection): void {
    this.#live.delete(connection);
    if (this.#live.size === 0 && this.#sweeper !== null) {
      clearInterval(this.#sweeper);
      this.#sweeper = null;
    }
  }

  #sweep(): void {
    // A sweep still working through a mass expiry finishes first; this tick adds nothing to it.
    if (this.#sweepRest !== null) return;
    this.#sweepRest = this.#live.values();
    this.#sweepSome();
  }

  /** The sweep, a time budget per event-loop turn (in-turns.ts has the measurements). */
  #sweepSome(): void {
    const rest = this.#sweepRest;
    if (rest !== null && visitInTurns(rest, sweepOne, this.#sweepOn)) this.#sweepRest = null;
  }

  #drainSome(): void {
    const rest = this.#drainRest;
    if (rest !== null && visitInTurns(rest, drainOne, this.#drainOn)) this.#drainRest = null;
  }

  /** Shutdown: idle keep-alive connections close now; busy ones after their response. */
  override drainRequests(): void {
    if (this.#drainRest !== null) return;
    this.#drainRest = this.#live.values();
    this.#drainSome();
  }
}

function sweepOne(c: SweptConnection, now: number): boolean {
  return c.sweep(now);
}

function drainOne(c: SweptConnection): boolean {
  return c.drain();
}
