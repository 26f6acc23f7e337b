import { format } from 'node:util';
import { BaseHTTPError } from '../socketserver/errors.js';
import { READABLE, type ReadWaiter } from '../socketserver/socket-reader.js';
import { StreamRequestHandler } from '../socketserver/stream-request-handler.js';
import { BODY_CHUNKED, BODY_LENGTH, BODY_NONE, BodyReader, precheckChunked, tooLarge } from './body-reader.js';
import '../socketserver/buffer-slice.js';
import { currentHttpDate, httpDate, logDate, monthname, weekdayname } from './date.js';
import { DEFAULT_ERROR_CONTENT_TYPE, DEFAULT_ERROR_MESSAGE, renderErrorPage } from './error-page.js';
import { HeadInfo, parseHeaderLines, TCHAR } from './header-parser.js';
import { HEADER_TOO_LONG, LINE_TOO_LONG, LINES_FULL, NEED_MORE, scanHead, TOO_MANY_HEADERS } from './head-scanner.js';
import { hasToken, isTokenString, parseVersion, splitWords, V10, V11, validTarget } from './request-line.js';
import type { HTTPServer, SweptConnection } from './http-server.js';
import { HTTPMessage } from './message.js';
import { checkNameCached, checkValueCached, joinVersion, serverDateLines, statusLine } from './header-cache.js';
import { checkReason, checkStatus } from './response-checks.js';
import { responses } from './responses.js';
import type { TraceContext } from './trace-context.js';
import { escapeControl, pyRepr } from './text.js';
import { VERSION } from './version.js';

const EMPTY = Buffer.alloc(0);

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

/** The server limits a handler needs; an `HTTPServer` has them all, other servers get these. */
interface Limits {
  headersTimeoutMs: number;
  keepAliveTimeoutMs: number;
  requestTimeoutMs: number;
  maxBodyBytes: number;
  maxRequestLineBytes: number;
  maxHeaderLineBytes: number;
  maxHeaders: number;
  isShuttingDown: boolean;
  track?(c: SweptConnection): void;
  untrack?(c: SweptConnection): void;
}
const DEFAULT_LIMITS: Limits = {
  headersTimeoutMs: 30_000,
  keepAliveTimeoutMs: 5_000,
  requestTimeoutMs: 300_000,
  maxBodyBytes: 1_048_576,
  maxRequestLineBytes: 65_536,
  maxHeaderLineBytes: 65_536,
  maxHeaders: 100,
  isShuttingDown: false,
};

/** `'do_' + command`, interned once per method name (bounded: methods are client input). */
const methodNames = new Map<string, string>();
function methodName(command: string): string {
  let name = methodNames.get(command);
  if (name === undefined) {
    name = `do_${command}`;
    if (methodNames.size < 256) methodNames.set(command, name);
  }
  return name;
}

/**
 * The defaults, built once: a template literal in the field made two new strings per connection,
 * which also missed `versionString()`'s identity check (0.7 % of a Connection: close profile).
 */
const SERVER_VERSION = `BaseHTTP/${VERSION}`;
const SYS_VERSION = `Node.js/${process.version}`;

const ERR_HEADERS_TIMEOUT = new BaseHTTPError('ERR_HEADERS_TIMEOUT', 'request head not received in time', 408);
const ERR_IDLE_TIMEOUT = new BaseHTTPError('ERR_IDLE_TIMEOUT', 'keep-alive connection idle too long');
const ERR_REQUEST_TIMEOUT = new BaseHTTPError('ERR_REQUEST_TIMEOUT', 'request not received in time', 408);
const ERR_SHUTDOWN = new BaseHTTPError('ERR_SHUTDOWN', 'server shutting down');

