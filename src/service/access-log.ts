/**
 * The access record: one JSON line per request, in pino's line format and pino-http's
 * vocabulary, built by string concatenation and handed to a {@link LogWriter}.
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
 * stringifies each value. Measured on this machine (node 20, best of 5 × 200 000 records;
 * bench/micro/request-path.mjs): formatting alone, pino 3.3 µs per record, this
 * 0.5–0.9 µs; with the write to /dev/null, pino.info() into an async sonic-boom 8.4–8.6 µs, this
 * (with `log-writer.ts`) 1.0–1.2 µs.
 *
 * Why the formatting waits for the end of the event-loop turn (`drain()`): in the running server
 * the request path stays short and the formatting loop runs hot in the cache. Server CPU time
 * per request (wrk -t1 -c50 on GET /, /proc utime+stime, 2 × 8 interleaved rounds on this shared
 * 2-core VM, medians): formatting in `write()` 29.1 and 29.4 µs, deferred 24.5 and 27.2 µs,
 * access log off 24.6 and 24.5 µs.
 *
 * The line is the one pino would print (same keys, order, level number, `time` in epoch ms; a
 * test compares them), so log shippers see no difference. No request headers are logged here,
 * so there is nothing to redact: Authorization, Cookie and Set-Cookie values never reach the
 * access log.
 */
import type { TraceContext } from '../http/trace-context.js';
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

