/**
 * W3C Trace Context (https://www.w3.org/TR/trace-context/): reading `traceparent` and
 * `tracestate`, fresh ids, and the headers an outgoing call carries.
 *
 * - For callers: {@link TraceContext} (what a handler reads as `this.traceContext` in the
 *   service), its `outgoingHeaders()`, {@link parseTraceparent}, {@link parseTracestate},
 *   {@link TraceIds}.
 *
 * Rules (§3.2): a `traceparent` is `version-traceid-parentid-flags` in lower-case hex; version
 * `ff` is invalid; version `00` is exactly 55 characters (extra fields are invalid); a later
 * version is read by its first four fields when it is at least 55 characters and the 56th is a
 * `-` (§4.3). A trace id or parent id of all zeros is invalid. Upper-case hex, control
 * characters, a value over 55 characters for version 00 (or over 512 for a later one) and a
 * repeated `traceparent` field are invalid. An invalid `traceparent` is ignored whole: the
 * request starts a fresh trace, and its `tracestate` is dropped (§3.3.1.1).
 */
import { randomFillSync } from 'node:crypto';
import '../socketserver/buffer-slice.js';

/** Longest `traceparent` of a later version that is read at all. */
const MAX_FUTURE_LENGTH = 512;
const ZERO_TRACE = '00000000000000000000000000000000';
const ZERO_SPAN = '0000000000000000';
/** ASCII codes of the hex digits. */
const HEX_DIGITS = new Uint8Array([48, 49, 50, 51, 52, 53, 54, 55, 56, 57, 97, 98, 99, 100, 101, 102]);

/** `n` bytes of `src` from `at` as lower-case hex into `b` at `p`; returns the position after them. */
function putHex(b: Uint8Array, p: number, src: Uint8Array, at: number, n: number): number {
  for (let i = at; i < at + n; i++) {
    const v = src[i]!;
    b[p++] = HEX_DIGITS[v >> 4]!;
    b[p++] = HEX_DIGITS[v & 15]!;
  }
  return p;
}

/**
 * `s` as exactly `n` bytes into `b` at `p` (an id a caller built from strings: cut or padded with
 * `0`, so a malformed one cannot run into the next field of the record or exemplar).
 */
function putFixed(b: Uint8Array, p: number, s: string, n: number): number {
  for (let i = 0; i < n; i++) b[p++] = i < s.length ? s.charCodeAt(i) & 0xff : 0x30;
  return p;
}

/** The value of a hex digit's character code; anything else reads as 0. */
function hexValue(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x61 && c <= 0x66) return c - 0x57;
  if (c >= 0x41 && c <= 0x46) return c - 0x37;
  return 0;
}

/** The `n` bytes that the first `2n` hex digits of `s` spell, into `b` at `p` (missing digits and non-digits read as 0). */
function putDecoded(b: Uint8Array, p: number, s: string, n: number): number {
  for (let i = 0; i < n; i++) b[p++] = (hexValue(s.charCodeAt(2 * i)) << 4) | hexValue(s.charCodeAt(2 * i + 1));
  return p;
}

/** Buffer's hex encoder, for a plain `Uint8Array` too (a detached context's own 24 bytes). */
const hexSlice = Buffer.prototype.hexSlice as (this: Uint8Array, start: number, end: number) => string;

/** Copies `n` bytes of `src` from `at` into `b` at `p`; returns the position after them. */
function putCopy(b: Uint8Array, p: number, src: Uint8Array, at: number, n: number): number {
  for (let i = 0; i < n; i++) b[p + i] = src[at + i]!;
  return p + n;
}

/** True when `n` bytes of `src` from `at` are all zero. */
function allZero(src: Uint8Array, at: number, n: number): boolean {
  let v = 0;
  for (let i = at; i < at + n; i++) v |= src[i]!;
  return v === 0;
}

/** `traceparent`'s fields, when valid. */
export interface Traceparent {
  /** 32 lower-case hex digits, not all zero. */
  readonly traceId: string;
  /** The caller's span: 16 lower-case hex digits, not all zero. */
  readonly parentId: string;
  /** 2 lower-case hex digits (`01`: sampled). A later version keeps only the sampled bit. */
  readonly traceFlags: string;
}

