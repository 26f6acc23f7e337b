import { format } from 'node:util';
import type { RejectReason } from '../socketserver/error-catalogue.js';
import { StreamRequestHandler } from '../socketserver/stream-request-handler.js';
import { BODY_LENGTH, BODY_NONE, tooLarge } from './body-reader.js';
import '../socketserver/buffer-slice.js';
import { currentHttpDate, httpDate, logDate, monthname, weekdayname } from './date.js';
import { DEFAULT_ERROR_CONTENT_TYPE, DEFAULT_ERROR_MESSAGE, renderErrorPage } from './error-page.js';
import { FAULTS, parseHeaderLines } from './header-parser.js';
import { HTTPMessage } from './message.js';
import { defaultReason, END_OF_HEAD, headerLine, headerLinePiece, joinVersion, serverDateLines, serverDatePiece, statusLine, statusLinePiece } from './header-cache.js';
import { frameBody, parseRequestLine, refuseFault } from './parse-request.js';
import { EMPTY, RequestLoop } from './request-loop.js';
import { checkReason, checkStatus } from './response-checks.js';
import { responses } from './responses.js';
import type { TraceContext } from './trace-context.js';
import { BaseHTTPError } from '../socketserver/errors.js';
import { escapeControl } from './text.js';
import { VERSION } from './version.js';

/** The key of {@link BaseHTTPRequestHandler}'s library-internal `[APPEND_CHECKED_HEADERS](lines)` (registered: the same in every copy of the library). */
export const APPEND_CHECKED_HEADERS: unique symbol = Symbol.for('basehttp.appendCheckedHeaders');

/**
 * The defaults, built once: a template literal in the field made two new strings per connection,
 * which also missed `versionString()`'s identity check (0.7 % of a Connection: close profile).
 */
const SERVER_VERSION = `BaseHTTP/${VERSION}`;
const SYS_VERSION = `Node.js/${process.version}`;

/**
 * HTTP request handler base class (Python's `BaseHTTPServer.BaseHTTPRequestHandler`).
 *
 * A request `SPAM` is dispatched to `do_SPAM()` (case-sensitive); a missing method answers
 * `501 Unsupported method ('SPAM')`. One handler serves a connection and loops over its requests
 * while it is kept alive (HTTP/1.1 with `protocolVersion = 'HTTP/1.1'`, or `Connection: keep-alive`).
 *
 * - For `do_X` methods: `command`, `path`, `requestVersion`, `requestline`, `headers`, `rfile`,
 *   `wfile`, `clientAddress`, `server`, `closeConnection`, `traceContext` (null unless the
 *   service, or a subclass, provides it); `readBody()`; `sendResponse()`,
 *   `sendHeader()`, `endHeaders()`, `sendError()`, `flushHeaders()`, `sendResponseOnly()`.
 *   `do_X` may return a Promise; the next request is read after it settles.
 * - May be overridden: `do_X`, `logMessage`, `logError`, `logRequest`, `handleExpect100`,
 *   `versionString`, `dateTimeString`, `logDateTimeString`, `addressString`, `sendError`,
 *   `parseRequest` (call `super` first).
 * - May be extended, do not override: `handle`, `handleOneRequest`, `setup`, `finish`.
 * - Static, may be extended: `prepare()`, called once by `HTTPServer` before it binds.
 * - Class fields that may be overridden: `protocolVersion` ('HTTP/1.0'), `serverVersion`
 *   ('BaseHTTP/<version>'), `sysVersion` ('Node.js/<version>'), `errorMessageFormat` and
 *   `errorContentType` (CPython 3.13's), `defaultRequestVersion` ('HTTP/0.9'), `MessageClass`
 *   (`HTTPMessage`), `responses`, `disableNagleAlgorithm` (true: `TCP_NODELAY`, unlike CPython),
 *   and `StreamRequestHandler`'s `timeout`.
 *
 * Beyond CPython: request bodies are framed (`readBody()`, and an unread body is discarded
 * before the next request); ambiguous framing is refused with 400 and a close; HTTP/1.1 needs
 * exactly one valid Host; `logRequest(code, size)` runs once per request after the response,
 * with the bytes sent (the seed's "XXX To do").
 */
