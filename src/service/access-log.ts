/**
 * The access record: one JSON line per request, in pino's line format and pino-http's
 * vocabulary, serialised straight into the {@link LogWriter}'s byte buffer (`json-bytes.ts`).
 *
 * ```json
 * {"level":30,"time":1732780000000,"pid":7,"hostname":"web-1",
 *  "req":{"method":"GET","url":"/","remoteAddress":"10.0.0.9","remotePort":51234},
 *  "res":{"statusCode":200},"route":"/","responseTime":0.084,"bytesSent":142,"bytesReceived":78,
 *  "httpVersion":"HTTP/1.1","userAgent":"curl/8.5.0","referer":null,"requestId":"k7m2q9xa-1",
 *  "trace_id":"4bf92f3577b34da6a3ce929d0e0e4736","span_id":"00f067aa0ba902b7","trace_flags":"01",
 *  "msg":"request completed"}
 * ```
 *
 * Why not `logger.info({ req, res, … }, 'request completed')`: pino walks the object and
 * stringifies each value (pino stays the service's logger for everything else, `logger.ts`).
 * Why bytes and not a string: a string built by concatenation is flattened, then encoded as
 * UTF-8 (and, before issue 16, joined with its batch and copied into a new Buffer per write);
 * the bytes are written once, into a buffer that is reused, with nothing left for the garbage
 * collector. The constant parts are byte fragments built once (the connection's address and
 * port once per connection), numbers are written as digits, strings escaped as they are copied.
 * Measured per record, from the handler's fields to write(2) into /dev/null (CPU time, 50 records
 * per event-loop turn; bench/micro/access-bytes.mjs, busy machine): pino.info()
 * into pino.destination 5.1–8.8 µs, into this LogWriter 3.4–4.3 µs; the string serialiser
 * before issue 16 1.58–1.73 µs; this one 1.05–1.25 µs. End to end: docs/performance.md.
 *
 * The line is the one pino would print, byte for byte (same keys, order, escapes, level number,
 * `time` in epoch ms; `responseTime` always with three decimals; a property test compares the
 * bytes with pino's), so log shippers see no difference. No request headers are logged here,
 * so there is nothing to redact: Authorization, Cookie and Set-Cookie values never reach the
 * access log.
 */
import type { TraceContext } from '../http/trace-context.js';
import { ascii, MAX_BYTES_PER_UNIT, putAscii, putBytes, putJsonString, putMillis, putNull, putNumber } from './json-bytes.js';
import type { LogWriter } from './log-writer.js';

/** What the access record reads from a handler after its response is complete. */
export interface AccessFields {
  readonly command: string | null;
  readonly path: string;
  readonly requestVersion: string;
  readonly clientAddress: readonly [string, number];
  readonly statusCode: number | null;
  readonly bytesSent: number;
  readonly bytesReceived: number;
  readonly headers: { get(name: string): string | undefined };
}

/** Room reserved for a record besides its strings: constants (~330 bytes) and numbers (≤ 20 each). */
const FIXED_BYTES = 640;

/** The handler slot {@link AccessLog} keeps a connection's {@link ConnectionRecord} in. */
export const CONNECTION_RECORD: unique symbol = Symbol('basehttp.accessLogConnection');

/** A handler that can keep its connection's {@link ConnectionRecord}. */
export interface ConnectionRecordSlot {
  [CONNECTION_RECORD]?: ConnectionRecord | undefined;
}

/**
 * Per connection: the bytes its records repeat. A keep-alive client tends to send the same
 * request again (a poller, a health check, a load generator), so each of the record's two long
 * runs of fields is kept once it came out the same twice in a row, and written in one copy while
 * it stays the same (runs up to {@link MAX_RUN_BYTES}): from the method to the `responseTime` key
 * (method, url, address, status, route), and from the `bytesSent` key to the request id (the byte
 * counts, version, user agent, referer, the generated ids' prefix). A run that differs from the
 * previous record's costs the comparison of its keys only. The keys are always the latest
 * request's strings (a string sliced from a request head keeps the whole head alive). Issue 16:
 * 12 copies and 3 escaped strings per record become 6 copies (docs/performance.md).
 */
