/**
 * Common request field names and methods as constant strings, found by their bytes, so that the
 * parser does not slice a new string for each and lower-case it per request (issue 16).
 *
 * A name is recognised when its bytes are exactly one of the spellings below: the registry's
 * (`Content-Length`) or all lower case (`content-length`, as HTTP/2-era clients such as undici
 * send them). Any other spelling (`CONTENT-LENGTH`) is sliced and lower-cased as before, so
 * `HTTPMessage` always keeps the name as received. Both strings are literals (internalized):
 * comparisons with other literals (`lower === 'host'`) compare pointers.
 */

interface KnownName {
  /** The spelling's bytes. */
  readonly bytes: Uint8Array;
  /** The same as a string (the name as received). */
  readonly name: string;
  /** `name.toLowerCase()`. */
  readonly lower: string;
}

/**
 * The fields most requests carry, and those the server itself reads: each spelled as registered,
 * then lower-cased. Both are written out as literals, so that they are the same internalized
 * strings as the literals the server and its handlers look fields up with (`'host'`,
 * `headers.get('user-agent')`), and compare by identity.
 */
export const FIELD_NAMES: ReadonlyArray<readonly [string, string]> = [
  ['Host', 'host'],
  ['User-Agent', 'user-agent'],
  ['Accept', 'accept'],
  ['Accept-Encoding', 'accept-encoding'],
  ['Accept-Language', 'accept-language'],
  ['Connection', 'connection'],
  ['Content-Length', 'content-length'],
  ['Content-Type', 'content-type'],
  ['Transfer-Encoding', 'transfer-encoding'],
  ['Expect', 'expect'],
  ['Cookie', 'cookie'],
  ['Referer', 'referer'],
  ['Origin', 'origin'],
  ['Authorization', 'authorization'],
  ['Cache-Control', 'cache-control'],
  ['Pragma', 'pragma'],
  ['If-None-Match', 'if-none-match'],
  ['If-Modified-Since', 'if-modified-since'],
  ['Range', 'range'],
  ['Upgrade', 'upgrade'],
  ['X-Request-Id', 'x-request-id'],
  ['X-Forwarded-For', 'x-forwarded-for'],
  ['X-Forwarded-Proto', 'x-forwarded-proto'],
  ['traceparent', 'traceparent'],
  ['tracestate', 'tracestate'],
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
  FIELD_NAMES.flatMap(([name, lower]): Array<[string, string]> =>
    name === lower
      ? [[name, lower]]
      : [
          [name, lower],
          [lower, lower],
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