export class BaseHTTPRequestHandler extends StreamRequestHandler {
  /**
   * `TCP_NODELAY` on every connection (Python's `False` kept by `StreamRequestHandler`). A
   * response written in two pieces (headers, then a body after an await) otherwise waits for the
   * client's delayed ACK: 44 ms per request on Linux loopback against 0.1 ms with it
   * (test/http/nagle.test.ts). node:http and fastify set it too; docs/python-mapping.md lists it.
   */
  override disableNagleAlgorithm = true;
  // CPython 3.13's class attributes, in its order (it declares the last five among its methods).
  sysVersion = SYS_VERSION;
  serverVersion = SERVER_VERSION;
  errorMessageFormat = DEFAULT_ERROR_MESSAGE;
  errorContentType = DEFAULT_ERROR_CONTENT_TYPE;
  defaultRequestVersion = 'HTTP/0.9';
  readonly weekdayname = weekdayname;
  readonly monthname = monthname;
  protocolVersion = 'HTTP/1.0';
  MessageClass: new () => HTTPMessage = HTTPMessage;
  responses = responses;

  /** The request's method, as sent (`null` until a request line was parsed). */
  command: string | null = null;
  /** The request target, as sent (a leading `//` collapsed to `/`). */
  path = '';
  /** `HTTP/1.1`, `HTTP/1.0`, or `defaultRequestVersion` for HTTP/0.9. */
  requestVersion = '';
  /** The request line without its line ending. */
  requestline = '';
  /** The request line as received, line ending included (made on first use). */
  get rawRequestline(): Buffer {
    return this.#conn.rawLine();
  }
  set rawRequestline(line: Buffer) {
    this.#conn.rawRequestline = line;
  }
  /** The request's headers (empty for HTTP/0.9). */
  headers: HTTPMessage = new HTTPMessage();
  /** True when the connection closes after this request. */
  closeConnection = true;
  /** The status code last sent with `sendResponse()`/`sendResponseOnly()`, or null. */
  statusCode: number | null = null;
  /** Bytes written for this request so far (status line, headers, body). */
  bytesSent = 0;
  /** Bytes of this request read so far (head and body). */
  bytesReceived = 0;
  /**
   * `performance.now()` when the request's head was found complete: read once each time the
   * connection wakes up (bytes arrived, a `do_X` settled), so requests pipelined in one read
   * share it (issue 16: one clock read per request was ~3 % of a pipelined profile), and a later
   * one's duration includes the earlier ones' time in that read.
   */
  requestStart = 0;
  /**
   * The connection's requests so far, this one included (1 for the first): a number that changes
   * with every request, refused and timed-out ones and a lone blank line too. Key per-request
   * state on it (as `RouteHandler`'s `route` and the service's request id are), not on
   * `requestStart`.
   */
  requestNumber = 0;
  /** Why the server refused the request before dispatch (`bad_request`, `timeout`…), else null. */
  rejectReason: RejectReason | null = null;
  /**
   * The request's W3C trace context (`trace-context.ts`): null here; the service's handler
   * overrides this getter with the request's context (its `traceparent`'s trace, or a fresh
   * one, and a span id of its own). May be overridden.
   */
  get traceContext(): TraceContext | null {
    return null;
  }

  /**
   * The connection's state, one object: its request loop, scanned head and timeout phase
   * (`request-loop.ts`), and, as the loop's base class, the response head being built and the
   * Connection bookkeeping (`response-head.ts`).
   */
  readonly #conn = new RequestLoop(this);

