/**
 * The service's wrapper around a user's handler class: a subclass that adds the request id,
 * the access record, the metrics and the error records through the hooks CPython documents as
 * "may be overridden" (`logRequest`, `logError`, `logMessage`) and a few extensions that call
 * `super` (`parseRequest`, `sendResponse`, `sendError`, `setup`, `finish`).
 *
 * The user's class (HANDLER_MODULE's default export, or the example `AppHandler`) extends
 * `BaseHTTPRequestHandler` directly and knows nothing of this.
 *
 * Per request, in order: `parseRequest()` (counts the request in flight) → the user's `do_X` →
 * `sendResponse()` (adds `X-Request-Id`) → … → `logRequest()` once the response is complete
 * (metrics, then the access record). That path allocates the `X-Request-Id` line, the trace
 * context object and, when the connection is about to wait, a 24-byte copy of its ids
 * (`TraceContext.detach()`), nothing else: no closures, no promises, no label objects,
 * no id strings (issue 16: a generated request id is a number until something asks for its
 * text, a fresh trace's ids are bytes; the access record and the exemplar take them as such).
 *
 * Trace context: `this.traceContext` is the request's W3C trace context (`trace-context.ts`),
 * made on first use — by the access record at the latest — and kept with the request id until
 * the next request begins (`requestNumber` changes).
 * Its `trace_id`, `span_id` and `trace_flags` go into the access record, every error record
 * and `logMessage` lines (OpenTelemetry's pino keys), and the trace id becomes the request's
 * exemplar on `http_request_duration_seconds`.
 *
 * OpenTelemetry (`otel.ts`): only when `ctx.tracing` is set, each `do_X` the class defines runs
 * in a server span, ended by `logRequest()`; without it the class has no wrapper at all.
 */
import type { Socket } from 'node:net';
// Not the global `performance`, an accessor read per request (request-loop.ts).
import { performance } from 'node:perf_hooks';
import { format } from 'node:util';
import type { Logger } from 'pino';
import { APPEND_CHECKED_HEADERS, type BaseHTTPRequestHandler } from '../http/request-handler.js';
import type { TraceContext, TraceIds } from '../http/trace-context.js';
import { isRouteHandlerClass } from '../http/route-handler.js';
import { doMethodNames, ServerSpan, type Tracing } from './otel.js';
import type { Address } from '../socketserver/address.js';
import { type AccessLog, CONNECTION_RECORD, type ConnectionRecord } from './access-log.js';
import { isWellFormedRequestId, type RequestIdGenerator } from './request-id.js';
import { type RequestStats, UNMATCHED_ROUTE, UNROUTED } from './request-stats.js';

/** What the wrapper needs from the service; one per listener. */
export interface HandlerContext {
  /** Access records; null: none for this listener. */
  readonly access: AccessLog | null;
  /** The service logger (errors, messages). */
  readonly log: Logger;
  readonly stats: RequestStats;
  readonly ids: RequestIdGenerator;
  /** Protocol the listener speaks (`PROTOCOL_VERSION`). */
  readonly protocolVersion: string;
  /** Trace and span ids (one per process). */
  readonly traceIds: TraceIds;
  /** Send `traceparent` (this request's span) in each response (`TRACEPARENT_RESPONSE`). */
  readonly traceResponse: boolean;
  /** OpenTelemetry with a registered provider (`otel.ts`), else null: no spans, no cost. */
  readonly tracing: Tracing | null;
}

/**
 * Where a connection's socket keeps its handler while the connection is open, so the server's
 * `handleError` can name the request that failed (`handlerOf`). A slot on the socket rather than
 * a `Map<Socket, handler>`: a map that gains and loses an entry per connection is rebuilt by V8
 * every few dozen changes, and a promoted old table keeps the dead connections it held alive
 * through the next scavenge — the pattern that cost the core's `Connection: close` path
 * (docs/performance.md, the `Connection: close` section).
 */
const HANDLER: unique symbol = Symbol('basehttp.serviceHandler');

interface HandlerSlot {
  [HANDLER]?: WrappedHandler | undefined;
}

/** The handler of the connection on `socket` while it is open, else undefined. */
export function handlerOf(socket: Socket): WrappedHandler | undefined {
  return (socket as HandlerSlot)[HANDLER];
}

