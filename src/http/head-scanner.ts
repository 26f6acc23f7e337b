/**
 * Finds a complete request head in the read buffer and enforces the line limits, in one pass of
 * `findLF` per line (a loop for short lines, native memchr past them). The line ends are recorded
 * in `lines` so that the parser reads each byte once more at most. Nothing here allocates.
 */
import type { HTTPLimits } from './limits.js';

/** The head is not complete yet. */
export const NEED_MORE = -1;
/** Request line over the limit: 414. */
export const LINE_TOO_LONG = -2;
/** A header line over the limit: 431. */
export const HEADER_TOO_LONG = -3;
/** Too many header lines: 431. */
export const TOO_MANY_HEADERS = -4;
/** `lines` is full before the limit: the caller gives a longer array and scans again. */
export const LINES_FULL = -5;

/** The limits the scanner enforces (`limits.ts`). */
export type ScanLimits = Pick<HTTPLimits, 'maxRequestLineBytes' | 'maxHeaderLineBytes' | 'maxHeaders'>;

/** Whitespace that separates request-line words (RFC 9112 §3: SP, HTAB, VT, FF). */
export function isLineSpace(c: number): boolean {
  return c === 0x20 || c === 0x09 || c === 0x0b || c === 0x0c;
}

/** True for a byte that ends a request-line word: whitespace, or CR (counted apart from the words). */
function endsWord(c: number): boolean {
  return isLineSpace(c) || c === 0x0d;
}

/** Number of whitespace-separated words in `buf[from..to)` (stops counting at 4). */
export function countWords(buf: Uint8Array, from: number, to: number): number {
  let words = 0;
  let inWord = false;
  for (let i = from; i < to; i++) {
    const c = buf[i]!;
    if (endsWord(c)) {
      inWord = false;
    } else if (!inWord) {
      inWord = true;
      if (++words === 4) return 4;
    }
  }
  return words;
}

/** How many bytes a line is scanned for its LF in JavaScript before `indexOf` (memchr) takes over. */
const SHORT_LINE = 64;

/**
 * The offset of the first LF in `buf` from `from`, or -1. The first {@link SHORT_LINE} bytes are
 * searched by a loop, the rest by `indexOf` (native memchr): most header lines are shorter than
 * that, and `Buffer#indexOf`'s argument handling and native call cost more than the loop for them
 * (issue 16: the head parse of wrk's two-line head 251–267 → 235–249 ns in
 * bench/micro/parse-head.mjs, 4 alternating runs; too small to see end to end).
 */
function findLF(buf: Buffer, from: number): number {
  const end = buf.length;
  const stop = end - from > SHORT_LINE ? from + SHORT_LINE : end;
  for (let i = from; i < stop; i++) if (buf[i] === 10) return i;
  return stop === end ? -1 : buf.indexOf(10, stop);
}

/** The number of words in the request line {@link findRequestLineLF} found last (4: four or more). */
let requestLineWords = 0;

/**
 * {@link findLF} for the request line, counting its words ({@link countWords}) on the way: one
 * pass over a short line instead of two (bench/micro/parse-head.mjs taken apart, the scan alone:
 * 82 → 63 ns per head of wrk's request, best of 5 rounds). A line longer than {@link SHORT_LINE} is searched by
 * `indexOf` past it and counted once found, as before. Sets `requestLineWords` when it finds the LF.
 */
function findRequestLineLF(buf: Buffer, from: number): number {
  const end = buf.length;
  const stop = end - from > SHORT_LINE ? from + SHORT_LINE : end;
  let words = 0;
  let inWord = false;
  for (let i = from; i < stop; i++) {
    const c = buf[i]!;
    if (c === 10) {
      requestLineWords = words > 4 ? 4 : words;
      return i;
    }
    if (endsWord(c)) inWord = false;
    else if (!inWord) {
      inWord = true;
      words++;
    }
  }
  if (stop === end) return -1;
  const nl = buf.indexOf(10, stop);
  if (nl !== -1) requestLineWords = countWords(buf, from, nl);
  return nl;
}

/**
 * Scans `buf[start..]` for a whole request head. Returns the offset just past it (the blank line
 * included), or one of the negative codes. `lines[0]` receives the number of lines, `lines[i]`
 * (i ≥ 1) the offset of line i's LF. A request line of two words is HTTP/0.9 and has no headers
 * (RFC 1945 §4.1), so the head ends with it; so does an empty request line.
 *
 * Line lengths count the LF, as CPython's `readline(65537)` does: a 65 536-byte line passes.
 */
export function scanHead(buf: Buffer, start: number, limits: ScanLimits, lines: Int32Array): number {
  const end = buf.length;
  let nl = findRequestLineLF(buf, start);
  if (nl === -1) return end - start >= limits.maxRequestLineBytes ? LINE_TOO_LONG : NEED_MORE;
  if (nl - start + 1 > limits.maxRequestLineBytes) return LINE_TOO_LONG;
  lines[1] = nl;
  lines[0] = 1;
  // Only a three-word line reads headers: CPython answers the others from the line alone.
  if (requestLineWords !== 3) return nl + 1;
  let p = nl + 1;
  let n = 1;
  const maxLine = limits.maxHeaderLineBytes;
  const maxHeaders = limits.maxHeaders;
  for (;;) {
    nl = findLF(buf, p);
    if (nl === -1) return end - p >= maxLine ? HEADER_TOO_LONG : NEED_MORE;
    if (nl - p + 1 > maxLine) return HEADER_TOO_LONG;
    // CPython counts the blank line too: 100 header lines + the blank one is "more than 100".
    if (n > maxHeaders) return TOO_MANY_HEADERS;
    if (n + 1 >= lines.length) return LINES_FULL;
    lines[++n] = nl;
    lines[0] = n;
    if (nl === p || (nl === p + 1 && buf[p] === 0x0d)) return nl + 1;
    p = nl + 1;
  }
}
