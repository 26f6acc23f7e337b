/**
 * Conditional and range requests for a static file (RFC 9110 §8.8, §13, §14): the validators,
 * the precondition fields in their order of evaluation (§13.2.2), `Range` with `If-Range`.
 * Pure functions over header values, used by `SimpleHTTPRequestHandler.sendHead()`.
 */

/** What a file's validators are built from. */
export interface FileValidators {
  /** Strong entity tag, quotes included. */
  readonly etag: string;
  /** Last modification, whole seconds since the epoch (as `Last-Modified` carries it). */
  readonly lastModified: number;
}

/**
 * A strong entity tag from the modification time in nanoseconds and the size, in hex (nginx's
 * recipe with nanoseconds instead of seconds): it changes when the file is rewritten, and is the
 * same on every server holding the same file with the same time (no inode in it).
 */
export function fileEtag(mtimeNs: bigint, size: bigint | number): string {
  return `"${mtimeNs.toString(16)}-${size.toString(16)}"`;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const IMF_FIXDATE = /^(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun), (\d{2}) ([A-Z][a-z]{2}) (\d{4}) (\d{2}):(\d{2}):(\d{2}) GMT$/;
const RFC850_DATE = /^(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday), (\d{2})-([A-Z][a-z]{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2}) GMT$/;
const ASCTIME_DATE = /^(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun) ([A-Z][a-z]{2}) ([ \d]\d) (\d{2}):(\d{2}):(\d{2}) (\d{4})$/;

function seconds(year: number, month: string, day: number, h: number, m: number, s: number): number | null {
  const mon = MONTHS.indexOf(month);
  if (mon < 0 || day < 1 || day > 31 || h > 23 || m > 59 || s > 60) return null;
  return Math.floor(Date.UTC(year, mon, day, h, m, s) / 1000);
}

/**
 * An HTTP-date in seconds since the epoch, or null: the three forms a recipient must accept
 * (RFC 9110 §5.6.7): IMF-fixdate, RFC 850 (a two-digit year more than 50 years ahead is in the
 * past century) and asctime.
 */
export function parseHttpDate(value: string): number | null {
  const text = value.trim();
  let m = IMF_FIXDATE.exec(text);
  if (m !== null) return seconds(Number(m[3]), m[2]!, Number(m[1]), Number(m[4]), Number(m[5]), Number(m[6]));
  m = RFC850_DATE.exec(text);
  if (m !== null) {
    const now = new Date().getUTCFullYear();
    let year = Math.floor(now / 100) * 100 + Number(m[3]);
    if (year > now + 50) year -= 100;
    return seconds(year, m[2]!, Number(m[1]), Number(m[4]), Number(m[5]), Number(m[6]));
  }
  m = ASCTIME_DATE.exec(text);
  if (m !== null) return seconds(Number(m[6]), m[1]!, Number(m[2]), Number(m[3]), Number(m[4]), Number(m[5]));
  return null;
}

const ENTITY_TAG = /^\s*(W\/)?("[\x21\x23-\x7e\x80-\xff]*")\s*(?:,|$)/;

/** The entity tags of an `If-Match` / `If-None-Match` value (`*` as itself); null when malformed. */
export function parseEtagList(value: string): Array<{ weak: boolean; tag: string }> | '*' | null {
  if (value.trim() === '*') return '*';
  const tags: Array<{ weak: boolean; tag: string }> = [];
  let rest = value;
  while (rest.trim() !== '') {
    if (/^\s*,/.test(rest)) {
      rest = rest.replace(/^\s*,/, ''); // empty list elements are allowed (RFC 9110 §5.6.1.2)
      continue;
    }
    const m = ENTITY_TAG.exec(rest);
    if (m === null) return null;
    tags.push({ weak: m[1] !== undefined, tag: m[2]! });
    rest = rest.slice(m[0].length);
  }
  return tags;
}

/** Weak comparison (§8.8.3.2): equal opaque tags, either or both weak. */
function matchesWeak(value: string, etag: string): boolean {
  const tags = parseEtagList(value);
  return tags === '*' || (tags !== null && tags.some((t) => t.tag === etag));
}

/** Strong comparison (§8.8.3.2): equal opaque tags, neither weak. */
function matchesStrong(value: string, etag: string): boolean {
  const tags = parseEtagList(value);
  return tags === '*' || (tags !== null && tags.some((t) => !t.weak && t.tag === etag));
}

/** Header access as `HTTPMessage` offers it. */
export interface HeaderSource {
  get(name: string): string | undefined;
  getAll(name: string): string[];
}

/** One field's value, or undefined when it is absent or repeated (a date then is not one date). */
function single(headers: HeaderSource, name: string): string | undefined {
  const all = headers.getAll(name);
  return all.length === 1 ? all[0] : undefined;
}

/** The value of a list field, its lines joined (RFC 9110 §5.3), or undefined when absent. */
function list(headers: HeaderSource, name: string): string | undefined {
  const all = headers.getAll(name);
  return all.length === 0 ? undefined : all.join(', ');
}

/**
 * Evaluates the preconditions in RFC 9110 §13.2.2's order for a GET or HEAD of a file:
 * 412 (If-Match, If-Unmodified-Since failed), 304 (If-None-Match, If-Modified-Since: not
 * modified), or 200 (go on; `Range` is decided by `selectRange()`).
 */
export function evaluatePreconditions(headers: HeaderSource, file: FileValidators): 200 | 304 | 412 {
  const ifMatch = list(headers, 'If-Match');
  if (ifMatch !== undefined) {
    if (!matchesStrong(ifMatch, file.etag)) return 412;
  } else {
    const ius = single(headers, 'If-Unmodified-Since');
    const date = ius === undefined ? null : parseHttpDate(ius);
    if (date !== null && file.lastModified > date) return 412;
  }
  const ifNoneMatch = list(headers, 'If-None-Match');
  if (ifNoneMatch !== undefined) {
    if (matchesWeak(ifNoneMatch, file.etag)) return 304;
  } else {
    const ims = single(headers, 'If-Modified-Since');
    const date = ims === undefined ? null : parseHttpDate(ims);
    // Not modified since: the file's second is not after the date (CPython: `last_modif <= ims`).
    if (date !== null && file.lastModified <= date) return 304;
  }
  return 200;
}

/** At most this many ranges in one `Range` field; more is ignored (a cheap request asking a lot). */
export const MAX_RANGES = 100;

/** What to send for `Range`: the whole file, one part of it (`end` inclusive), or 416. */
export type RangeChoice = { readonly kind: 'whole' } | { readonly kind: 'part'; readonly start: number; readonly end: number } | { readonly kind: 'unsatisfiable' };

const WHOLE: RangeChoice = { kind: 'whole' };
const UNSATISFIABLE: RangeChoice = { kind: 'unsatisfiable' };
const RANGE_SPEC = /^(\d*)-(\d*)$/;

/**
 * The byte ranges of a `Range` value for a file of `size` bytes, merged where they overlap or
 * touch; null when the value is not a valid `bytes` ranges-specifier (RFC 9110 §14.1.1), which
 * the server then ignores. An empty array: none is satisfiable.
 */
export function parseRange(value: string, size: number): Array<[number, number]> | null {
  const eq = value.indexOf('=');
  if (eq < 0 || value.slice(0, eq).trim().toLowerCase() !== 'bytes') return null;
  const specs = value
    .slice(eq + 1)
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  if (specs.length === 0 || specs.length > MAX_RANGES) return null;
  const ranges: Array<[number, number]> = [];
  for (const spec of specs) {
    const m = RANGE_SPEC.exec(spec);
    if (m === null || (m[1] === '' && m[2] === '')) return null;
    if (m[1] === '') {
      // suffix-range: the last n bytes; satisfiable when n > 0 (and the file is not empty).
      const n = Number(m[2]);
      if (n > 0 && size > 0) ranges.push([Math.max(0, size - n), size - 1]);
      continue;
    }
    const first = Number(m[1]);
    const last = m[2] === '' ? Infinity : Number(m[2]);
    if (last < first) return null; // an invalid int-range makes the whole field invalid
    if (first < size) ranges.push([first, Math.min(last, size - 1)]);
  }
  ranges.sort((a, b) => a[0] - b[0]);
  const merged: Array<[number, number]> = [];
  for (const r of ranges) {
    const top = merged[merged.length - 1];
    if (top !== undefined && r[0] <= top[1] + 1) top[1] = Math.max(top[1], r[1]);
    else merged.push([r[0], r[1]]);
  }
  return merged;
}

/**
 * Decides a GET's `Range` (with `If-Range`) for a file of `size` bytes. `nowSeconds` decides
 * whether `Last-Modified` is a strong validator (§8.8.2.2: at least a second in the past).
 * Several ranges that do not merge into one get the whole file (a 200, which RFC 9110 §14.2
 * allows) rather than a multipart body.
 */
export function selectRange(headers: HeaderSource, size: number, file: FileValidators, nowSeconds: number): RangeChoice {
  const range = single(headers, 'Range');
  if (range === undefined) return WHOLE;
  const ifRange = headers.get('If-Range');
  if (ifRange !== undefined && !ifRangeHolds(ifRange.trim(), file, nowSeconds)) return WHOLE;
  const ranges = parseRange(range, size);
  if (ranges === null) return WHOLE;
  // An empty file has no byte to range over: it is sent whole (an empty 200), not refused.
  if (ranges.length === 0) return size === 0 ? WHOLE : UNSATISFIABLE;
  if (ranges.length > 1) return WHOLE;
  const [start, end] = ranges[0]!;
  return { kind: 'part', start, end };
}

/** §13.1.5: a strong entity tag equal to the file's, or a strong date equal to its `Last-Modified`. */
function ifRangeHolds(value: string, file: FileValidators, nowSeconds: number): boolean {
  if (value.startsWith('"')) return value === file.etag;
  if (value.startsWith('W/')) return false;
  const date = parseHttpDate(value);
  return date !== null && date === file.lastModified && file.lastModified < nowSeconds;
}