/** A handler class as users write it. */
export type HandlerClass = new (...args: any[]) => BaseHTTPRequestHandler;

/** The methods the wrapper adds. */
export interface WrappedHandler extends BaseHTTPRequestHandler {
  /** The current request's id: the client's well-formed `X-Request-Id`, else a generated one. */
  requestId(): string;
  /** Takes the 5xx error line held back for `handleError` (null if none). */
  takePendingError(): string | null;
  /** The current request's trace context (made on first use). */
  readonly traceContext: TraceContext;
}

/** The trace fields of a record, under OpenTelemetry's pino keys. */
export function traceFields(t: TraceContext): { trace_id: string; span_id: string; trace_flags: string } {
  return { trace_id: t.traceId, span_id: t.spanId, trace_flags: t.traceFlags };
}

/** The request, as error records show it (headers included: `logger.ts` redacts credentials). */
export function describeRequest(h: BaseHTTPRequestHandler): Record<string, unknown> {
  const known = h.command !== null && h.command !== '';
  return {
    method: known ? h.command : null,
    url: known ? h.path : null,
    remoteAddress: h.clientAddress[0],
    remotePort: h.clientAddress[1],
    headers: known ? h.headers.toJSON() : {},
  };
}

/** Returns a subclass of `Base` that logs and measures for the service. */
export function serviceHandler<T extends HandlerClass>(Base: T, ctx: HandlerContext): T {
  const { access, log, stats, ids, traceIds, traceResponse, tracing } = ctx;
  // A user's own logRequest/logError still runs after the service's record; a user's own
  // logMessage replaces the service's. The library's defaults (CPython's stderr lines) never run.
  const base = libraryBase(Base);
  const ownLogRequest = overrides(Base, base, 'logRequest');
  const ownLogError = overrides(Base, base, 'logError');
  const ownLogMessage = overrides(Base, base, 'logMessage');
  // X-Request-Id goes straight into the header buffer (its value is generated or checked here)
  // while the handler's sendHeader is the library's own (checked per response, so an override
  // in the class or set on the instance sees it, as before), unless the class's copy of the
  // library predates the hook.
  const hooked = base as { sendHeader?: unknown; [APPEND_CHECKED_HEADERS]?: unknown } | null;
  const librarySendHeader = hooked !== null && typeof hooked[APPEND_CHECKED_HEADERS] === 'function' ? hooked.sendHeader : undefined;
  // The `route` label: a RouteHandler's matched pattern (one of its table's, so bounded), else
  // one fixed value. Decided once per class: a plain handler's own `route` field, if it has
  // one, never becomes a label.
  const routed = isRouteHandlerClass(Base);

  class ServiceHandler extends Base implements WrappedHandler {
    override protocolVersion = ctx.protocolVersion;
    /** What the access record repeats for this connection (`access-log.ts`), made on first use. */
    [CONNECTION_RECORD]: ConnectionRecord | undefined = undefined;
    /**
     * The request's id and trace belong to the request whose `requestNumber` is `#idsAt` (as
     * RouteHandler's `route`): they last until the next request begins, so `requestId()` after
     * the response still names the request just logged, and a request the core refuses before
     * `parseRequest()` (414, 431, 408) gets ids of its own, never the previous request's.
     */
    #idsAt = -1;
    /** The request's id as text: the client's, or a generated one once something asked for it. */
    #id: string | null = null;
    /** The number of the request's generated id (`ids.take()`), or 0. */
    #idNumber = 0;
    #trace: TraceContext | null = null;
    /** The request's OpenTelemetry span (only with `tracing`). */
    #span: ServerSpan | null = null;

    static {
      // With OpenTelemetry only: each do_X runs in the request's server span.
      if (tracing !== null) {
        for (const name of doMethodNames(Base)) {
          const original = (Base.prototype as unknown as Record<string, (this: ServiceHandler) => void | Promise<void>>)[name]!;
          Object.defineProperty(this.prototype, name, {
            value: function traced(this: ServiceHandler): void | Promise<void> {
              return this.#traced(original);
            },
            writable: true,
            configurable: true,
          });
        }
      }
    }

    /** Starts the request's span (once: a do_HEAD calling do_GET stays in it) and runs `fn` in its context. */
    #traced(fn: (this: ServiceHandler) => void | Promise<void>): void | Promise<void> {
      if (this.#span !== null) return fn.call(this);
      if (this.#idsAt !== this.requestNumber) this.#newRequest();
      const span = new ServerSpan(tracing!, this);
      this.#span = span;
      this.#trace = span.trace;
      return tracing!.api.context.with(span.context, fn, this);
    }
    #inFlight = false;
    /** The code of the `sendError()` running, so `logError()` can pick the record's level. */
    #errorCode = 0;
    /** A 5xx error line held back until it is known whether an exception caused it. */
    #pendingError: string | null = null;

    constructor(...args: any[]) {
      super(...args);
    }

    requestId(): string {
      const id = this.#idOrNumber();
      return typeof id === 'string' ? id : (this.#id = ids.format(id));
    }

    /**
     * The request's id: its text when there is one (the client's well-formed X-Request-Id, or a
     * generated id something asked for), else the generated id's number; chosen on first use.
     */
    #idOrNumber(): string | number {
      if (this.#idsAt !== this.requestNumber) this.#newRequest();
      if (this.#id === null && this.#idNumber === 0) {
        // A request refused before its request line was understood has no headers of its own.
        const incoming = this.command ? this.headers.get('x-request-id') : undefined;
        if (incoming !== undefined && isWellFormedRequestId(incoming)) this.#id = incoming;
        else this.#idNumber = ids.take();
      }
      return this.#id ?? this.#idNumber;
    }

    /** Forgets the previous request's id and trace: the request of `requestNumber` has none yet. */
    #newRequest(): void {
      this.#idsAt = this.requestNumber;
      this.#id = null;
      this.#idNumber = 0;
      this.#trace = null;
    }

    override get traceContext(): TraceContext {
      if (this.#idsAt !== this.requestNumber) this.#newRequest();
      let t = this.#trace;
      if (t === null) {
        // As for the request id: a request refused before its request line has no headers.
        t = traceIds.contextFor(this.command ? this.headers : null);
        this.#trace = t;
      }
      return t;
    }

    override setup(): void {
      super.setup();
      (this.request as HandlerSlot)[HANDLER] = this;
    }

    override finish(): void {
      try {
        super.finish();
      } finally {
        (this.request as HandlerSlot)[HANDLER] = undefined;
        if (this.#span !== null) {
          // The connection ended before the response was complete.
          this.#span.end(this);
          this.#span = null;
        }
        if (this.#inFlight) {
          this.#inFlight = false;
          stats.inFlight--;
        }
      }
    }

    override parseRequest(): boolean | Promise<boolean> {
      if (this.#span !== null) {
        // The previous request on this connection ended with no response at all (nothing logged).
        this.#span.end(this);
        this.#span = null;
      }
      if (!this.#inFlight) {
        this.#inFlight = true;
        stats.inFlight++;
      }
      return super.parseRequest();
    }

    override sendResponse(code: number, message?: string): void {
      super.sendResponse(code, message);
      if (librarySendHeader !== undefined && this.sendHeader === librarySendHeader) {
        const id = this.#idOrNumber();
        this[APPEND_CHECKED_HEADERS](typeof id === 'string' ? `X-Request-Id: ${id}\r\n` : ids.headerLine(id));
      } else {
        this.sendHeader('X-Request-Id', this.requestId());
      }
      if (traceResponse) this.sendHeader('traceparent', this.traceContext.traceparent());
    }

    override sendError(code: number, message?: string, explain?: string): void {
      this.#errorCode = code;
      try {
        super.sendError(code, message, explain);
      } finally {
        this.#errorCode = 0;
      }
    }

    override logRequest(code?: number | string, size?: number | string): void {
      const end = performance.now();
      const ms = end - this.requestStart;
      if (this.#inFlight) {
        this.#inFlight = false;
        stats.inFlight--;
      }
      if (this.#span !== null) {
        this.#span.end(this);
        this.#span = null;
      }
      // A RouteHandler's `route` is null unless this very request matched one.
      const route = routed ? ((this as { route?: string | null }).route ?? UNMATCHED_ROUTE) : UNROUTED;
      stats.observe(this.command, this.statusCode, route, ms / 1000, this.bytesReceived, this.bytesSent);
      const trace = this.traceContext;
      stats.exemplar(trace, end);
      if (this.rejectReason !== null) stats.reject(this.rejectReason);
      // A generated id goes into the record as its number (no string is made for it).
      if (access !== null) access.write(this, end, ms, this.#idOrNumber(), ids.prefixBytes, route, trace);
      // Kept until the next request begins (`#idsAt`): an idle connection must not hold the
      // random pool its ids were cut from. Only when no further request is buffered (the
      // connection is about to wait): a copy per pipelined request was +0.25 µs of server CPU
      // per request (3.47 → 3.72, 4 rounds), one per batch is not measurable.
      if (this.rfile.available === 0) trace.detach();
      if (this.#pendingError !== null) this.#logPendingError();
      if (ownLogRequest) super.logRequest(code, size);
    }

    /** The held-back 5xx line (no exception reported it): written at the end of the request. */
    #logPendingError(): void {
      const message = this.#pendingError!;
      this.#pendingError = null;
      log.error({ requestId: this.requestId(), ...traceFields(this.traceContext), req: describeRequest(this) }, message);
    }

    takePendingError(): string | null {
      const message = this.#pendingError;
      this.#pendingError = null;
      return message;
    }

    /**
     * Error records. A request the server refused (`rejectReason`: bad syntax, limits, timeout)
     * is `warn`; an error page the handler chose to send below 500 (a 404…) is `debug` — the
     * access record has it already; anything else (5xx, timeouts inside a handler) is `error`.
     */
    override logError(fmt: string, ...args: unknown[]): void {
      if (ownLogError) super.logError(fmt, ...args);
      const level = this.rejectReason !== null ? 'warn' : this.#errorCode > 0 && this.#errorCode < 500 ? 'debug' : 'error';
      if (!log.isLevelEnabled(level)) return;
      if (this.#errorCode >= 500 && this.rejectReason === null) {
        // A 500 page may be the server answering an exception: `handleError` reports that one
        // record with the stack; otherwise `logRequest` writes this line.
        this.#pendingError = format(fmt, ...args);
        return;
      }
      log[level](
        { requestId: this.requestId(), ...traceFields(this.traceContext), req: describeRequest(this), reason: this.rejectReason ?? undefined },
        format(fmt, ...args),
      );
    }

    /** The user's own messages (`this.logMessage(...)`): `info` records on stdout. */
    override logMessage(fmt: string, ...args: unknown[]): void {
      if (ownLogMessage) return super.logMessage(fmt, ...args);
      log.info({ requestId: this.requestId(), ...traceFields(this.traceContext), remoteAddress: this.clientAddress[0] }, format(fmt, ...args));
    }
  }
  // Stack traces read `at ServiceHandler.do_GET (your file:line)`; labels use the user's class name.
  return ServiceHandler;
}

/**
 * The library's handler base in `Base`'s prototype chain: the deepest prototype that owns
 * `handleOneRequest` (`BaseHTTPRequestHandler.prototype`, whichever copy of the library; a user's
 * class that extends `handleOneRequest` sits above it), or null.
 */
function libraryBase(Base: HandlerClass): object | null {
  let base: object | null = null;
  for (let proto: object | null = Base.prototype; proto !== null; proto = Object.getPrototypeOf(proto)) {
    if (Object.hasOwn(proto, 'handleOneRequest')) base = proto;
  }
  return base;
}

/** True when `Base` or one of its ancestors above the library's handler base `base` defines `name`. */
function overrides(Base: HandlerClass, base: object | null, name: 'logRequest' | 'logError' | 'logMessage'): boolean {
  for (let proto: object | null = Base.prototype; proto !== null && proto !== base; proto = Object.getPrototypeOf(proto)) {
    if (Object.hasOwn(proto, name)) return true;
  }
  return false;
}

/** The error record of an exception that escaped a handler (`server.handleError`). */
export function logHandlerError(log: Logger, handler: WrappedHandler | undefined, clientAddress: Address, error: unknown): void {
  if (handler === undefined) {
    log.error({ err: error, remoteAddress: clientAddress[0], remotePort: clientAddress[1] }, 'connection error');
    return;
  }
  const response = handler.takePendingError() ?? undefined;
  log.error({ err: error, requestId: handler.requestId(), ...traceFields(handler.traceContext), req: describeRequest(handler), response }, 'handler error');
}