function isLowerHex(s: string, from: number, to: number): boolean {
  for (let i = from; i < to; i++) {
    const c = s.charCodeAt(i);
    if (!((c >= 0x30 && c <= 0x39) || (c >= 0x61 && c <= 0x66))) return false;
  }
  return true;
}

/** The fields of a valid `traceparent` value, else null (see the module comment). */
export function parseTraceparent(value: string | undefined | null): Traceparent | null {
  if (value === undefined || value === null) return null;
  const n = value.length;
  if (n < 55 || n > MAX_FUTURE_LENGTH) return null;
  if (value.charCodeAt(2) !== 0x2d || value.charCodeAt(35) !== 0x2d || value.charCodeAt(52) !== 0x2d) return null;
  if (!isLowerHex(value, 0, 2) || !isLowerHex(value, 3, 35) || !isLowerHex(value, 36, 52) || !isLowerHex(value, 53, 55)) return null;
  const version = value.slice(0, 2);
  if (version === 'ff') return null;
  let traceFlags = value.slice(53, 55);
  if (version === '00') {
    if (n !== 55) return null;
  } else {
    if (n > 55 && value.charCodeAt(55) !== 0x2d) return null;
    if (/[\u0000-\u001f\u007f-\uffff]/.test(value)) return null;
    traceFlags = (parseInt(traceFlags, 16) & 1) === 1 ? '01' : '00';
  }
  const traceId = value.slice(3, 35);
  const parentId = value.slice(36, 52);
  if (traceId === ZERO_TRACE || parentId === ZERO_SPAN) return null;
  return { traceId, parentId, traceFlags };
}

/** At most this many list members in `tracestate` (§3.3.1.1). */
const MAX_STATE_MEMBERS = 32;
// Key: simple (`vendor`) or multi-tenant (`tenant@system`); value: printable ASCII but `,` and `=`,
// not ending in a space (§3.3.1.3).
const STATE_MEMBER =
  /^(?:[a-z0-9][_0-9a-z*/-]{0,255}|[a-z0-9][_0-9a-z*/-]{0,240}@[a-z][_0-9a-z*/-]{0,13})=[\x20-\x2b\x2d-\x3c\x3e-\x7e]{0,255}[\x21-\x2b\x2d-\x3c\x3e-\x7e]$/;

/**
 * `tracestate` values (repeated fields are one list, in order) as one normalised value
 * (members joined by `,`, blank members dropped), or null when absent, empty or invalid
 * (a bad member, a repeated key, more than 32 members): an invalid `tracestate` is dropped whole.
 */
export function parseTracestate(values: readonly string[]): string | null {
  const members: string[] = [];
  const keys = new Set<string>();
  for (const value of values) {
    for (const raw of value.split(',')) {
      const member = raw.trim();
      if (member === '') continue;
      if (!STATE_MEMBER.test(member)) return null;
      const key = member.slice(0, member.indexOf('='));
      if (keys.has(key)) return null;
      keys.add(key);
      members.push(member);
      if (members.length > MAX_STATE_MEMBERS) return null;
    }
  }
  return members.length === 0 ? null : members.join(',');
}

/**
 * One request's trace context: its trace, its own span, and what the caller sent.
 *
 * - For callers: the fields, `sampled`, `traceparent()` and `outgoingHeaders()` (the headers a
 *   call to another service carries, so that service's records show the same trace id).
 */
export class TraceContext {
  /** 2 lower-case hex digits; `01`: sampled. */
  readonly traceFlags: string;
  /** The caller's span id from a valid `traceparent`, else null (this request started the trace). */
  readonly parentId: string | null;
  readonly #rawState: string | null;
  #state: string | null | undefined;
  #traceId: string | null;
  #spanId: string | null;
  /**
   * A fresh trace's ids as 24 random bytes (trace id, then span id) at `#at`, turned into hex
   * only when asked for (`traceId`, `spanId`) or written as bytes (`putTraceId`, `putSpanId`).
   * Issue 16: the service writes every request's ids into its access record and exemplar but
   * rarely needs them as strings; the two hex strings per request cost 0.6–0.7 µs of server CPU
   * per pipelined request end to end (docs/performance.md). The bytes are never overwritten: a
   * refill of {@link TraceIds}' pool takes a new buffer.
   */
  #bytes: Uint8Array | null = null;
  #at = 0;

