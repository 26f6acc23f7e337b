// The module's `performance`, not the global's: `globalThis.performance` is an accessor, and
// each read of it calls a getter. `performance.now()` through the global 39.5–43.2 ns, through
// this import 32.1–35.3 ns (bench/micro/performance-now.mjs, 3 runs, node 20).
import { performance } from 'node:perf_hooks';
import { BaseHTTPError } from '../socketserver/errors.js';
import { READABLE, type ReadWaiter } from '../socketserver/socket-reader.js';
import { BODY_NONE, BodyReader, type ChunkLimits } from './body-reader.js';
import { dispatch } from './dispatch.js';
import { HeadInfo } from './header-parser.js';
import { LINES_FULL, NEED_MORE, scanHead } from './head-scanner.js';
import { DEFAULT_HANDLER_LIMITS, type HandlerLimits, limitsOf } from './limits.js';
import { headTooLarge } from './parse-request.js';
import type { BaseHTTPRequestHandler } from './request-handler.js';
import { ResponseHead } from './response-head.js';
import type { SweptConnection } from './http-server.js';
import type { LiveLinks } from '../socketserver/live-list.js';

export const EMPTY = Buffer.alloc(0);

/**
 * What a request step returns when it has to wait for more bytes. The built-in request loop then
 * registers a callback with `rfile` (no promise); `handleOneRequest()` turns it into a Promise
 * for callers and overrides.
 */
const WAITING: unique symbol = Symbol('waiting');
type Step = void | Promise<void> | typeof WAITING;

/** Connection phases, for the server's timeout sweep. */
const IDLE = 0;
const HEAD = 1;
const BUSY = 2;

/**
 * The clock read of the current wake-up (a connection's `run()`, `drive()` or `oneRequest()`
 * entered), or -1: the first request begun in it reads the clock, the requests pipelined after
 * it share the reading (`requestStart`). One variable for all connections: each wake-up resets
 * it, and one connection's wake-up never runs inside another's.
 */
let wokeAt = -1;

const ERR_HEADERS_TIMEOUT = new BaseHTTPError('ERR_HEADERS_TIMEOUT', 'request head not received in time', 408);
const ERR_IDLE_TIMEOUT = new BaseHTTPError('ERR_IDLE_TIMEOUT', 'keep-alive connection idle too long');
const ERR_REQUEST_TIMEOUT = new BaseHTTPError('ERR_REQUEST_TIMEOUT', 'request not received in time', 408);
const ERR_SHUTDOWN = new BaseHTTPError('ERR_SHUTDOWN', 'server shutting down');

/**
 * A connection's request loop, as CPython's `handle()` / `handle_one_request()` and node's
 * `_http_server.js` connection listeners: reads each request's head from `rfile` (scanned in
 * place, decoded once), discards a body the handler left unread, calls `parseRequest()`, has
 * `dispatch.ts` call `do_X`, and after each response counts its bytes and logs it; keeps the
 * phase and the time the server's timeout sweep reads.
 *
 * One per connection, owned by its `BaseHTTPRequestHandler` (`h`), whose public methods
 * (`handle`, `handleOneRequest`, `parseRequest`, `sweep`, `drain`, `readBody`) call in here.
 * Its fields are the scanned head that `parseRequest()` and `parse-request.ts` read. Not
 * exported from the package. Its methods are TypeScript-`private`, not `#`: a class with `#`
 * methods gives each instance a brand slot (8 bytes of every connection, docs/performance.md).
 */
