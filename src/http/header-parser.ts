import type { RejectReason } from '../socketserver/error-catalogue.js';
import { knownField } from './known-fields.js';
import type { HTTPMessage } from './message.js';

/**
 * Parses the header lines the scanner delimited, validating each byte against RFC 9110/9112,
 * and works out the request's framing. Stricter than CPython on purpose: anything a front-end
 * proxy might read differently is refused (400) instead of guessed at.
 */

/** Why a head was refused: status, the status line's message, and a stable reason (metrics). */
export interface HeadFault {
  readonly status: number;
  readonly message: string;
  readonly reason: RejectReason;
}

const fault = (status: number, message: string, reason: RejectReason): HeadFault => Object.freeze({ status, message, reason });

/** Canned faults, built once at load (node does the same for its error responses); each is used (test/socketserver/error-catalogue.test.ts). */
export const FAULTS = {
  badHeader: fault(400, 'Bad header line', 'bad_header'),
  obsFold: fault(400, 'Obsolete line folding is not accepted', 'bad_header'),
  bareCR: fault(400, 'Bare CR in request head', 'bad_header'),
  badContentLength: fault(400, 'Bad Content-Length', 'bad_framing'),
  duplicateContentLength: fault(400, 'Duplicate Content-Length', 'bad_framing'),
  lengthAndChunked: fault(400, 'Content-Length with Transfer-Encoding', 'bad_framing'),
  teNotChunked: fault(400, 'Transfer-Encoding does not end in chunked', 'bad_framing'),
  teOnHttp10: fault(400, 'Transfer-Encoding in an HTTP/1.0 request', 'bad_framing'),
  teUnknown: fault(501, 'Unsupported transfer coding', 'unsupported_transfer_coding'),
  badChunk: fault(400, 'Bad chunked encoding', 'bad_framing'),
  bodyTooLarge: fault(413, 'Content Too Large', 'body_too_large'),
  hostMissing: fault(400, 'Missing Host header', 'bad_host'),
  hostDuplicate: fault(400, 'Duplicate Host header', 'bad_host'),
  hostInvalid: fault(400, 'Invalid Host header', 'bad_host'),
} as const;

/** RFC 9110 §5.6.2 tchar. */
export const TCHAR = new Uint8Array(256);
for (const c of "!#$%&'*+-.^_`|~") TCHAR[c.charCodeAt(0)] = 1;
for (let c = 0x30; c <= 0x39; c++) TCHAR[c] = 1;
for (let c = 0x41; c <= 0x5a; c++) TCHAR[c] = 1;
for (let c = 0x61; c <= 0x7a; c++) TCHAR[c] = 1;

/** Field-value bytes (RFC 9110 §5.5): VCHAR, obs-text, SP, HTAB. */
const VALUE_OK = new Uint8Array(256);
for (let c = 0x20; c <= 0xff; c++) VALUE_OK[c] = c === 0x7f ? 0 : 1;
VALUE_OK[0x09] = 1;

/** Host header bytes (RFC 3986 reg-name / IP-literal / port). */
const HOST_OK = new Uint8Array(256);
for (const c of "-._~%!$&'()*+,;=:[]") HOST_OK[c.charCodeAt(0)] = 1;
for (let c = 0x30; c <= 0x39; c++) HOST_OK[c] = 1;
for (let c = 0x41; c <= 0x5a; c++) HOST_OK[c] = 1;
for (let c = 0x61; c <= 0x7a; c++) HOST_OK[c] = 1;

/** What the headers say about framing and connection handling. Reused per connection. */
export class HeadInfo {
  /** Content-Length, or -1 when absent. */
  contentLength = -1;
  /** True when the body is chunked. */
  chunked = false;
  /** Number of Host fields. */
  hosts = 0;
  /** The first Connection value (CPython's `headers.get('Connection')`), if any. */
  connection: string | undefined = undefined;
  /** The first Expect value, if any. */
  expect: string | undefined = undefined;