  /**
   * Parses `rawRequestline` and the headers after it into `command`, `path`, `requestVersion`,
   * `headers`. Returns true on success; on failure an error was sent. (CPython 3.13's rules,
   * plus RFC 9112's where they are stricter.) May be extended: call `super.parseRequest()` first.
   */
  parseRequest(): boolean | Promise<boolean> {
    const conn = this.#conn;
    if (!parseRequestLine(this, conn)) return false;
    if (conn.lines[0] === 1) return true; // HTTP/0.9: no headers (RFC 1945 §4.1)
    const [major, minor] = conn.version;
    const http11 = major === 1 && minor >= 1;
    const info = conn.info;
    const fault = parseHeaderLines(conn.headBuf, conn.headText, conn.headStart, conn.lines, this.headers, info, http11);
    if (fault !== null) return refuseFault(this, fault);
    // RFC 9112 §3.2: "exactly one Host" for HTTP/1.1; never more than one.
    if (info.hosts > 1 || (http11 && info.hosts === 0)) {
      return refuseFault(this, info.hosts > 1 ? FAULTS.hostDuplicate : FAULTS.hostMissing);
    }
    if (!frameBody(this, conn)) return false;
    const conntype = info.connection;
    if (conntype !== undefined) conn.requestConnection(this, conntype);
    const expect = info.expect;
    if (expect !== undefined && expect.toLowerCase() === '100-continue' && conn.protocolKeepAlive(this.protocolVersion) && http11) {
      return this.handleExpect100();
    }
    return true;
  }

  /**
   * Decides on `Expect: 100-continue`. Default: sends `100 Continue` and goes on. May be
   * overridden (send an error and return false to refuse the body). May return a Promise.
   */
  handleExpect100(): boolean | Promise<boolean> {
    this.sendResponseOnly(100);
    this.endHeaders();
    return true;
  }

  /**
   * Reads, parses and answers one request. Returns nothing when it finished synchronously (the
   * request's bytes were already here and `do_X` did not return a Promise), else a Promise.
   * May be extended, do not override.
   */
  handleOneRequest(): void | Promise<void> {
    return this.#conn.oneRequest();
  }

  /** Serves requests until the connection is to close. May be extended, do not override. */
  override handle(): void | Promise<void> {
    this.closeConnection = true;
    // CPython's loop of handleOneRequest() calls, in request-loop.ts: it calls an overridden
    // handleOneRequest() for each request, else its own step, which waits without a promise.
    return this.#conn.run(this.handleOneRequest !== BaseHTTPRequestHandler.prototype.handleOneRequest);
  }

  /**
   * Sends and logs an error reply: status line with `message`, `Connection: close`, and the
   * HTML-escaped `errorMessageFormat` page (none for HEAD, 1xx, 204, 205, 304), as CPython 3.13.
   */
  sendError(code: number, message?: string, explain?: string): void {
    const entry = this.responses[code];
    const shortmsg = entry === undefined ? '???' : entry[0];
    const longmsg = entry === undefined ? '???' : entry[1];
    const msg = message ?? shortmsg;
    const expl = explain ?? longmsg;
    this.logError('code %d, message %s', code, msg);
    this.sendResponse(code, msg);
    this.sendHeader('Connection', 'close');
    let body: Buffer | null = null;
    if (code >= 200 && code !== 204 && code !== 205 && code !== 304) {
      body = Buffer.from(renderErrorPage(this.errorMessageFormat, code, msg, expl), 'utf8');
      this.sendHeader('Content-Type', this.errorContentType);
      this.sendHeader('Content-Length', body.length);
    }
    this.endHeaders();
    if (this.command !== 'HEAD' && body !== null && body.length > 0) this.wfile.write(body);
  }

  /** Sends the status line and the `Server` and `Date` headers. */
  sendResponse(code: number, message?: string): void {
    this.sendResponseOnly(code, message);
    const server = this.versionString();
    const date = this.dateTimeString();
    if (this.sendHeader === BaseHTTPRequestHandler.prototype.sendHeader && this.requestVersion !== 'HTTP/0.9') {
      // What the two sendHeader() calls below would append, built once per (Server, Date) pair,
      // i.e. once a second: two header lines of string building per response were ~5 % of the
      // JavaScript in a pipelined profile. Only when sendHeader is not overridden, so an
      // override still sees every header.
      this.#conn.appendHead(serverDateLines(server, date), serverDatePiece());
      return;
    }
    this.sendHeader('Server', server);
    this.sendHeader('Date', date);
  }