type DoMethod = (this: BaseHTTPRequestHandler) => void | Promise<void>;

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
export class BaseHTTPRequestHandler extends StreamRequestHandler implements SweptConnection, ReadWaiter {
  /**
   * `TCP_NODELAY` on every connection (Python's `False` kept by `StreamRequestHandler`). A
   * response written in two pieces (headers, then a body after an await) otherwise waits for the
   * client's delayed ACK: 44 ms per request on Linux loopback against 0.1 ms with it
   * (test/nagle.test.ts). node:http and fastify set it too; docs/python-mapping.md lists it.
   */
  override disableNagleAlgorithm = true;
  protocolVersion = 'HTTP/1.0';
  serverVersion = SERVER_VERSION;
  sysVersion = SYS_VERSION;
  errorMessageFormat = DEFAULT_ERROR_MESSAGE;
  errorContentType = DEFAULT_ERROR_CONTENT_TYPE;
  defaultRequestVersion = 'HTTP/0.9';
  MessageClass: new () => HTTPMessage = HTTPMessage;
  responses = responses;
  readonly weekdayname = weekdayname;
  readonly monthname = monthname;

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
    if (this.#rawRequestline === null) {
      this.#rawRequestline = this.#headBuf.length === 0 ? EMPTY : this.#headBuf.subarray(this.#headStart, this.#lines[1]! + 1);
    }
    return this.#rawRequestline;
  }
  set rawRequestline(line: Buffer) {
    this.#rawRequestline = line;
  }
  #rawRequestline: Buffer | null = null;
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
  /** `performance.now()` when the request's head was complete. */
  requestStart = 0;
  /** Why the server refused the request before dispatch (`bad_request`, `timeout`…), else null. */
  rejectReason: string | null = null;
  /**
   * The request's W3C trace context (`trace-context.ts`): null here; the service's handler
   * overrides this getter with the request's context (its `traceparent`'s trace, or a fresh
   * one, and a span id of its own). May be overridden.
   */
  get traceContext(): TraceContext | null {
    return null;
  }

  #limits: Limits = DEFAULT_LIMITS;
  #lines = new Int32Array(0);
  readonly #info = new HeadInfo();
  #body!: BodyReader;
  #headBuf: Buffer = EMPTY;
  /** Offset of the current head in `#headBuf`. */
  #headStart = 0;
  /** The current head decoded once as latin-1 (CPython decodes heads as iso-8859-1). */
  #headText = '';
  #headersBuffer = '';
  #sentConnectionHeader = false;
  #phase = IDLE;
  #since = 0;
  #writtenMark = 0;
  /** Where the final response starts: after any interim (1xx) response, which stays sent. */
  #responseMark = 0;
  #readMark = 0;
  #pvText = '';
  #pvKeepAlive = false;
  /** `handle()`'s promise, settled by the callback-driven loop (`#drive`). */
  #resolveHandle: (() => void) | null = null;
  #rejectHandle: ((e: unknown) => void) | null = null;
  /**
   * Callbacks made on first use only (a handler that never awaits needs none): each closure
   * was ~60 bytes, plus a shared context, of every idle connection's heap (docs/performance.md).
   */
  #retry: (() => void | Promise<void>) | null = null;
  #afterPromise: (() => void) | null = null;
  #failedPromise: ((e: unknown) => void) | null = null;

  /**
   * Checks the class's own configuration once, before a server serves it: `HTTPServer` calls it
   * when it binds, and a throw rejects `ready` (the service exits 78 for its `HANDLER_MODULE`).
   * Default: nothing. May be extended (`RouteHandler` compiles its route table here).
   */
  static prepare(): void {}

  /** Prepares the connection. May be extended, do not override (call `super.setup()`). */
  override setup(): void {
    super.setup();
    const server = this.server as unknown as Partial<HTTPServer>;
    this.#limits = typeof server.maxHeaders === 'number' ? (server as unknown as Limits) : DEFAULT_LIMITS;
    // Room for 13 header lines at first (V8 keeps a typed array this small on the heap, beside
    // its object); a longer head grows it once to the limit. A full-size array for every
    // connection was ~400 bytes of each idle connection's memory (idle10k in bench/RESULTS.md).
    this.#lines = new Int32Array(Math.min(16, this.#limits.maxHeaders + 3));
    this.#body = new BodyReader(this.rfile);
    this.#since = performance.now();
    this.#limits.track?.(this);
  }

  /** Ends the connection. May be extended, do not override. */
  override finish(): void {
    super.finish();
    this.#limits.untrack?.(this);
  }

  /** Serves requests until the connection is to close. May be extended, do not override. */
  override handle(): void | Promise<void> {
    this.closeConnection = true;
    if (this.handleOneRequest !== BaseHTTPRequestHandler.prototype.handleOneRequest) return this.#handleViaOverride();
    // The built-in loop. A request whose bytes are here is answered synchronously; a wait for
    // bytes is a callback on `rfile` (`#drive`), not a promise: `rfile.wait().then(...)` per
    // request was ~3.5 % of a keep-alive profile (runMicrotasks, processTicksAndRejections, the
    // promise's step), measured in docs/performance.md. One promise per connection remains.
    for (;;) {
      const r = this.#step();
      if (r === WAITING) return this.#handlePromise(null);
      if (r !== undefined) return this.#handlePromise(r);
      if (this.closeConnection) return;
    }
  }

  #handlePromise(first: Promise<void> | null): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.#resolveHandle = resolve;
      this.#rejectHandle = reject;
      if (first === null) this.rfile.waitThen(this);
      else this.#then(first);
    });
  }

  /** `rfile` has more bytes (or ended, or a timeout cut the wait): the request loop goes on. */
  [READABLE](): void {
    this.#drive(true);
  }

  #then(r: Promise<void>): void {
    r.then((this.#afterPromise ??= () => this.#drive(false)), (this.#failedPromise ??= (e: unknown) => this.#rejectHandle!(e)));
  }

  /** Runs the request loop from a callback: `woken` after a wait for bytes, else after a Promise. */
  #drive(woken: boolean): void {
    try {
      for (;;) {
        if (!woken && this.closeConnection) {
          this.#resolveHandle!();
          return;
        }
        woken = false;
        const r = this.#step();
        if (r === WAITING) {
          this.rfile.waitThen(this);
          return;
        }
        if (r !== undefined) {
          this.#then(r);
          return;
        }
      }
    } catch (e) {
      this.#rejectHandle!(e);
    }
  }

  /** `handle()` for a subclass that overrides `handleOneRequest()`: it gets called for each request. */
  #handleViaOverride(): void | Promise<void> {
    for (;;) {
      const r = this.handleOneRequest();
      if (r !== undefined) return this.#continue(r);
      if (this.closeConnection) return;
    }
  }

  /** The rest of `#handleViaOverride()` once a request had to wait: one promise per connection. */
  #continue(first: Promise<void>): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const step = (): void => {
        try {
          for (;;) {
            if (this.closeConnection) return resolve();
            const r = this.handleOneRequest();
            if (r !== undefined) {
              r.then(step, reject);
              return;
            }
          }
        } catch (e) {
          reject(e);
        }
      };
      first.then(step, reject);
    });
  }

  /**
   * Reads, parses and answers one request. Returns nothing when it finished synchronously (the
   * request's bytes were already here and `do_X` did not return a Promise), else a Promise.
   * May be extended, do not override.
   */
  handleOneRequest(): void | Promise<void> {
    return this.#oneRequest();
  }

  #oneRequest(): void | Promise<void> {
    const r = this.#step();
    return r === WAITING ? this.rfile.wait().then((this.#retry ??= () => this.#oneRequest())) : r;
  }

  /** One request if its head is here: answered (void), answering (a Promise), or `WAITING`. */
  #step(): Step {
    const rfile = this.rfile;
    const limits = this.#limits;
    if (rfile.timeoutError !== null) return this.#timedOut(rfile.timeoutError);
    // A body the handler left unread is discarded first: never parsed as a request.
    const body = this.#body;
    if (body.mode !== BODY_NONE && !body.done) {
      if (body.doubt || body.remaining > limits.maxBodyBytes || body.decoded > limits.maxBodyBytes) {
        this.closeConnection = true;
        return;
      }
      try {
        if (!body.pump(null, this.#chunkLimits(limits.maxBodyBytes))) {
          if (rfile.ended) {
            this.closeConnection = true;
            return;
          }
          this.#enter(BUSY);
          return WAITING;
        }
      } catch {
        this.closeConnection = true;
        return;
      }
    }
    const buf = rfile.buffer;
    const start = rfile.start;
    let lines = this.#lines;
    let end = start < buf.length ? scanHead(buf, start, limits, lines) : NEED_MORE;
    if (end === LINES_FULL) {
      lines = this.#lines = new Int32Array(limits.maxHeaders + 3);
      end = scanHead(buf, start, limits, lines);
    }
    if (end === NEED_MORE) {
      if (rfile.ended) {
        // EOF before a whole head. Nothing was received: close silently, as CPython. Part of a
        // head: an incomplete message is not processed (RFC 9112 §8); CPython parses the
        // fragment (docs/python-mapping.md).
        this.closeConnection = true;
        return;
      }
      this.#enter(start < buf.length ? HEAD : IDLE);
      return WAITING;
    }
    this.#beginRequest();
    if (end < 0) return this.#headTooLarge(end, buf, start);
    this.#rawRequestline = null;
    this.#headBuf = buf;
    this.#headStart = start;
    this.#headText = buf.latin1Slice(start, end);
    rfile.consume(end - start);
    const ok = this.parseRequest();
    if (ok === true) return this.#dispatch();
    if (ok === false) return this.#endRequest();
    return ok.then((yes) => (yes ? this.#dispatch() : this.#endRequest()));
  }

  #enter(phase: number): void {
    if (this.#phase !== phase) {
      this.#phase = phase;
      this.#since = performance.now();
    }
  }

  #beginRequest(): void {
    this.#phase = BUSY;
    this.requestStart = performance.now();
    this.statusCode = null;
    this.rejectReason = null;
    this.#headersBuffer = '';
    this.#sentConnectionHeader = false;
    this.#writtenMark = this.wfile.written;
    this.#responseMark = this.#writtenMark;
    this.#readMark = this.rfile.consumed;
    this.#body.begin(BODY_NONE, 0);
  }

  /** 414 or 431 while the head was still arriving (CPython: `readline(65537)` overflowing). */
  #headTooLarge(code: number, buf: Buffer, start: number): void {
    this.closeConnection = true;
    if (code === LINE_TOO_LONG) {
      this.requestline = '';
      this.requestVersion = '';
      this.command = '';
      this.rejectReason = 'uri_too_long';
      this.sendError(414);
    } else {
      // CPython parsed the request line before the headers overflowed: its errors come first.
      this.#rawRequestline = null;
      this.#headBuf = buf;
      this.#headStart = start;
      this.#headText = buf.latin1Slice(start, this.#lines[1]! + 1);
      this.#lines[0] = 1;
      if (this.#parseRequestLine()) {
        this.rejectReason = 'headers_too_large';
        if (code === HEADER_TOO_LONG) {
          this.sendError(431, 'Line too long', `got more than ${this.#limits.maxHeaderLineBytes} bytes when reading header line`);
        } else if (code === TOO_MANY_HEADERS) {
          this.sendError(431, 'Too many headers', `got more than ${this.#limits.maxHeaders} headers`);
        }
      }
    }
    this.#endRequest();
  }

  /**
   * Parses `rawRequestline` and the headers after it into `command`, `path`, `requestVersion`,
   * `headers`. Returns true on success; on failure an error was sent. (CPython 3.13's rules,
   * plus RFC 9112's where they are stricter.) May be extended: call `super.parseRequest()` first.
   */
  parseRequest(): boolean | Promise<boolean> {
    if (!this.#parseRequestLine()) return false;
    if (this.#lines[0] === 1) return true; // HTTP/0.9: no headers (RFC 1945 §4.1)
    const [major, minor] = this.#version;
    const http11 = major === 1 && minor >= 1;
    const fault = parseHeaderLines(this.#headBuf, this.#headText, this.#headStart, this.#lines, this.headers, this.#info, http11);
    if (fault !== null) return this.#refuse(fault.status, fault.message, fault.reason);
    const info = this.#info;
    // RFC 9112 §3.2: "exactly one Host" for HTTP/1.1; never more than one.
    if (info.hosts > 1 || (http11 && info.hosts === 0)) {
      return this.#refuse(400, info.hosts > 1 ? 'Duplicate Host header' : 'Missing Host header', 'bad_host');
    }
    // The body's framing is settled before the handler runs: a declared length over the limit,
    // or chunking already seen to be malformed, is refused without dispatching.
    const limits = this.#limits;
    if (info.contentLength > limits.maxBodyBytes) {
      return this.#refuse(413, 'Content Too Large', 'body_too_large');
    }
    if (info.chunked) {
      this.#body.begin(BODY_CHUNKED, 0);
      try {
        precheckChunked(this.rfile.buffer, this.rfile.start, this.#chunkLimits(limits.maxBodyBytes));
      } catch (e) {
        const err = e as BaseHTTPError;
        return this.#refuse(err.status ?? 400, err.status === 413 ? 'Content Too Large' : 'Bad chunked encoding', err.status === 413 ? 'body_too_large' : 'bad_framing');
      }
    } else if (info.contentLength > 0) {
      this.#body.begin(BODY_LENGTH, info.contentLength);
    }
    const conntype = info.connection;
    if (conntype !== undefined) {
      const c = conntype.toLowerCase();
      if (c === 'close' || hasToken(c, 'close')) this.closeConnection = true;
      else if ((c === 'keep-alive' || hasToken(c, 'keep-alive')) && this.#protocolKeepAlive()) this.closeConnection = false;
    }
    const expect = info.expect;
    if (expect !== undefined && expect.toLowerCase() === '100-continue' && this.#protocolKeepAlive() && http11) {
      return this.handleExpect100();
    }
    return true;
  }

  #version: [number, number] = [0, 9];
  #lastCommand = '';
  #lastMethodName = '';

  /** The request line (CPython 3.13's `parse_request` up to the headers). */
  #parseRequestLine(): boolean {
    this.command = null;
    let version = this.defaultRequestVersion;
    this.requestVersion = version;
    this.closeConnection = true;
    this.headers = new this.MessageClass();
    const buf = this.#headBuf;
    const lineStart = this.#headStart;
    let lineEnd = this.#lines[1]!;
    if (lineEnd > lineStart && buf[lineEnd - 1] === 0x0d) lineEnd--;
    const text = this.#headText;
    const requestline = text.slice(0, lineEnd - lineStart);
    this.requestline = requestline;
    if (this.#fastRequestLine(buf, lineStart, lineEnd, text)) return true;
    const words = splitWords(buf, lineStart, lineEnd, text);
    if (words.length === 0) return false;
    if (words.length >= 3) {
      version = words[words.length - 1]!;
      const v = parseVersion(version);
      // CPython answers these before it sets request_version, so its page has no status line
      // (the HTTP/0.9 form). A three-word line is not HTTP/0.9: answer with a status line.
      if (v === null) {
        this.requestVersion = '';
        return this.#refuse(400, `Bad request version (${pyRepr(version)})`, 'bad_version');
      }
      this.#version = v;
      if ((v[0] > 1 || (v[0] === 1 && v[1] >= 1)) && this.#protocolKeepAlive()) this.closeConnection = false;
      if (v[0] >= 2) {
        this.requestVersion = '';
        return this.#refuse(505, `Invalid HTTP version (${version.slice(5)})`, 'version_not_supported');
      }
      this.requestVersion = version;
    } else {
      this.#version = [0, 9];
    }
    // RFC 9112 §2.2: a bare CR is not whitespace here (CPython splits on it, and strips trailing
    // ones). Checked once the version is known, so the 400 carries a status line.
    // A loop, not buf.indexOf(13): a native call per request for a line of a few dozen bytes.
    let cr = false;
    for (let i = lineStart; i < lineEnd; i++) {
      if (buf[i] === 0x0d) {
        cr = true;
        break;
      }
    }
    if (words.length < 2 || words.length > 3 || cr) {
      return this.#refuse(400, `Bad request syntax (${pyRepr(requestline)})`, 'bad_request');
    }
    const command = words[0]!;
    let path = words[1]!;
    if (words.length === 2) {
      this.closeConnection = true;
      if (command !== 'GET') return this.#refuse(400, `Bad HTTP/0.9 request type (${pyRepr(command)})`, 'bad_request');
    }
    // RFC 9110 §9.1 and RFC 9112 §3.2: the method is a token; the target one of the four forms.
    if (!isTokenString(command) || !validTarget(command, path)) {
      return this.#refuse(400, `Bad request syntax (${pyRepr(requestline)})`, 'bad_request');
    }
    this.command = command;
    // gh-87389: a leading '//' would be an open redirect once clients read it as a network path.
    if (path.startsWith('//')) path = `/${path.replace(/^\/+/, '')}`;
    this.path = path;
    return true;
  }

  /**
   * The common request line in one pass: `token SP target SP HTTP/1.1` (or `HTTP/1.0`), single
   * spaces, an origin-form target of visible ASCII. Sets what the general path would, and
   * returns false (changing nothing) for any other line, which the general path then parses:
   * splitting into words, the version rule, the token and target checks and the CR check were
   * ~10 % of a pipelined profile, for lines that almost always take this form.
   */
  #fastRequestLine(buf: Buffer, start: number, end: number, text: string): boolean {
    let i = start;
    while (i < end && TCHAR[buf[i]!] === 1) i++;
    if (i === start || buf[i] !== 0x20) return false;
    const sp1 = i;
    i++;
    if (buf[i] !== 0x2f) return false; // origin-form only; the others take the general path
    while (i < end && buf[i]! > 0x20 && buf[i]! < 0x7f) i++;
    if (buf[i] !== 0x20 || end - i !== 9) return false;
    const v = i + 1;
    if (buf[v] !== 0x48 || buf[v + 1] !== 0x54 || buf[v + 2] !== 0x54 || buf[v + 3] !== 0x50 || buf[v + 4] !== 0x2f || buf[v + 5] !== 0x31 || buf[v + 6] !== 0x2e)
      return false;
    const minor = buf[v + 7];
    if (minor !== 0x31 && minor !== 0x30) return false;
    if (minor === 0x31) {
      this.#version = V11;
      this.requestVersion = 'HTTP/1.1';
      if (this.#protocolKeepAlive()) this.closeConnection = false;
    } else {
      this.#version = V10;
      this.requestVersion = 'HTTP/1.0';
    }
    this.command = text.slice(0, sp1 - start);
    let path = text.slice(sp1 + 1 - start, i - start);
    // gh-87389, as in the general path.
    if (buf[sp1 + 2] === 0x2f) path = `/${path.replace(/^\/+/, '')}`;
    this.path = path;
    return true;
  }

  #chunkLimits(maxBody: number): { maxLine: number; maxTrailers: number; maxBody: number } {
    return { maxLine: this.#limits.maxHeaderLineBytes, maxTrailers: this.#limits.maxHeaders, maxBody };
  }

  #refuse(code: number, message: string, reason: string): false {
    this.rejectReason = reason;
    this.closeConnection = true;
    this.sendError(code, message);
    return false;
  }

  /** HTTP/1.1 request answered as HTTP/1.1: persistent unless told otherwise (RFC 9112 §9.3). */
  #persistentByDefault(): boolean {
    const v = this.#version;
    return (v[0] > 1 || (v[0] === 1 && v[1] >= 1)) && this.#protocolKeepAlive();
  }

  #protocolKeepAlive(): boolean {
    const pv = this.protocolVersion;
    if (pv !== this.#pvText) {
      this.#pvText = pv;
      const v = parseVersion(pv);
      this.#pvKeepAlive = v !== null && (v[0] > 1 || (v[0] === 1 && v[1] >= 1));
    }
    return this.#pvKeepAlive;
  }

  #dispatch(): void | Promise<void> {
    const command = this.command!;
    // The last method's name is kept: a client sends the same method again and again, and a
    // string comparison is cheaper than the map lookup (1.3 % of a pipelined profile).
    let name = this.#lastMethodName;
    if (command !== this.#lastCommand) {
      name = this.#lastMethodName = methodName(command);
      this.#lastCommand = command;
    }
    const fn = (this as unknown as Record<string, unknown>)[name];
    if (typeof fn !== 'function') {
      this.rejectReason = 'unsupported_method';
      this.sendError(501, `Unsupported method (${pyRepr(command)})`);
      return this.#endRequest();
    }
    let r: void | Promise<void>;
    try {
      r = (fn as DoMethod).call(this);
    } catch (e) {
      this.#failed(e);
      return this.#endRequest();
    }
    if (r === undefined || typeof (r as { then?: unknown }).then !== 'function') return this.#endRequest();
    // The handler awaits something: what it wrote so far goes out now, later writes soon.
    const wfile = this.wfile;
    wfile.autoFlush = true;
    wfile.flush();
    return r.then(
      () => {
        wfile.autoFlush = false;
        this.#endRequest();
      },
      (e: unknown) => {
        wfile.autoFlush = false;
        this.#failed(e);
        this.#endRequest();
      },
    );
  }

  /** An exception escaped `do_X`: 500 if nothing was sent yet, else close; always reported. */
  #failed(e: unknown): void {
    this.closeConnection = true;
    const known = BaseHTTPError.is(e) ? e : null;
    if (known !== null && known.code === 'ERR_SOCKET_TIMEOUT') {
      this.logError('Request timed out: %s', known.message);
      return;
    }
    const status = known?.status ?? 500;
    if (this.wfile.discardSince(this.#responseMark)) {
      this.#headersBuffer = '';
      this.statusCode = null;
      if (status !== 500) this.rejectReason = known!.code === 'ERR_BODY_TOO_LARGE' ? 'body_too_large' : known!.status === 408 ? 'timeout' : 'bad_request';
      this.sendError(status);
    }
    if (status === 500) this.server.handleError(this.request, this.clientAddress, e);
  }

  /** After each request: framing check, drain rule, then the access log line with the byte count. */
  #endRequest(): void {
    const body = this.#body;
    if (body.mode !== BODY_NONE && body.doubt) this.closeConnection = true;
    if (this.#limits.isShuttingDown) this.closeConnection = true;
    this.bytesSent = this.wfile.written - this.#writtenMark;
    this.bytesReceived = this.rfile.consumed - this.#readMark;
    this.#phase = IDLE;
    // The idle clock starts at the sweep that first sees this connection idle (`sweep()`), so a
    // request costs one clock read, not two (`now` was 2.5 % of a pipelined profile for two).
    this.#since = -1;
    // A request that got no answer at all (a lone blank line) is not logged, as in CPython.
    if (this.statusCode !== null || this.bytesSent > 0) this.logRequest(this.statusCode ?? '-', this.bytesSent);
  }

  /** A timeout cut a wait short (see `sweep()` and the handler's `timeout`). */
  #timedOut(e: BaseHTTPError): void {
    this.closeConnection = true;
    if (e === ERR_HEADERS_TIMEOUT && this.rfile.available > 0) {
      this.#beginRequest();
      this.requestline = '';
      this.requestVersion = '';
      this.command = '';
      this.rejectReason = 'timeout';
      this.sendError(408);
      this.#endRequest();
    } else if (e.code === 'ERR_SOCKET_TIMEOUT') {
      this.logError('Request timed out: %s', e.message);
    }
  }

  /** Applies the server's timeouts (called by the server's sweep). */
  sweep(now: number): boolean {
    const rfile = this.rfile;
    if (!rfile.waiting) return false;
    const l = this.#limits;
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
      if (now - this.requestStart < l.requestTimeoutMs) return false;
      error = ERR_REQUEST_TIMEOUT;
    }
    rfile.interrupt(error);
    return true;
  }

  /** Shutdown began: an idle connection closes now; a busy one after its response. */
  drain(): boolean {
    if (this.#phase !== IDLE || !this.rfile.waiting) return false;
    this.rfile.interrupt(ERR_SHUTDOWN);
    return true;
  }

  /**
   * The request's body, decoded from its framing (Content-Length or chunked). Rejects with
   * `ERR_BODY_TOO_LARGE` (status 413; the server answers 413 and closes) when it is over
   * `maxBytes` (default: the server's `maxBodyBytes`); nothing beyond the limit is buffered.
   */
  async readBody(maxBytes: number = this.#limits.maxBodyBytes): Promise<Buffer> {
    const body = this.#body;
    if (body.mode === BODY_NONE) return EMPTY;
    if (body.mode === BODY_LENGTH && body.decoded + body.remaining > maxBytes) throw this.#tooLarge(maxBytes);
    const parts: Buffer[] = [];
    const rfile = this.rfile;
    const limits = this.#chunkLimits(maxBytes);
    for (;;) {
      rfile.check();
      let done: boolean;
      try {
        done = body.pump(parts, limits);
      } catch (e) {
        this.closeConnection = true;
        throw e;
      }
      if (body.decoded > maxBytes) throw this.#tooLarge(maxBytes);
      if (done) break;
      if (rfile.ended) {
        this.closeConnection = true;
        throw new BaseHTTPError('ERR_INCOMPLETE_BODY', 'the connection ended inside the request body', 400);
      }
      await rfile.wait();
    }
    return parts.length === 1 ? parts[0]! : Buffer.concat(parts);
  }

  #tooLarge(maxBytes: number): BaseHTTPError {
    this.closeConnection = true;
    return tooLarge(maxBytes);
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
      this.#headersBuffer += serverDateLines(server, date);
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
      this.#headersBuffer += statusLine(this.protocolVersion, code, message ?? this.responses[code]?.[0] ?? '');
    }
    this.statusCode = code;
  }

  /** Sends a header (buffered until `endHeaders()`); `Connection` updates `closeConnection`. */
  sendHeader(keyword: string, value: string | number): void {
    checkNameCached(keyword);
    let v: string;
    if (typeof value === 'number') {
      v = String(value); // digits, sign, '.', 'e', 'Infinity', 'NaN': always safe
    } else {
      v = value;
      checkValueCached(keyword, v);
    }
    if (this.requestVersion !== 'HTTP/0.9') this.#headersBuffer += `${keyword}: ${v}\r\n`;
    if (keyword.length === 10 && keyword.toLowerCase() === 'connection') {
      this.#sentConnectionHeader = true;
      const lower = v.toLowerCase();
      if (lower === 'close') this.closeConnection = true;
      else if (lower === 'keep-alive') this.closeConnection = false;
    }
  }

  /**
   * Ends the header block and hands it to `wfile`. A final response on a connection that would
   * persist by default but is about to close (the request said `Connection: close`, or the server
   * drains) gets `Connection: close` unless the handler sent a Connection header (RFC 9112 §9.6;
   * CPython leaves it out, and clients such as wrk then count the close as an error).
   */
  endHeaders(): void {
    if (this.requestVersion === 'HTTP/0.9') return;
    if (!this.#sentConnectionHeader && (this.statusCode ?? 200) >= 200) {
      if (this.#limits.isShuttingDown) this.closeConnection = true;
      if (this.closeConnection && this.#persistentByDefault()) this.sendHeader('Connection', 'close');
    }
    this.#headersBuffer += '\r\n';
    this.flushHeaders();
    if (this.statusCode !== null && this.statusCode < 200) this.#responseMark = this.wfile.written;
  }

  /** Hands the buffered status line and headers to `wfile`. */
  flushHeaders(): void {
    if (this.#headersBuffer.length > 0) {
      this.wfile.writeLatin1(this.#headersBuffer);
      this.#headersBuffer = '';
    }
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
}