  /**
   * @param rawTraceState the incoming `tracestate` field values joined by `,` (validated on
   *   first use of `traceState`), or null
   */
  constructor(traceId: string, spanId: string, traceFlags: string, parentId: string | null, rawTraceState: string | null = null) {
    this.#traceId = traceId;
    this.#spanId = spanId;
    this.traceFlags = traceFlags;
    this.parentId = parentId;
    this.#rawState = rawTraceState;
  }

  /**
   * A fresh trace whose ids are `bytes[at, at + 24)` (checked not all zero by the caller); flags
   * `01`. The context keeps `bytes` (a 16 KiB pool of {@link TraceIds}) until both ids have been
   * read as text or `detach()` is called: code that keeps contexts for long should call it.
   */
  static fromBytes(bytes: Buffer, at: number): TraceContext {
    const t = new TraceContext('', '', '01', null, null);
    t.#traceId = null;
    t.#spanId = null;
    t.#bytes = bytes;
    t.#at = at;
    return t;
  }

  /** 32 lower-case hex digits. */
  get traceId(): string {
    let id = this.#traceId;
    if (id === null) {
      id = this.#traceId = hexSlice.call(this.#bytes!, this.#at, this.#at + 16);
      if (this.#spanId !== null) this.#bytes = null; // both made: the pool may go
    }
    return id;
  }

  /** This request's span: 16 lower-case hex digits. */
  get spanId(): string {
    let id = this.#spanId;
    if (id === null) {
      id = this.#spanId = hexSlice.call(this.#bytes!, this.#at + 16, this.#at + 24);
      if (this.#traceId !== null) this.#bytes = null; // both made: the pool may go
    }
    return id;
  }

  /**
   * Lets {@link TraceIds}' 16 KiB pool go: a fresh trace whose ids are still bytes there gets a
   * 24-byte copy of its own. For contexts kept past their request: the service keeps each
   * connection's last one until the next request begins, and an idle connection must not hold
   * a pool (one per idle connection at worst). Nothing for a context whose ids are text.
   */
  detach(): void {
    const bytes = this.#bytes;
    if (bytes === null || bytes.length === 24) return;
    const own = new Uint8Array(24);
    putCopy(own, 0, bytes, this.#at, 24);
    this.#bytes = own;
    this.#at = 0;
  }

  /** Writes `traceId` as exactly 32 ASCII characters into `b` at `p`; returns the position after them. */
  putTraceId(b: Uint8Array, p: number): number {
    const bytes = this.#bytes;
    return bytes !== null ? putHex(b, p, bytes, this.#at, 16) : putFixed(b, p, this.#traceId!, 32);
  }

  /** Writes `spanId` as exactly 16 ASCII characters into `b` at `p`; returns the position after them. */
  putSpanId(b: Uint8Array, p: number): number {
    const bytes = this.#bytes;
    return bytes !== null ? putHex(b, p, bytes, this.#at + 16, 8) : putFixed(b, p, this.#spanId!, 16);
  }

  /**
   * Writes the ids as 24 bytes into `b` at `p` — the trace id's 16, then the span id's 8 — and
   * returns the position after them: what the service's exemplars keep per duration bucket, hex
   * encoded only when a scrape shows them (the access record encodes the same ids already; a
   * second encoding per request was ~0.05 µs, docs/performance.md). Ids built from strings are
   * decoded (a character that is not a hex digit reads as 0).
   */
  putIdBytes(b: Uint8Array, p: number): number {
    const bytes = this.#bytes;
    if (bytes !== null) return putCopy(b, p, bytes, this.#at, 24);
    return putDecoded(b, putDecoded(b, p, this.#traceId!, 16), this.#spanId!, 8);
  }

  /** The ids as `JSON.stringify` showed them when they were fields (they are getters now: a spread `{...t}` leaves them out). */
  toJSON(): { traceId: string; spanId: string; traceFlags: string; parentId: string | null } {
    return { traceId: this.traceId, spanId: this.spanId, traceFlags: this.traceFlags, parentId: this.parentId };
  }

  /** True when the sampled flag is set. */
  get sampled(): boolean {
    return (parseInt(this.traceFlags, 16) & 1) === 1;
  }

  /** The caller's `tracestate`, normalised, or null when absent or invalid. */
  get traceState(): string | null {
    if (this.#state === undefined) this.#state = this.#rawState === null ? null : parseTracestate([this.#rawState]);
    return this.#state;
  }

  /** `traceparent` naming this request's span as the parent (version 00). */
  traceparent(): string {
    return `00-${this.traceId}-${this.spanId}-${this.traceFlags}`;
  }

  /**
   * The headers of an outgoing call made while handling this request: `traceparent` (this
   * request's span as the parent) and, when the caller sent a valid one, `tracestate`.
   *
   * ```ts
   * await fetch(url, { headers: { ...this.traceContext?.outgoingHeaders(), accept: 'application/json' } });
   * ```
   */
  outgoingHeaders(): { traceparent: string; tracestate?: string } {
    const state = this.traceState;
    return state === null ? { traceparent: this.traceparent() } : { traceparent: this.traceparent(), tracestate: state };
  }
}

/** Random bytes drawn per refill: 682 fresh traces (16 KiB: 142–150 ns per fresh context against 152–155 with 4 KiB, bench/micro/trace-context.mjs). */
const POOL_BYTES = 16_384;

/**
 * Random trace and span ids, cheap enough for every request: one `randomFillSync` per 16 KiB (`POOL_BYTES`).
 * A fresh trace keeps its 24 bytes as they are (`TraceContext.fromBytes`): hex only if asked for.
 * An id asked for as text on its own (`traceId()`, `spanId()`) is one native hex conversion.
 * Measured on this machine (node 20, best of 5 × 1e6, two runs on a busy VM;
 * bench/micro/trace-ids.mjs): a span id 71–95 ns, against 110–119 ns for `toString('hex', …)`,
 * 111–206 ns for a lookup table of hex pairs and 236–435 ns for `crypto.randomUUID()`.
 */
export class TraceIds {
  #pool = Buffer.allocUnsafeSlow(POOL_BYTES);
  #offset = POOL_BYTES;

  /** The offset of `bytes` fresh random bytes in `#pool`. A refill takes a new buffer: earlier contexts keep theirs. */
  #take(bytes: number): number {
    if (this.#offset + bytes > POOL_BYTES) {
      this.#pool = randomFillSync(Buffer.allocUnsafeSlow(POOL_BYTES));
      this.#offset = 0;
    }
    const at = this.#offset;
    this.#offset = at + bytes;
    return at;
  }

  #hex(bytes: number): string {
    const at = this.#take(bytes);
    return this.#pool.hexSlice(at, at + bytes);
  }

  /** 32 hex digits, never all zero. */
  traceId(): string {
    let id = this.#hex(16);
    while (id === ZERO_TRACE) id = this.#hex(16);
    return id;
  }

  /** 16 hex digits, never all zero. */
  spanId(): string {
    let id = this.#hex(8);
    while (id === ZERO_SPAN) id = this.#hex(8);
    return id;
  }

  /**
   * A fresh trace: 24 random bytes, its trace id and span id, kept as bytes until someone asks
   * for them as text (`TraceContext.fromBytes`).
   */
  #fresh(): TraceContext {
    const at = this.#take(24);
    const pool = this.#pool;
    if (allZero(pool, at, 16) || allZero(pool, at + 16, 8)) return new TraceContext(this.traceId(), this.spanId(), '01', null, null);
    return TraceContext.fromBytes(pool, at);
  }

  /**
   * The trace context of a request with these headers (null: none, e.g. a request refused
   * before its request line): the caller's trace when its `traceparent` is valid (a single
   * field), else a fresh trace (flagged sampled: the records this service writes are its trace
   * data); always a new span id. Looks each field up with `get` first (no array allocated when
   * it is absent, the common case).
   */
  contextFor(headers: { get(name: string): string | undefined; getAll(name: string): string[] } | null): TraceContext {
    const value = headers === null ? undefined : headers.get('traceparent');
    const parent = value === undefined ? null : parseTraceparent(value);
    if (parent === null || headers!.getAll('traceparent').length !== 1) return this.#fresh();
    const spanId = this.spanId();
    let state: string | null = headers!.get('tracestate') ?? null;
    if (state !== null) {
      const all = headers!.getAll('tracestate');
      if (all.length > 1) state = all.join(',');
    }
    return new TraceContext(parent.traceId, spanId, parent.traceFlags, parent.parentId, state);
  }
}