export class ConnectionRecord {
  /** `,"remoteAddress":…,"remotePort":…},"res":{"statusCode":` (the address comes from the OS: never escaped). */
  readonly address: Uint8Array;
  // The head run's keys and, once seen twice in a row, its bytes.
  method: string | null = null;
  url: string | null = null;
  status: number | null = -1;
  route: string | null = null;
  head: Uint8Array | null = null;
  // The tail run's keys and bytes.
  sent = -1;
  received = -1;
  version: string | null = null;
  agent: string | undefined = undefined;
  referer: string | undefined = undefined;
  /** The generated ids' prefix the run ends with, or null: a client's id follows the run. */
  prefix: Uint8Array | null = null;
  tail: Uint8Array | null = null;

  constructor(address: readonly [string, number]) {
    this.address = Buffer.from(`,"remoteAddress":${JSON.stringify(address[0])},"remotePort":${address[1]}},"res":{"statusCode":`, 'utf8');
  }
}

const BYTES_SENT = ascii(',"bytesSent":');
const BYTES_RECEIVED = ascii(',"bytesReceived":');
const REFERER = ascii(',"referer":');
const REQUEST_ID = ascii(',"requestId":"');
const TRACE_ID = ascii('","trace_id":"');
const SPAN_ID = ascii('","span_id":"');
/**
 * Longest run of a record a connection keeps ({@link ConnectionRecord}): a url, user agent or
 * referer can each be nearly a whole header line (64 KiB by default), and an idle connection
 * should not keep copies of them; longer runs are written field by field every time.
 */
const MAX_RUN_BYTES = 512;
/** Most entries per fragment cache (methods, routes, versions, trace flags): past it, fragments are built per record. */
const MAX_FRAGMENTS = 1024;
/**
 * Longest value a fragment cache keeps: a method comes from the client, and one can be nearly a
 * whole request line (64 KiB by default); kept, 1024 of them would pin ~130 MB.
 */
const MAX_CACHED_LENGTH = 32;
/** How often the wall clock is read again for the records' `time` (ms of the monotonic clock). */
const CLOCK_ANCHOR_MS = 1000;

/**
 * The record's bytes around one value that repeats (a method, a route, a version, the trace flags): `before`, the
 * value as a JSON string, `after`, built once per distinct value and kept (up to
 * {@link MAX_FRAGMENTS}, each at most {@link MAX_CACHED_LENGTH} characters: longer ones are
 * built per record). Issue 16: three string copies with escaping and six fragment copies fewer
 * per record.
 */
class Fragments {
  readonly #before: string;
  readonly #after: string;
  readonly #byValue = new Map<string, Uint8Array>();
  /** The last value asked for and its bytes: most records repeat the one before. */
  #lastValue: string | null = null;
  #lastBytes: Uint8Array;

  constructor(before: string, after: string) {
    this.#before = before;
    this.#after = after;
    this.#lastBytes = this.#build(null);
  }

  get(value: string | null): Uint8Array {
    if (value === this.#lastValue) return this.#lastBytes;
    const key = value ?? '\0null';
    let bytes = this.#byValue.get(key);
    if (bytes === undefined) {
      bytes = this.#build(value);
      if (key.length > MAX_CACHED_LENGTH) return bytes;
      if (this.#byValue.size < MAX_FRAGMENTS) this.#byValue.set(key, bytes);
    }
    this.#lastValue = value;
    this.#lastBytes = bytes;
    return bytes;
  }

  #build(value: string | null): Uint8Array {
    return Buffer.from(`${this.#before}${JSON.stringify(value)}${this.#after}`, 'utf8');
  }
}

/**
 * Writes access records for one process, each serialised straight into the {@link LogWriter}'s
 * byte buffer when the response is complete (no string is built); the writer writes the
 * buffer once per event-loop turn.
 */
export class AccessLog {
  readonly #writer: LogWriter;
  /** `,"pid":…,"hostname":…,"req":{"method":"GET","url":` per method. */
  readonly #methods: Fragments;
  /** `},"route":"…","responseTime":` per route. */
  readonly #routes: Fragments;
  /** `,"httpVersion":"HTTP/1.1","userAgent":` per version (`null` for a request refused before its request line). */
  readonly #versions: Fragments;
  /** `","trace_flags":"01","msg":"request completed"}\n` (the span id's closing quote first) per `trace_flags`. */
  readonly #ends: Fragments;
  /** `,"requestId":"` and the generated ids' prefix, for the last prefix given (`#idPrefix()`). */
  #idPrefixFor: Uint8Array | null = null;
  #idStart: Uint8Array = REQUEST_ID;
  /** `{"level":30,"time":<ms>` for the millisecond `#startAt` (records of one millisecond share it). */
  #start: Uint8Array = new Uint8Array(0);
  #startAt = -1;
  /** Wall-clock ms at `performance.now()` 0: `performance.timeOrigin`, moved by a step of the system clock (`#anchor()`). */
  #clockOffset = performance.timeOrigin;
  /** When `#anchor()` last compared the two clocks (monotonic ms). */
  #anchoredAt = -Infinity;

