/**
 * Common request field names and methods as constant strings, found by their bytes, so that the
 * parser does not slice a new string for each and lower-case it per request (issue 16).
 *
 * A name is recognised when its bytes are exactly one of the spellings below: the registry's
 * (`Content-Length`) or all lower case (`content-length`, as HTTP/2-era clients such as undici
 * send them). Any other spelling (`CONTENT-LENGTH`) is sliced and lower-cased as before, so
 * `HTTPMessage` always keeps the name as received. Both strings are internalized constants:
 * comparisons with literals (`lower === 'host'`) are pointer comparisons.
 */

interface KnownName {
  /** The spelling's bytes. */
  readonly bytes: Uint8Array;
  /** The same as a string (the name as received). */
  readonly name: string;
  /** `name.toLowerCase()`. */
  readonly lower: string;
}

/** The fields most requests carry, and those the server itself reads. */
const FIELD_NAMES = [
  'Host',
  'User-Agent',
  'Accept',
  'Accept-Encoding',
  'Accept-Language',
  'Connection',
  'Content-Length',
  'Content-Type',
  'Transfer-Encoding',
  'Expect',
  'Cookie',
  'Referer',
  'Origin',
  'Authorization',
  'Cache-Control',
  'Pragma',
  'If-None-Match',
  'If-Modified-Since',
  'Range',
  'Upgrade',
  'X-Request-Id',
  'X-Forwarded-For',
  'X-Forwarded-Proto',
  'traceparent',
  'tracestate',
];

/** Methods as constants, by the same rule (methods are case-sensitive: exactly these bytes). */
const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS'];

/** Entries by byte length: `[length][k]`. */
function byLength(spellings: Array<[string, string]>): KnownName[][] {
  const table: KnownName[][] = [];
  for (const [name, lower] of spellings) {
    const entry: KnownName = { bytes: new Uint8Array(Buffer.from(name, 'latin1')), name, lower };
    (table[name.length] ??= []).push(entry);
  }
  for (let i = 0; i < table.length; i++) table[i] ??= [];
  return table;
}

const FIELDS = byLength(
  FIELD_NAMES.flatMap((n): Array<[string, string]> =>
    n === n.toLowerCase()
      ? [[n, n]]
      : [
          [n, n.toLowerCase()],
          [n.toLowerCase(), n.toLowerCase()],
        ],
  ),
);
const METHOD_TABLE = byLength(METHODS.map((m): [string, string] => [m, m]));

/** The entry whose bytes are `buf[start, end)`, or null. */
function find(table: KnownName[][], buf: Uint8Array, start: number, end: number): KnownName | null {
  const n = end - start;
  if (n >= table.length) return null;
  const candidates = table[n]!;
  next: for (let k = 0; k < candidates.length; k++) {
    const e = candidates[k]!;
    const bytes = e.bytes;
    for (let i = 0; i < n; i++) if (bytes[i] !== buf[start + i]) continue next;
    return e;
  }
  return null;
}

/** The known field name spelled by `buf[start, end)` (its name and lower-cased name), or null. */
export function knownField(buf: Uint8Array, start: number, end: number): KnownName | null {
  return find(FIELDS, buf, start, end);
}

/** The known method spelled by `buf[start, end)` as a constant string, or null. */
export function knownMethod(buf: Uint8Array, start: number, end: number): string | null {
  return find(METHOD_TABLE, buf, start, end)?.name ?? null;
}