  reset(): void {
    this.contentLength = -1;
    this.chunked = false;
    this.hosts = 0;
    this.connection = undefined;
    this.expect = undefined;
  }
}

/**
 * Parses header lines `lines[2..count-1]` (the last line is the blank one) of `buf` into
 * `headers`; fills `info`. Returns null, or the fault to answer. `text` is the head decoded as
 * latin-1 from offset `base` of `buf`: names and values are sliced from it (a JS substring)
 * rather than decoded one by one (a native call each: 4.7 % of a pipelined profile before).
 */
export function parseHeaderLines(buf: Buffer, text: string, base: number, lines: Int32Array, headers: HTTPMessage, info: HeadInfo, http11: boolean): HeadFault | null {
  info.reset();
  const count = lines[0]!;
  let p = lines[1]! + 1;
  let te: string | null = null;
  for (let i = 2; i < count; i++) {
    const nl = lines[i]!;
    let end = nl;
    if (end > p && buf[end - 1] === 0x0d) end--;
    const first = buf[p]!;
    if (first === 0x20 || first === 0x09) return FAULTS.obsFold;
    // Field name: tchar up to the colon; anything else (space before the colon…) is refused
    // (RFC 9112 §5.1: "No whitespace is allowed between the field name and colon").
    let c = p;
    while (c < end && TCHAR[buf[c]!] === 1) c++;
    if (c === p || c === end || buf[c] !== 0x3a) return c < end && buf[c] === 0x0d ? FAULTS.bareCR : FAULTS.badHeader;
    // A common name is a constant (no slice, no lower-casing: ~1 % of a pipelined profile).
    const known = knownField(buf, p, c);
    const name = known !== null ? known.name : text.slice(p - base, c - base);
    const lower = known !== null ? known.lower : name.toLowerCase();
    // Field value: OWS-trimmed; CR, LF, NUL and other controls refused (RFC 9110 §5.5), except
    // that a trace context field with a control byte other than CR and NUL is dropped (below).
    let v = c + 1;
    while (v < end && (buf[v] === 0x20 || buf[v] === 0x09)) v++;
    let ve = end;
    while (ve > v && (buf[ve - 1] === 0x20 || buf[ve - 1] === 0x09)) ve--;
    let drop = false;
    // A valid Host value (checked below) has none of those bytes: its own check is the only
    // pass over it (with the Host of wrk's head, bench/micro/parse-head.mjs taken apart: this
    // function and a new HTTPMessage 85–87 → 72 ns). An invalid one takes the general loop
    // first, so that a bare CR is still reported as such.
    const checked = lower === 'host' && validHost(buf, v, ve);
    // Outside [v, ve) there is only SP and HTAB, which the check admits.
    for (let k = checked ? ve : v; k < ve; k++) {
      const b = buf[k]!;
      if (VALUE_OK[b] !== 1) {
        if (b === 0x0d) return FAULTS.bareCR;
        if (b === 0x00 || !isTraceField(lower)) return FAULTS.badHeader;
        drop = true;
      }
    }
    if (drop) {
      p = nl + 1;
      continue;
    }
    const value = text.slice(v - base, ve - base);
    headers.append(name, value, lower);
    // Framing-relevant fields, found by length first so most names cost one comparison.
    switch (lower.length) {
      case 6:
        if (lower === 'expect' && info.expect === undefined) info.expect = value;
        break;
      case 10:
        if (lower === 'connection' && info.connection === undefined) info.connection = value;
        break;
      case 4:
        if (lower === 'host') {
          info.hosts++;
          if (!checked) return FAULTS.hostInvalid;
        }
        break;
      case 14:
        if (lower === 'content-length') {
          if (info.contentLength !== -1) return FAULTS.duplicateContentLength;
          // RFC 9110 §8.6: 1*DIGIT. No sign, no list, no hex; bounded so it stays exact.
          if (ve === v || ve - v > 16) return FAULTS.badContentLength;
          let n = 0;
          for (let k = v; k < ve; k++) {
            const d = buf[k]! - 0x30;
            if (d < 0 || d > 9) return FAULTS.badContentLength;
            n = n * 10 + d;
          }
          if (n > Number.MAX_SAFE_INTEGER) return FAULTS.badContentLength;
          info.contentLength = n;
        }
        break;
      case 17:
        if (lower === 'transfer-encoding') te = te === null ? value : `${te},${value}`;
        break;
    }
    p = nl + 1;
  }
  if (te !== null) {
    // RFC 9112 §6.1: Transfer-Encoding in HTTP/1.0 means faulty framing.
    if (!http11) return FAULTS.teOnHttp10;
    // RFC 9112 §6.3 ¶3: with Content-Length as well, refuse (a proxy may use either).
    if (info.contentLength !== -1) return FAULTS.lengthAndChunked;
    const codings = te.split(',');
    let chunkedAt = -1;
    for (let k = 0; k < codings.length; k++) {
      const coding = codings[k]!.trim().toLowerCase();
      if (coding === 'chunked') {
        if (chunkedAt !== -1) return FAULTS.teNotChunked;
        chunkedAt = k;
      } else if (coding === '' || !isToken(coding)) {
        return FAULTS.teNotChunked;
      } else if (!KNOWN_CODINGS.has(coding)) {
        // §6.1: a transfer coding the server does not understand: 501.
        return FAULTS.teUnknown;
      }
    }
    // §6.3 ¶4: chunked must be the final coding, else the length cannot be known: 400.
    if (chunkedAt !== codings.length - 1) return FAULTS.teNotChunked;
    // A registered coding before chunked (gzip…) is not implemented here: 501.
    if (codings.length > 1) return FAULTS.teUnknown;
    info.chunked = true;
  }
  return null;
}