  constructor(writer: LogWriter, pid: number, hostname: string) {
    this.#writer = writer;
    this.#methods = new Fragments(`,"pid":${pid},"hostname":${JSON.stringify(hostname)},"req":{"method":`, ',"url":');
    this.#routes = new Fragments('},"route":', ',"responseTime":');
    this.#versions = new Fragments(',"httpVersion":', ',"userAgent":');
    this.#ends = new Fragments('","trace_flags":', ',"msg":"request completed"}\n');
  }

  /**
   * Follows a step of the system clock (`Date.now()` against the monotonic clock, once a
   * second): the offset moves by the whole milliseconds they differ by. Two monotonic reads
   * bracket the wall-clock one; if the thread was held between them (over 0.1 ms), the
   * comparison is skipped until the next second rather than trusted.
   */
  #anchor(): void {
    const before = performance.now();
    const wall = Date.now();
    const after = performance.now();
    this.#anchoredAt = after;
    if (after - before > 0.1) return;
    const drift = wall - Math.floor(before + this.#clockOffset);
    if (drift > 1 || drift < -1) this.#clockOffset += drift;
  }

  /** `{"level":30,"time":<time>`, built once per millisecond. */
  #recordStart(time: number): Uint8Array {
    if (time !== this.#startAt) {
      this.#start = ascii(`{"level":30,"time":${time}`);
      this.#startAt = time;
    }
    return this.#start;
  }

