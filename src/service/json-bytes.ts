/**
 * Writing JSON text straight into a byte buffer: the pieces of the access record
 * (`access-log.ts`) without building a string first.
 *
 * Each function writes at `p` and returns the position after what it wrote; the caller has made
 * sure there is room (at most {@link MAX_BYTES_PER_UNIT} bytes per UTF-16 unit of a string, 20
 * per number). The output is what `JSON.stringify` gives, UTF-8 encoded: the same escapes
 * (`\"`, `\\`, `\b`, `\f`, `\n`, `\r`, `\t`, `\u00xx` for other controls, `\udxxx` for a lone
 * surrogate), everything else as UTF-8.
 */

import { copyBytes } from '../socketserver/buffer-slice.js';

/** The most bytes one UTF-16 unit can become: `\u001f` or a lone surrogate's `\udxxx`. */
export const MAX_BYTES_PER_UNIT = 6;

/** Bytes of an ASCII string (constant fragments, built once). */
export function ascii(s: string): Uint8Array {
  return new Uint8Array(Buffer.from(s, 'latin1'));
}

/** Copies `bytes` (a constant or cached fragment). */
export function putBytes(b: Uint8Array, p: number, bytes: Uint8Array): number {
  // `set` (a memmove) rather than a byte loop: a whole record 1.05–1.12 µs against 1.30–1.35
  // (the AccessLog case of access-bytes.mjs, CPU time, 50 records per turn, 4 runs each
  // on a busy machine): the ~600 constant bytes of a record cost ~1 ns each in a JS loop.
  // Through `copyBytes.call`: `b.set` is a generic LoadIC call on a Buffer (buffer-slice.ts).
  copyBytes.call(b, bytes, p);
  return p + bytes.length;
}

/**
 * Copies a string known to be printable ASCII without `"` or `\` (a generated or checked
 * request id, hex trace fields, an address from the OS): one byte per character, unchecked.
 */
export function putAscii(b: Uint8Array, p: number, s: string): number {
  const n = s.length;
  for (let i = 0; i < n; i++) b[p + i] = s.charCodeAt(i);
  return p + n;
}

/** `s` as the inside of a JSON string literal (no quotes), UTF-8. */
function putString(b: Buffer, p: number, s: string): number {
  const n = s.length;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0x20 && c < 0x7f && c !== 0x22 && c !== 0x5c) b[p++] = c;
    // The rare rest (an escape, a non-ASCII character): JSON.stringify's escapes, UTF-8 encoded.
    else return p + b.write(JSON.stringify(s.slice(i)).slice(1, -1), p, 'utf8');
  }
  return p;
}

/** `"s"`, or `null` for null/undefined. */
export function putJsonString(b: Buffer, p: number, s: string | null | undefined): number {
  if (s === null || s === undefined) return putNull(b, p);
  b[p] = 0x22;
  p = putString(b, p + 1, s);
  b[p] = 0x22;
  return p + 1;
}

export function putNull(b: Uint8Array, p: number): number {
  b[p] = 0x6e;
  b[p + 1] = 0x75;
  b[p + 2] = 0x6c;
  b[p + 3] = 0x6c;
  return p + 4;
}

/** Digits of an integer 0 ≤ v < 2^31. */
function putSmall(b: Uint8Array, p: number, v: number): number {
  let end = p + 1;
  for (let t = v; t >= 10; t = (t / 10) | 0) end++;
  for (let i = end - 1; i >= p; i--) {
    const q = (v / 10) | 0;
    b[i] = 48 + v - q * 10;
    v = q;
  }
  return end;
}

/** `v` zero-padded to `width` digits (0 ≤ v < 10^width < 2^31). */
function putPadded(b: Uint8Array, p: number, v: number, width: number): number {
  for (let i = p + width - 1; i >= p; i--) {
    const q = (v / 10) | 0;
    b[i] = 48 + v - q * 10;
    v = q;
  }
  return p + width;
}

/**
 * A number as JSON text: the integer path (digits, no string) for 0 ≤ v < 2^53, which covers
 * every count and timestamp here; anything else as `JSON.stringify` prints it.
 */
export function putNumber(b: Uint8Array, p: number, v: number): number {
  if (v >= 0 && v <= 0x7fffffff && v === Math.floor(v)) return putSmall(b, p, v);
  if (v > 0 && v < 9_007_199_254_740_992 && v === Math.floor(v)) {
    const hi = Math.floor(v / 1e9);
    return putPadded(b, putSmall(b, p, hi), v - hi * 1e9, 9);
  }
  return putAscii(b, p, JSON.stringify(v));
}

/**
 * Milliseconds with three decimals (microseconds), always three (`0.084`, `1.500`): the
 * access record's `responseTime`, as it has always been written. Not finite: `null`.
 */
export function putMillis(b: Uint8Array, p: number, ms: number): number {
  const us = Math.round(ms * 1000);
  if (!(us >= 0 && us < 9e15)) return Number.isFinite(ms) ? putAscii(b, p, String(Math.round(ms * 1000) / 1000)) : putNull(b, p);
  const whole = Math.floor(us / 1000);
  p = putNumber(b, p, whole);
  b[p] = 0x2e;
  return putPadded(b, p + 1, us - whole * 1000, 3);
}