export class RequestLoop extends ResponseHead implements ReadWaiter, SweptConnection {
  limits: HandlerLimits = DEFAULT_HANDLER_LIMITS;
  /** The server's list of live connections runs through these (`live-list.ts`). */
  livePrev: LiveLinks | null = null;
  liveNext: LiveLinks | null = null;
  listed = false;
  /** Line ends of the current head (`scanHead`); `lines[0]` is their count. */
  lines = new Int32Array(0);
  /** What the header parser captured (Content-Length, Host, Connection, Expect…). */
  readonly info = new HeadInfo();
  body!: BodyReader;
  /** The buffer holding the current head, and the head's offset in it. */
  headBuf: Buffer = EMPTY;
  headStart = 0;
  /** The current head decoded once as latin-1 (CPython decodes heads as iso-8859-1). */
  headText = '';
  /** `rawRequestline`, made on first use (`rawLine()`) or set by the handler. */
  rawRequestline: Buffer | null = null;
  #phase = IDLE;
  #since = 0;
  #readMark = 0;
  /** The last method and its `do_X` name (`dispatch.ts`). */
  lastCommand = '';
  lastMethodName = '';
  /** A subclass overrides `handleOneRequest()`: the loop calls it for each request. */
  #custom = false;
  /** `handle()`'s promise, settled by the callback-driven loop (`drive()`). */
  #resolveHandle: (() => void) | null = null;
  #rejectHandle: ((e: unknown) => void) | null = null;
  /**
   * Callbacks made on first use only (a handler that never awaits needs none): each closure
   * was ~60 bytes, plus a shared context, of every idle connection's heap (docs/performance.md).
   */
  #retry: (() => void | Promise<void>) | null = null;
  #afterPromise: (() => void) | null = null;
  #failedPromise: ((e: unknown) => void) | null = null;

  constructor(readonly h: BaseHTTPRequestHandler) {
    super();
  }

  /** The handler's `setup()`: the server's limits, the line table, the body reader, the timeout registration. */
  setup(): void {
    const h = this.h;
    const limits = (this.limits = limitsOf(h.server));
    // Room for 13 header lines at first (V8 keeps a typed array this small on the heap, beside
    // its object); a longer head grows it once to the limit. A full-size array for every
    // connection was ~400 bytes of each idle connection's memory (idle10k in bench/RESULTS.md).
    this.lines = new Int32Array(Math.min(16, limits.maxHeaders + 3));
    this.body = new BodyReader(h.rfile);
    this.#since = performance.now();
    limits.track?.(this);
  }

  /** The request line as received, line ending included (the handler's `rawRequestline`). */
  rawLine(): Buffer {
    if (this.rawRequestline === null) {
      this.rawRequestline = this.headBuf.length === 0 ? EMPTY : this.headBuf.subarray(this.headStart, this.lines[1]! + 1);
    }
    return this.rawRequestline;
  }

  /** The head now parsed: `text` is `buf[start..]` decoded, up to the end of the head (or of its request line). */
  setHead(buf: Buffer, start: number, text: string): void {
    this.rawRequestline = null;
    this.headBuf = buf;
    this.headStart = start;
    this.headText = text;
  }

  /**
   * The handler's `handle()`: one request after another until `closeConnection`, each read by
   * the built-in step or, when `custom` (a subclass overrides `handleOneRequest()`), by calling
   * `handleOneRequest()`. A request whose bytes are here is answered synchronously. The built-in
   * step's wait for bytes is a callback on `rfile` (`drive()`), not a promise: `rfile.wait().then(...)`
   * per request was ~3.5 % of a keep-alive profile (runMicrotasks, processTicksAndRejections,
   * the promise's step), measured in docs/performance.md. One promise per connection remains,
   * made when a request first has to wait; an overridden `handleOneRequest()` returns its own
   * Promise, which the loop waits on the same way as a `do_X`'s.
   */
  run(custom: boolean): void | Promise<void> {
    this.#custom = custom;
    wokeAt = -1;
    const h = this.h;
    for (;;) {
      const r = custom ? h.handleOneRequest() : this.step();
      if (r === WAITING) return this.handlePromise(null);
      if (r !== undefined) return this.handlePromise(r);
      if (h.closeConnection) return;
    }
  }