  /** `,"requestId":"` followed by `prefix`, built once per prefix (one per process). */
  #idPrefix(prefix: Uint8Array): Uint8Array {
    if (prefix !== this.#idPrefixFor) {
      this.#idPrefixFor = prefix;
      this.#idStart = Buffer.concat([REQUEST_ID, prefix]);
    }
    return this.#idStart;
  }

  /**
   * Records a finished request that ended at `endedAt` (`performance.now()`; the record's `time`
   * is that instant on the wall clock: `performance.timeOrigin` plus it, as `Date.now()` would
   * have read it, compared with `Date.now()` once a second so that a step of the system clock
   * shows within a second).
   * A request refused before its request line was understood (`command` empty) has `method`,
   * `url`, `userAgent` and `referer` null: the handler's fields still describe the previous
   * request on the connection. `requestId` must be well formed (`request-id.ts`), or a generated
   * id's number, written after `idPrefix` (its generator's `prefixBytes`: no string is made for
   * it); `route` is the metrics' `route` label (a table pattern, `unmatched` or `unrouted`);
   * `trace` gives `trace_id`, `span_id`, `trace_flags` (hex, never escaped).
   */
  write(
    h: AccessFields & ConnectionRecordSlot,
    endedAt: number,
    responseTimeMs: number,
    requestId: string | number,
    idPrefix: Uint8Array,
    route: string,
    trace: TraceContext,
  ): void {
    const known = h.command !== null && h.command !== '';
    const method = known ? h.command : null;
    const url = known ? h.path : null;
    const agent = known ? h.headers.get('user-agent') : undefined;
    const referer = known ? h.headers.get('referer') : undefined;
    const version = h.requestVersion === '' ? null : h.requestVersion;
    const status = h.statusCode;
    const sent = h.bytesSent;
    const received = h.bytesReceived;
    const prefix = typeof requestId === 'string' ? null : idPrefix;
    const c = h[CONNECTION_RECORD] ?? (h[CONNECTION_RECORD] = new ConnectionRecord(h.clientAddress));
    if (endedAt - this.#anchoredAt >= CLOCK_ANCHOR_MS) this.#anchor();
    const methodBytes = this.#methods.get(method);
    const routeBytes = this.#routes.get(route);
    const versionBytes = this.#versions.get(version);
    const w = this.#writer;
    const strings = (url?.length ?? 0) + (agent?.length ?? 0) + (referer?.length ?? 0) + (typeof requestId === 'string' ? requestId.length : 0);
    w.reserve(FIXED_BYTES + methodBytes.length + routeBytes.length + versionBytes.length + c.address.length + idPrefix.length + MAX_BYTES_PER_UNIT * strings);
    const b = w.bytes;
    let p = putBytes(b, w.length, this.#recordStart(Math.floor(endedAt + this.#clockOffset)));
    const sameHead = method === c.method && url === c.url && status === c.status && route === c.route;
    if (sameHead && c.head !== null) {
      p = putBytes(b, p, c.head);
    } else {
      const from = p;
      p = putBytes(b, p, methodBytes);
      p = putJsonString(b, p, url);
      p = putBytes(b, p, c.address);
      p = status === null ? putNull(b, p) : putNumber(b, p, status);
      p = putBytes(b, p, routeBytes);
      c.head = sameHead ? keptRun(b, from, p) : null;
      c.status = status;
      c.route = route;
    }
    // This request's strings, even when equal to the last ones: a string sliced from a request
    // head keeps that whole head alive, and the handler holds this request's, not older ones.
    // (The other keys cannot: numbers, and constants or short copies.)
    c.method = method;
    c.url = url;
    p = putMillis(b, p, responseTimeMs);
    const sameTail = sent === c.sent && received === c.received && version === c.version && agent === c.agent && referer === c.referer && prefix === c.prefix;
    if (sameTail && c.tail !== null) {
      p = putBytes(b, p, c.tail);
    } else {
      const from = p;
      p = putBytes(b, p, BYTES_SENT);
      p = putNumber(b, p, sent);
      p = putBytes(b, p, BYTES_RECEIVED);
      p = putNumber(b, p, received);
      p = putBytes(b, p, versionBytes);
      p = putJsonString(b, p, agent);
      p = putBytes(b, p, REFERER);
      p = putJsonString(b, p, referer);
      p = putBytes(b, p, prefix === null ? REQUEST_ID : this.#idPrefix(prefix));
      c.tail = sameTail ? keptRun(b, from, p) : null;
      c.sent = sent;
      c.received = received;
      c.version = version;
      c.prefix = prefix;
    }
    c.agent = agent;
    c.referer = referer;
    // Not escaped, as they cannot need it: the id is well formed or generated, the trace
    // fields are lower-case hex (`trace-context.ts` checks what it takes from a request).
    p = typeof requestId === 'string' ? putAscii(b, p, requestId) : putNumber(b, p, requestId);
    p = putBytes(b, p, TRACE_ID);
    p = trace.putTraceId(b, p);
    p = putBytes(b, p, SPAN_ID);
    p = trace.putSpanId(b, p);
    w.length = putBytes(b, p, this.#ends.get(trace.traceFlags));
    w.committed();
  }
}

/**
 * A copy of `b[from, to)` (a run that came out the same twice) to keep, or null when it is longer
 * than {@link MAX_RUN_BYTES}. A copy, not `b.slice()`: on a `Buffer` that is a view of the
 * writer's buffer, which the next records overwrite.
 */
function keptRun(b: Uint8Array, from: number, to: number): Uint8Array | null {
  return to - from <= MAX_RUN_BYTES ? new Uint8Array(b.subarray(from, to)) : null;
}
