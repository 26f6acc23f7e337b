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

/** Per connection: the record's bytes from after the url to the status code, built once. */
export const ADDRESS_FRAGMENT: unique symbol = Symbol('basehttp.accessLogAddress');

/** The handler slot {@link AccessLog} caches a connection's address fragment in. */
export interface AccessFragmentSlot {
  [ADDRESS_FRAGMENT]?: Uint8Array | undefined;
}

const LEVEL_TIME = ascii('{"level":30,"time":');
const URL = ascii(',"url":');
const ROUTE = ascii('},"route":');
const RESPONSE_TIME = ascii(',"responseTime":');
const BYTES_SENT = ascii(',"bytesSent":');
const BYTES_RECEIVED = ascii(',"bytesReceived":');
const HTTP_VERSION = ascii(',"httpVersion":');
const USER_AGENT = ascii(',"userAgent":');
const REFERER = ascii(',"referer":');
const REQUEST_ID = ascii(',"requestId":"');
const TRACE_ID = ascii('","trace_id":"');
const SPAN_ID = ascii('","span_id":"');
const TRACE_FLAGS = ascii('","trace_flags":"');
const END = ascii('","msg":"request completed"}\n');

/**
 * Writes access records for one process, each serialised straight into the {@link LogWriter}'s
 * byte buffer when the response is complete (no string is built); the writer writes the
 * buffer once per event-loop turn.
 */
export class AccessLog {
  readonly #writer: LogWriter;
  /** `,"pid":…,"hostname":…,"req":{"method":` — constant per process, built once. */
  readonly #afterTime: Uint8Array;

  constructor(writer: LogWriter, pid: number, hostname: string) {
    this.#writer = writer;
    this.#afterTime = Buffer.from(`,"pid":${pid},"hostname":${JSON.stringify(hostname)},"req":{"method":`, 'utf8');
  }

  /**
   * Records a finished request. A request refused before its request line was understood
   * (`command` empty) has `method`, `url`, `userAgent` and `referer` null: the handler's fields
   * still describe the previous request on the connection. `requestId` must be well formed
   * (`request-id.ts`); `route` is the metrics' `route` label (a table pattern, `unmatched` or
   * `unrouted`); `trace` gives `trace_id`, `span_id`, `trace_flags` (hex, never escaped).
   */
  write(h: AccessFields & AccessFragmentSlot, responseTimeMs: number, requestId: string, route: string, trace: TraceContext): void {
    const known = h.command !== null && h.command !== '';
    const method = known ? h.command : null;
    const url = known ? h.path : null;
    const agent = known ? h.headers.get('user-agent') : undefined;
    const referer = known ? h.headers.get('referer') : undefined;
    const version = h.requestVersion;
    const status = h.statusCode;
    const address = h[ADDRESS_FRAGMENT] ?? (h[ADDRESS_FRAGMENT] = addressFragment(h.clientAddress));
    const w = this.#writer;
    const strings = (method?.length ?? 0) + (url?.length ?? 0) + (agent?.length ?? 0) + (referer?.length ?? 0) + version.length + route.length + requestId.length;
    w.reserve(FIXED_BYTES + this.#afterTime.length + address.length + MAX_BYTES_PER_UNIT * strings);
    const b = w.bytes;
    let p = putBytes(b, w.length, LEVEL_TIME);
    p = putNumber(b, p, Date.now());
    p = putBytes(b, p, this.#afterTime);
    p = putJsonString(b, p, method);
    p = putBytes(b, p, URL);
    p = putJsonString(b, p, url);
    p = putBytes(b, p, address);
    p = status === null ? putNull(b, p) : putNumber(b, p, status);
    p = putBytes(b, p, ROUTE);
    p = putJsonString(b, p, route);
    p = putBytes(b, p, RESPONSE_TIME);
    p = putMillis(b, p, responseTimeMs);
    p = putBytes(b, p, BYTES_SENT);
    p = putNumber(b, p, h.bytesSent);
    p = putBytes(b, p, BYTES_RECEIVED);
    p = putNumber(b, p, h.bytesReceived);
    p = putBytes(b, p, HTTP_VERSION);
    p = putJsonString(b, p, version === '' ? null : version);
    p = putBytes(b, p, USER_AGENT);
    p = putJsonString(b, p, agent);
    p = putBytes(b, p, REFERER);
    p = putJsonString(b, p, referer);
    // Not escaped, as they cannot need it: the id is well formed or generated, the trace
    // fields are lower-case hex (`trace-context.ts` checks what it takes from a request).
    p = putBytes(b, p, REQUEST_ID);
    p = putAscii(b, p, requestId);
    p = putBytes(b, p, TRACE_ID);
    p = putAscii(b, p, trace.traceId);
    p = putBytes(b, p, SPAN_ID);
    p = putAscii(b, p, trace.spanId);
    p = putBytes(b, p, TRACE_FLAGS);
    p = putAscii(b, p, trace.traceFlags);
    w.length = putBytes(b, p, END);
    w.committed();
  }
}

/** `,"remoteAddress":"…","remotePort":…},"res":{"statusCode":` (the address comes from the OS: never escaped). */
function addressFragment(address: readonly [string, number]): Uint8Array {
  return Buffer.from(`,"remoteAddress":${JSON.stringify(address[0])},"remotePort":${address[1]}},"res":{"statusCode":`, 'utf8');
}