  /** Sends the status line only (buffered until `endHeaders()`). Nothing for HTTP/0.9. */
  sendResponseOnly(code: number, message?: string): void {
    checkStatus(code);
    if (message !== undefined) checkReason(message);
    if (this.requestVersion !== 'HTTP/0.9') {
      // The library's own table through `defaultReason`: a plain array, not its dictionary elements.
      const table = this.responses;
      const reason = message ?? (table === responses ? defaultReason(code) : (table[code]?.[0] ?? ''));
      this.#conn.appendHead(statusLine(this.protocolVersion, code, reason), statusLinePiece());
    }
    this.statusCode = code;
  }

  /** Sends a header (buffered until `endHeaders()`); `Connection` updates `closeConnection`. */
  sendHeader(keyword: string, value: string | number): void {
    const line = headerLine(keyword, value);
    if (this.requestVersion !== 'HTTP/0.9') this.#conn.appendHead(line, headerLinePiece());
    if (keyword.length === 10 && keyword.toLowerCase() === 'connection') this.#conn.responseConnection(this, String(value));
  }

  /**
   * Ends the header block and hands it to `wfile`. A final response on a connection that would
   * persist by default but is about to close (the request said `Connection: close`, or the server
   * drains) gets `Connection: close` unless the handler sent a Connection header (RFC 9112 §9.6;
   * CPython leaves it out, and clients such as wrk then count the close as an error).
   */
  endHeaders(): void {
    if (this.requestVersion === 'HTTP/0.9') return;
    const conn = this.#conn;
    if (conn.needsClose(this, conn.limits)) this.sendHeader('Connection', 'close');
    conn.appendHead('\r\n', END_OF_HEAD);
    this.flushHeaders();
    if (this.statusCode !== null && this.statusCode < 200) conn.responseMark = this.wfile.written;
  }

  /**
   * Library-internal (the service's `X-Request-Id`): appends header lines whose names and values
   * the caller has already checked, as `sendHeader()` would buffer them but without its checks.
   * Nothing for HTTP/0.9; never a `Connection` field (its bookkeeping is `sendHeader()`'s).
   * Issue 16: a value new on every request through `sendHeader()` cost ~0.35 µs of server CPU
   * per pipelined request end to end (docs/performance.md).
   */
  [APPEND_CHECKED_HEADERS](lines: string): void {
    if (this.requestVersion !== 'HTTP/0.9') this.#conn.appendHead(lines, null);
  }

  /** Hands the buffered status line and headers to `wfile`. */
  flushHeaders(): void {
    this.#conn.writeHead(this.wfile);
  }

  /**
   * Logs an answered request: called once per request after its response is complete, with the
   * status code and the bytes sent. May be overridden.
   */
  logRequest(code: number | string = '-', size: number | string = '-'): void {
    this.logMessage('"%s" %s %s', this.requestline, String(code), String(size));
  }

  /** Logs an error (a request that could not be fulfilled). Default: `logMessage()`. May be overridden. */
  logError(fmt: string, ...args: unknown[]): void {
    this.logMessage(fmt, ...args);
  }

  /**
   * Logs a message (printf-like, as `util.format`): `address - - [date] message` on stderr, control
   * characters escaped as CPython 3.13 does. May be overridden.
   */
  logMessage(fmt: string, ...args: unknown[]): void {
    const message = format(fmt, ...args);
    process.stderr.write(`${this.addressString()} - - [${this.logDateTimeString()}] ${escapeControl(message)}\n`);
  }

  /** `serverVersion sysVersion`, the `Server` header. May be overridden. */
  versionString(): string {
    return joinVersion(this.serverVersion, this.sysVersion);
  }