/**
 * `traceparent` and `tracestate` (W3C Trace Context): fields the server reads only to label its
 * records, whose invalid values are ignored, never refused (issue 14). One holding a control byte
 * is dropped, as if it had not been sent: the request gets a fresh trace (a `tracestate` without
 * its `traceparent` is never read), nothing of it is passed on by `outgoingHeaders()`, and its
 * bytes reach no log. Replacing the controls with SP (RFC 9110 §5.5's other choice) would have
 * repaired a `tracestate` into a valid one and passed it on. Two bytes are still refused there,
 * because they can make two parsers disagree on where the message ends, whatever the field: a
 * bare CR (a line end to some parsers) and NUL (the end of the string to a C-string parser in
 * front of this server, which would then not see the fields and body after it: request smuggling).
 */
function isTraceField(lower: string): boolean {
  return lower === 'traceparent' || lower === 'tracestate';
}

/** The IANA transfer codings (RFC 9110 §18.7 registry) other than chunked. */
const KNOWN_CODINGS = new Set(['compress', 'deflate', 'gzip', 'identity', 'trailers', 'x-compress', 'x-gzip']);

/**
 * RFC 9110 §7.2 `Host = uri-host [ ":" port ]`: an IP-literal in brackets or a reg-name /
 * IPv4address, then optionally a colon and digits. Empty is allowed (§7.2: no authority).
 */
function validHost(b: Uint8Array, s: number, e: number): boolean {
  let i = s;
  if (i < e && b[i] === 0x5b) {
    while (i < e && b[i] !== 0x5d) {
      const c = b[i]!;
      if (HOST_OK[c] !== 1 || (c === 0x5b && i !== s)) return false;
      i++;
    }
    if (i === e) return false;
    i++;
  } else {
    while (i < e && b[i] !== 0x3a) {
      const c = b[i]!;
      if (HOST_OK[c] !== 1 || c === 0x5b || c === 0x5d) return false;
      i++;
    }
  }
  if (i === e) return true;
  if (b[i] !== 0x3a) return false;
  for (i++; i < e; i++) if (b[i]! < 0x30 || b[i]! > 0x39) return false;
  return true;
}

/** True when `s` is a non-empty RFC 9110 token. */
export function isToken(s: string): boolean {
  if (s.length === 0) return false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c > 0xff || TCHAR[c] !== 1) return false;
  }
  return true;
}