  private handlePromise(first: Promise<void> | null): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.#resolveHandle = resolve;
      this.#rejectHandle = reject;
      if (first === null) this.h.rfile.waitThen(this);
      else this.waitOn(first);
    });
  }

  /** `rfile` has more bytes (or ended, or a timeout cut the wait): the request loop goes on. */
  [READABLE](): void {
    this.drive(true);
  }

  /** Goes on when `r` settles. (Not named `then`: that would make the loop a thenable, which `await` and `resolve()` unwrap.) */
  private waitOn(r: Promise<void>): void {
    r.then((this.#afterPromise ??= () => this.drive(false)), (this.#failedPromise ??= (e: unknown) => this.#rejectHandle!(e)));
  }

  /** Runs the request loop from a callback: `woken` after a wait for bytes, else after a Promise. */
  private drive(woken: boolean): void {
    const h = this.h;
    wokeAt = -1;
    try {
      for (;;) {
        if (!woken && h.closeConnection) {
          this.#resolveHandle!();
          return;
        }
        woken = false;
        const r = this.#custom ? h.handleOneRequest() : this.step();
        if (r === WAITING) {
          h.rfile.waitThen(this);
          return;
        }
        if (r !== undefined) {
          this.waitOn(r);
          return;
        }
      }
    } catch (e) {
      this.#rejectHandle!(e);
    }
  }

  /** The built-in `handleOneRequest()`: one request, a Promise when it has to wait. */
  oneRequest(): void | Promise<void> {
    wokeAt = -1;
    const r = this.step();
    return r === WAITING ? this.h.rfile.wait().then((this.#retry ??= () => this.oneRequest())) : r;
  }

  /** One request if its head is here: answered (void), answering (a Promise), or `WAITING`. */
  private step(): Step {
    const h = this.h;
    const rfile = h.rfile;
    const limits = this.limits;
    if (rfile.timeoutError !== null) return this.timedOut(rfile.timeoutError);
    // A body the handler left unread is discarded first: never parsed as a request.
    const body = this.body;
    if (body.mode !== BODY_NONE && !body.done) {
      if (body.doubt || body.remaining > limits.maxBodyBytes || body.decoded > limits.maxBodyBytes) {
        h.closeConnection = true;
        return;
      }
      try {
        if (!body.pump(null, this.chunkLimits(limits.maxBodyBytes))) {
          if (rfile.ended) {
            h.closeConnection = true;
            return;
          }
          this.enter(BUSY);
          return WAITING;
        }
      } catch {
        h.closeConnection = true;
        return;
      }
    }
    const buf = rfile.buffer;
    const start = rfile.start;
    let lines = this.lines;
    let end = start < buf.length ? scanHead(buf, start, limits, lines) : NEED_MORE;
    if (end === LINES_FULL) {
      lines = this.lines = new Int32Array(limits.maxHeaders + 3);
      end = scanHead(buf, start, limits, lines);
    }
    if (end === NEED_MORE) {
      if (rfile.ended) {
        // EOF before a whole head. Nothing was received: close silently, as CPython. Part of a
        // head: an incomplete message is not processed (RFC 9112 §8); CPython parses the
        // fragment (docs/python-mapping.md).
        h.closeConnection = true;
        return;
      }
      this.enter(start < buf.length ? HEAD : IDLE);
      return WAITING;
    }
    this.beginRequest();
    if (end < 0) {
      headTooLarge(h, this, end, buf, start);
      return this.endRequest();
    }
    this.setHead(buf, start, buf.latin1Slice(start, end));
    rfile.consume(end - start);
    const ok = h.parseRequest();
    if (ok === true) return dispatch(this);
    if (ok === false) return this.endRequest();
    return ok.then((yes) => (yes ? dispatch(this) : this.endRequest()));
  }

  private enter(phase: number): void {
    if (this.#phase !== phase) {
      this.#phase = phase;
      this.#since = performance.now();
    }
  }

  private beginRequest(): void {
    const h = this.h;
    this.#phase = BUSY;
    // One clock read per wake-up (`wokeAt`), shared by the requests pipelined in it.
    h.requestStart = wokeAt >= 0 ? wokeAt : (wokeAt = performance.now());
    h.requestNumber++;
    h.statusCode = null;
    h.rejectReason = null;
    this.beginResponse(h.wfile.written);
    this.#readMark = h.rfile.consumed;
    this.body.begin(BODY_NONE, 0);
  }

  /** Bounds for a chunked body (its trailers are limited as header lines are). */
  chunkLimits(maxBody: number): ChunkLimits {
    return { maxLine: this.limits.maxHeaderLineBytes, maxTrailers: this.limits.maxHeaders, maxBody };
  }

  /** After each request: framing check, drain rule, then the access log line with the byte count. */
  endRequest(): void {
    const h = this.h;
    const body = this.body;
    if (body.mode !== BODY_NONE && body.doubt) h.closeConnection = true;
    if (this.limits.isShuttingDown) h.closeConnection = true;
    h.bytesSent = h.wfile.written - this.writtenMark;
    h.bytesReceived = h.rfile.consumed - this.#readMark;
    this.#phase = IDLE;
    // The idle clock starts at the sweep that first sees this connection idle (`sweep()`), so a
    // request costs one clock read, not two (`now` was 2.5 % of a pipelined profile for two).
    this.#since = -1;
    // A request that got no answer at all (a lone blank line) is not logged, as in CPython.
    if (h.statusCode !== null || h.bytesSent > 0) h.logRequest(h.statusCode ?? '-', h.bytesSent);
  }

  /** A timeout cut a wait short (see `sweep()` and the handler's `timeout`). */
  private timedOut(e: BaseHTTPError): void {
    const h = this.h;
    h.closeConnection = true;
    if (e === ERR_HEADERS_TIMEOUT && h.rfile.available > 0) {
      this.beginRequest();
      h.requestline = '';
      h.requestVersion = '';
      h.command = '';
      h.rejectReason = 'timeout';
      h.sendError(408);
      this.endRequest();
    } else if (e.code === 'ERR_SOCKET_TIMEOUT') {
      // Waiting for a request line (CPython's readline timing out) is not the previous request:
      // a new `requestNumber` (and `requestStart`), so that what is keyed on it (a
      // RouteHandler's route, the service's request id and trace) is not that request's.
      if (this.#phase !== BUSY) {
        h.requestStart = performance.now();
        h.requestNumber++;
      }
      h.logError('Request timed out: %s', e.message);
    }
  }

  /** The handler's `sweep()`: applies the server's timeouts. */
  sweep(now: number): boolean {
    const rfile = this.h.rfile;
    if (!rfile.waiting) return false;
    const l = this.limits;
    let error: BaseHTTPError;
    if (this.#phase === IDLE) {
      if (this.#since < 0) {
        this.#since = now;
        return false;
      }
      if (now - this.#since < l.keepAliveTimeoutMs) return false;
      error = ERR_IDLE_TIMEOUT;
    } else if (this.#phase === HEAD) {
      if (now - this.#since < l.headersTimeoutMs) return false;
      error = ERR_HEADERS_TIMEOUT;
    } else {
      if (now - this.h.requestStart < l.requestTimeoutMs) return false;
      error = ERR_REQUEST_TIMEOUT;
    }
    rfile.interrupt(error);
    return true;
  }

  /**
   * At the end of the connection: has the client finished sending? True when its last request
   * said the connection ends with it (`Connection: close`; HTTP/1.0 without `keep-alive`;
   * HTTP/0.9), was accepted, and was read whole with nothing after it. RFC 9112 §9.6: a client
   * that sends `close` sends no further requests, so the server closes without lingering for
   * its FIN (`SocketReader.peerDone`). Anything else keeps the lingering close: a refused
   * request (its body's framing unknown), a body left unread or in doubt, bytes after the
   * request, a server-side close of a connection the client would keep, a custom
   * `handleOneRequest()` (whose reads the loop does not see).
   */
  clientDone(): boolean {
    const h = this.h;
    if (this.#custom || h.rejectReason !== null || !h.command || h.rfile.available !== 0) return false;
    const body = this.body;
    if (body.mode !== BODY_NONE && (!body.done || body.doubt)) return false;
    return this.clientEnds(this.info.connection);
  }

  /** The handler's `drain()`: an idle connection closes now; a busy one after its response. */
  drain(): boolean {
    const rfile = this.h.rfile;
    if (this.#phase !== IDLE || !rfile.waiting) return false;
    rfile.interrupt(ERR_SHUTDOWN);
    return true;
  }
}
