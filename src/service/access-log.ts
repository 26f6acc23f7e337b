/**
 * The access record: one JSON line per request, in pino's line format and pino-http's
 * vocabulary, built by string concatenation and handed to a {@link LogWriter}.
 *
 * ```json
 * {"level":30,"time":1732780000000,"pid":7,"hostname":"web-1",
 *  "req":{"method":"GET","url":"/","remoteAddress":"10.0.0.9","remotePort":51234},
 *  "res":{"statusCode":200},"responseTime":0.084,"bytesSent":142,"bytesReceived":78,
 *  "httpVersion":"HTTP/1.1","userAgent":"curl/8.5.0","referer":null,"requestId":"k7m2q9xa-1",
 *  "msg":"request completed"}
 * ```
 *
 * Why not `logger.info({ req, res, … }, 'request completed')`: pino walks the object and
 * stringifies each value. Measured on this machine (node 20, best of 5 × 200 000 records, writes
 * discarded; test/fixtures/service/bench-request-path.mjs): pino 3.3 µs per record, this
 * concatenation 0.44–0.74 µs. With the write (see `log-writer.ts`): pino.info() into an async
 * sonic-boom 8.0–8.3 µs, this 1.2–1.3 µs — against ~25 µs of CPU per keep-alive request in all.
 * The line is the one pino would print (same keys, order, level number, `time` in epoch ms; a
 * test compares them), so log shippers see no difference. No request headers are logged here,
 * so there is nothing to redact: Authorization, Cookie and Set-Cookie values never reach the
 * access log.
 */
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
 * (V8's double-to-string; bench-request-path.mjs).
 */
export function millis(ms: number): string {
  const us = Math.round(ms * 1000);
  if (!(us >= 0 && us < 9e15)) return Number.isFinite(ms) ? String(Math.round(ms * 1000) / 1000) : 'null';
  const whole = Math.floor(us / 1000);
  const frac = us - whole * 1000;
  return whole + (frac < 10 ? '.00' : frac < 100 ? '.0' : '.') + frac;
}

/** Writes access records for one process. */
export class AccessLog {
  readonly #writer: LogWriter;
  /** `,"pid":…,"hostname":…,"req":{"method":` — constant per process, built once. */
  readonly #afterTime: string;

  constructor(writer: LogWriter, pid: number, hostname: string) {
    this.#writer = writer;
    this.#afterTime = `,"pid":${pid},"hostname":${jsonString(hostname)},"req":{"method":`;
  }

  /**
   * Writes the record of a finished request. A request refused before its request line was
   * understood (`command` empty) has `method`, `url`, `userAgent` and `referer` null: the
   * handler's fields still describe the previous request on the connection. `requestId` must be
   * well formed (`request-id.ts`).
   */
  write(h: AccessFields, responseTimeMs: number, requestId: string): void {
    const known = h.command !== null && h.command !== '';
    const address = h.clientAddress;
    // Not escaped, as they cannot need it: the method is an RFC 9110 token (the parser refuses
    // anything else), the address comes from the OS, the id is well formed or generated.
    this.#writer.write(
      '{"level":30,"time":' + Date.now() + this.#afterTime +
        (known ? '"' + h.command + '"' : 'null') +
        ',"url":' + (known ? jsonString(h.path) : 'null') +
        ',"remoteAddress":"' + address[0] +
        '","remotePort":' + address[1] +
        '},"res":{"statusCode":' + h.statusCode +
        '},"responseTime":' + millis(responseTimeMs) +
        ',"bytesSent":' + h.bytesSent +
        ',"bytesReceived":' + h.bytesReceived +
        ',"httpVersion":' + (h.requestVersion === '' ? 'null' : jsonString(h.requestVersion)) +
        ',"userAgent":' + (known ? jsonString(h.headers.get('user-agent')) : 'null') +
        ',"referer":' + (known ? jsonString(h.headers.get('referer')) : 'null') +
        ',"requestId":"' + requestId + '"' +
        ',"msg":"request completed"}\n',
    );
  }
}
