import { checkHeaderName, checkHeaderValue } from './response-checks.js';
import { HeadPiece } from './response-head.js';
import { responses } from './responses.js';

/**
 * Caches on the response path, shared by all connections: what was checked once (a header name
 * or value is valid or not whatever the connection) and what was built once (the `Server`
 * value, the `Server` and `Date` lines). Each saves string work on every response; the
 * measurements are in docs/performance.md.
 */

/** Header names already checked (bounded: names come from code, not clients). */
const goodNames = new Set<string>();
/**
 * The last four names found good, compared with `===` before the `Set`: a handler sends the same
 * few names on every response, almost always the same literals (then the comparison is of two
 * pointers), and the `Set` lookup was 0.9–1.7 % of a bare pipelined profile (two per response).
 * It starts with a good name, never with one the check refuses (such as the empty string).
 */
const recentNames: string[] = ['Content-Length', 'Content-Length', 'Content-Length', 'Content-Length'];
let recentNext = 0;

/** Throws `ERR_INVALID_HEADER_NAME` unless `name` is a token; each name is checked once. */
export function checkNameCached(name: string): void {
  const r = recentNames;
  if (name === r[0] || name === r[1] || name === r[2] || name === r[3]) return;
  if (!goodNames.has(name)) {
    checkHeaderName(name);
    if (goodNames.size < 1024) goodNames.add(name);
  }
  r[recentNext] = name;
  recentNext = (recentNext + 1) & 3;
}

/**
 * Header values already checked: four entries, compared by identity first, and four candidates
 * a value must pass through first. The values a handler sends again and again (Content-Type…)
 * are checked once (5.3 % of a pipelined profile was this check before); a value new on every
 * request (a request id) enters the candidates only, so it never evicts the repeated ones (the
 * service measured ~0.6 µs per request of re-checks before).
 */
const checkedValues: string[] = ['', '', '', ''];
let checkedNext = 0;
const candidates: string[] = ['', '', '', ''];
let candidateNext = 0;

/** Throws `ERR_INVALID_HEADER_VALUE` when `value` is not latin-1 or holds CR, LF or NUL. */
export function checkValueCached(name: string, value: string): void {
  const ok = checkedValues;
  if (value === ok[0] || value === ok[1] || value === ok[2] || value === ok[3]) return;
  checkHeaderValue(name, value);
  const seen = candidates;
  if (value === seen[0] || value === seen[1] || value === seen[2] || value === seen[3]) {
    ok[checkedNext] = value;
    checkedNext = (checkedNext + 1) & 3;
  } else {
    seen[candidateNext] = value;
    candidateNext = (candidateNext + 1) & 3;
  }
}

/** The blank line that ends a head. */
export const END_OF_HEAD: HeadPiece = HeadPiece.of('\r\n');

/**
 * Header lines built for (name, value) pairs a handler sends again and again (`Content-Type:
 * text/plain`, `Content-Length: 13`…), with their bytes: four entries, compared by identity
 * first (a literal name and a literal or number value: pointer or number comparisons). A hit
 * skips both checks and the line's string building (the line was checked when built), and the
 * response head copies its bytes (`response-head.ts`). A pair enters only once seen twice within
 * four candidates, so a value new on every response (a request id, a growing length) never
 * evicts the repeated ones.
 */
// Seeded with NaN values, which `===` nothing: a seed must never answer for a pair, not even
// for ('', ''), whose name the check refuses.
const lineNames: string[] = ['', '', '', ''];
const lineValues: (string | number)[] = [NaN, NaN, NaN, NaN];
const linePieces: HeadPiece[] = [END_OF_HEAD, END_OF_HEAD, END_OF_HEAD, END_OF_HEAD];
let lineNext = 0;
const pairNames: string[] = ['', '', '', ''];
const pairValues: (string | number)[] = [NaN, NaN, NaN, NaN];
let pairNext = 0;
/** The line `headerLine()` returned last as a piece, or null when it was not a cached one. */
let lastLinePiece: HeadPiece | null = null;

/**
 * `name: value\r\n`, with `name` checked as a token and a string `value` as latin-1 without CR,
 * LF or NUL (throws `ERR_INVALID_HEADER_NAME`, then `ERR_INVALID_HEADER_VALUE`); a number needs
 * no check (digits, sign, `.`, `e`, `Infinity`, `NaN`). {@link headerLinePiece} then gives its
 * bytes when the line came from the cache.
 */