/** Characters JSON.stringify would escape (and lone surrogates): rare, so tested before escaping. */
// eslint-disable-next-line no-control-regex
const NEEDS_ESCAPE = /[\u0000-\u001f"\\\ud800-\udfff]/;

/** A JSON string literal for `s`, or `null`. The common case (nothing to escape) allocates one string. */
export function jsonString(s: string | null | undefined): string {
  if (s === null || s === undefined) return 'null';
  return NEEDS_ESCAPE.test(s) ? JSON.stringify(s) : `"${s}"`;
}

/**
 * `ms` with three decimals (microseconds), as JSON number text. Integer arithmetic and
 * concatenation: 41–46 ns, against 195–198 ns for `String(Math.round(ms * 1000) / 1000)`
 * (V8's double-to-string; bench/micro/request-path.mjs).
 */
export function millis(ms: number): string {
  const us = Math.round(ms * 1000);
  if (!(us >= 0 && us < 9e15)) return Number.isFinite(ms) ? String(Math.round(ms * 1000) / 1000) : 'null';
  const whole = Math.floor(us / 1000);
  const frac = us - whole * 1000;
  return whole + (frac < 10 ? '.00' : frac < 100 ? '.0' : '.') + frac;
}

/** Records held before they are formatted (at the end of the event-loop turn at the latest). */
const BATCH = 512;

/**
 * Writes access records for one process. `write()` only copies the request's fields into
 * preallocated columns; the lines are formatted in one loop when the writer flushes (once per
 * event-loop turn, or when 512 records are waiting), which keeps the request path short and the
 * formatting code hot in the cache.
 */
export class AccessLog {
  readonly #writer: LogWriter;
  /** `,"pid":…,"hostname":…,"req":{"method":` — constant per process, built once. */
  readonly #afterTime: string;
  #n = 0;
  readonly #time = new Float64Array(BATCH);
  readonly #ms = new Float64Array(BATCH);
  readonly #port = new Int32Array(BATCH);
  readonly #status = new Int32Array(BATCH);
  readonly #sent = new Float64Array(BATCH);
  readonly #received = new Float64Array(BATCH);
  readonly #method: Array<string | null> = new Array<string | null>(BATCH).fill(null);
  readonly #url: Array<string | null> = new Array<string | null>(BATCH).fill(null);
  readonly #address: string[] = new Array<string>(BATCH).fill('');
  readonly #version: string[] = new Array<string>(BATCH).fill('');
  readonly #agent: Array<string | undefined> = new Array<string | undefined>(BATCH).fill(undefined);
  readonly #referer: Array<string | undefined> = new Array<string | undefined>(BATCH).fill(undefined);
  readonly #id: string[] = new Array<string>(BATCH).fill('');
  readonly #trace: Array<TraceContext | null> = new Array<TraceContext | null>(BATCH).fill(null);
  readonly #route: string[] = new Array<string>(BATCH).fill('');

  constructor(writer: LogWriter, pid: number, hostname: string) {
    this.#writer = writer;
    this.#afterTime = `,"pid":${pid},"hostname":${jsonString(hostname)},"req":{"method":`;
    writer.source = this;
  }

  /**
   * Records a finished request. A request refused before its request line was understood
   * (`command` empty) has `method`, `url`, `userAgent` and `referer` null: the handler's fields
   * still describe the previous request on the connection. `requestId` must be well formed
   * (`request-id.ts`); `route` is the metrics' `route` label (a table pattern, `unmatched` or
   * `unrouted`); `trace` gives `trace_id`, `span_id`, `trace_flags` (hex, never escaped).
   */
  write(h: AccessFields, responseTimeMs: number, requestId: string, route: string, trace: TraceContext): void {
    const i = this.#n++;
    const known = h.command !== null && h.command !== '';
    this.#time[i] = Date.now();
    this.#ms[i] = responseTimeMs;
    this.#port[i] = h.clientAddress[1];
    this.#status[i] = h.statusCode ?? -1;
    this.#sent[i] = h.bytesSent;
    this.#received[i] = h.bytesReceived;
    this.#method[i] = known ? h.command : null;
    this.#url[i] = known ? h.path : null;
    this.#address[i] = h.clientAddress[0];
    this.#version[i] = h.requestVersion;
    this.#agent[i] = known ? h.headers.get('user-agent') : undefined;
    this.#referer[i] = known ? h.headers.get('referer') : undefined;
    this.#id[i] = requestId;
    this.#trace[i] = trace;
    this.#route[i] = route;
    if (i === 0) this.#writer.schedule();
    else if (i === BATCH - 1) this.#writer.flushSync();
  }

  /** Formats the waiting records into the writer (the writer calls this before it writes). */
  drain(): void {
    const n = this.#n;
    this.#n = 0;
    const w = this.#writer;
    for (let i = 0; i < n; i++) {
      const method = this.#method[i]!;
      const status = this.#status[i]!;
      const version = this.#version[i]!;
      const trace = this.#trace[i]!;
      this.#trace[i] = null;
      // Not escaped, as they cannot need it: the method is an RFC 9110 token (the parser refuses
      // anything else), the address comes from the OS, the id is well formed or generated, the
      // trace fields are lower-case hex (`trace-context.ts` checks what it takes from a request).
      w.push(
        '{"level":30,"time":' +
          this.#time[i] +
          this.#afterTime +
          (method === null ? 'null' : '"' + method + '"') +
          ',"url":' +
          jsonString(this.#url[i]) +
          ',"remoteAddress":"' +
          this.#address[i] +
          '","remotePort":' +
          this.#port[i] +
          '},"res":{"statusCode":' +
          (status < 0 ? 'null' : status) +
          '},"route":' +
          jsonString(this.#route[i]) +
          ',"responseTime":' +
          millis(this.#ms[i]!) +
          ',"bytesSent":' +
          this.#sent[i] +
          ',"bytesReceived":' +
          this.#received[i] +
          ',"httpVersion":' +
          (version === '' ? 'null' : jsonString(version)) +
          ',"userAgent":' +
          jsonString(this.#agent[i]) +
          ',"referer":' +
          jsonString(this.#referer[i]) +
          ',"requestId":"' +
          this.#id[i] +
          '"' +
          ',"trace_id":"' +
          trace.traceId +
          '","span_id":"' +
          trace.spanId +
          '","trace_flags":"' +
          trace.traceFlags +
          '"' +
          ',"msg":"request completed"}\n',
      );
    }
  }
}