  /** An IMF-fixdate for `timestamp` (seconds since the epoch; default now). May be overridden. */
  dateTimeString(timestamp?: number): string {
    return timestamp === undefined ? currentHttpDate() : httpDate(Math.floor(timestamp) * 1000);
  }

  /** The current local time for log lines: `28/Nov/2026 09:36:13`. May be overridden. */
  logDateTimeString(): string {
    return logDate(Date.now());
  }

  /** The client's address for logs (no DNS lookup, as CPython 3). May be overridden. */
  addressString(): string {
    return this.clientAddress[0];
  }

  // Beyond CPython's class: the server's hooks, bodies, timeouts.

  /**
   * Checks the class's own configuration once, before a server serves it: `HTTPServer` calls it
   * when it binds, and a throw rejects `ready` (the service exits 78 for its `HANDLER_MODULE`).
   * Default: nothing. May be extended (`RouteHandler` compiles its route table here).
   */
  static prepare(): void {}

  /** Prepares the connection. May be extended, do not override (call `super.setup()`). */
  override setup(): void {
    super.setup();
    this.#conn.setup();
    // The library's request line prints the address after every response: read it now, while
    // the peer is surely there (a reset before the first read leaves none to read), since it is
    // read for every request anyway. A class with a logRequest of its own reads it when it asks.
    if (this.logRequest === defaultLogRequest) void this.clientAddress;
  }

  /** Ends the connection. May be extended, do not override. */
  override finish(): void {
    if (this.#conn.clientDone()) this.rfile.peerDone = true;
    super.finish();
    this.#conn.limits.untrack?.(this.#conn);
    // A head left open (the connection ended while its handler waited, or failed after a flush)
    // must not keep this connection alive through the shared pieces (response-head.ts).
    this.#conn.clearHead();
  }

  /**
   * The request's body, decoded from its framing (Content-Length or chunked). Rejects with
   * `ERR_BODY_TOO_LARGE` (status 413; the server answers 413 and closes) when it is over
   * `maxBytes` (default: the server's `maxBodyBytes`); nothing beyond the limit is buffered.
   */
  async readBody(maxBytes: number = this.#conn.limits.maxBodyBytes): Promise<Buffer> {
    const conn = this.#conn;
    const body = conn.body;
    if (body.mode === BODY_NONE) return EMPTY;
    if (body.mode === BODY_LENGTH && body.decoded + body.remaining > maxBytes) throw tooLargeClosing(this, maxBytes);
    const parts: Buffer[] = [];
    const rfile = this.rfile;
    const limits = conn.chunkLimits(maxBytes);
    for (;;) {
      rfile.check();
      let done: boolean;
      try {
        done = body.pump(parts, limits);
      } catch (e) {
        this.closeConnection = true;
        throw e;
      }
      if (body.decoded > maxBytes) throw tooLargeClosing(this, maxBytes);
      if (done) break;
      if (rfile.ended) {
        this.closeConnection = true;
        throw new BaseHTTPError('ERR_INCOMPLETE_BODY', 'the connection ended inside the request body', 400);
      }
      await rfile.wait();
    }
    return parts.length === 1 ? parts[0]! : Buffer.concat(parts);
  }

  /** Applies the server's timeouts (called by the server's sweep). */
  sweep(now: number): boolean {
    return this.#conn.sweep(now);
  }

  /** Shutdown began: an idle connection closes now; a busy one after its response. */
  drain(): boolean {
    return this.#conn.drain();
  }
}

/** The library's own `logRequest` (CPython's stderr line, which names the client): see `setup()`. */
const defaultLogRequest = BaseHTTPRequestHandler.prototype.logRequest;

/** `readBody()`'s 413: the connection closes after the answer (a function: a private method adds a slot to every handler). */
function tooLargeClosing(h: BaseHTTPRequestHandler, maxBytes: number): BaseHTTPError {
  h.closeConnection = true;
  return tooLarge(maxBytes);
}