export function headerLine(name: string, value: string | number): string {
  const n = lineNames;
  const v = lineValues;
  let i = -1;
  if (value === v[0] && name === n[0]) i = 0;
  else if (value === v[1] && name === n[1]) i = 1;
  else if (value === v[2] && name === n[2]) i = 2;
  else if (value === v[3] && name === n[3]) i = 3;
  if (i >= 0) {
    const piece = linePieces[i]!;
    lastLinePiece = piece;
    return piece.text;
  }
  lastLinePiece = null;
  checkNameCached(name);
  if (typeof value !== 'number') checkValueCached(name, value);
  const line = `${name}: ${value}\r\n`;
  const pn = pairNames;
  const pv = pairValues;
  if ((value === pv[0] && name === pn[0]) || (value === pv[1] && name === pn[1]) || (value === pv[2] && name === pn[2]) || (value === pv[3] && name === pn[3])) {
    n[lineNext] = name;
    v[lineNext] = value;
    linePieces[lineNext] = HeadPiece.of(line);
    lineNext = (lineNext + 1) & 3;
  } else {
    pn[pairNext] = name;
    pv[pairNext] = value;
    pairNext = (pairNext + 1) & 3;
  }
  return line;
}

/** The line the last `headerLine()` call returned as a piece, when it came from the cache; else null. */
export function headerLinePiece(): HeadPiece | null {
  return lastLinePiece;
}

/** `versionString()`'s last result: serverVersion, sysVersion, the joined value. */
const versionParts: [string, string, string] = ['', '', ''];

/**
 * `serverVersion sysVersion`, built once per pair: a new string per response also missed the
 * value cache's identity check and was flattened again on every write.
 */
export function joinVersion(serverVersion: string, sysVersion: string): string {
  if (serverVersion !== versionParts[0] || sysVersion !== versionParts[1]) {
    versionParts[0] = serverVersion;
    versionParts[1] = sysVersion;
    versionParts[2] = `${serverVersion} ${sysVersion}`;
  }
  return versionParts[2];
}

/** `Server: …\r\nDate: …\r\n` for the last (Server, Date) values seen, checked when built. */
let sdServer = '';
let sdDate = '';
let sdLines = '';
let sdPiece: HeadPiece | null = null;

/** The `Server` and `Date` header lines, rebuilt (and checked) when either value changes. */
export function serverDateLines(server: string, date: string): string {
  if (server !== sdServer || date !== sdDate) {
    checkHeaderValue('Server', server);
    checkHeaderValue('Date', date);
    sdLines = `Server: ${server}\r\nDate: ${date}\r\n`;
    sdPiece = null;
    sdServer = server;
    sdDate = date;
  }
  return sdLines;
}

/** The lines the last `serverDateLines()` call returned, as a piece. */
export function serverDatePiece(): HeadPiece {
  return (sdPiece ??= HeadPiece.of(sdLines));
}

/** The last status line built: protocol, code and reason (compared by identity), the line. */
let slVersion = '';
let slCode = 0;
let slReason = '';
let slLine = '';
let slPiece: HeadPiece | null = null;

/**
 * `HTTP/1.1 200 OK\r\n`, rebuilt only when the protocol, the code or the reason changes: a
 * server answers the same status again and again, and a template literal with a number in it
 * per response was a new string and a number-to-string conversion each time. The caller has
 * checked `code` and `reason`.
 */
export function statusLine(version: string, code: number, reason: string): string {
  if (code !== slCode || version !== slVersion || reason !== slReason) {
    slLine = `${version} ${code} ${reason}\r\n`;
    slPiece = null;
    slVersion = version;
    slCode = code;
    slReason = reason;
  }
  return slLine;
}

/** The line the last `statusLine()` call returned, as a piece. */
export function statusLinePiece(): HeadPiece {
  return (slPiece ??= HeadPiece.of(slLine));
}

/**
 * The short messages of the library's `responses` table (frozen) by code, 0–999, `''` where it
 * has none: a plain array, read with an inlined load. The table itself has dictionary elements,
 * which optimized code reads through a generic `KeyedLoadIC` (0.7 % of a bare pipelined profile).
 */
const DEFAULT_REASONS: readonly string[] = Array.from({ length: 1000 }, (_, code) => responses[code]?.[0] ?? '');

/** The short message for `code` (a checked status, 100–999) in the library's `responses` table, or `''`. */
export function defaultReason(code: number): string {
  return DEFAULT_REASONS[code]!;
}
