/**
 * The test suite's one HTTP/1.x response parser: status line, header fields, bodies framed by
 * Content-Length, chunked coding or the close, several pipelined responses in a row, and
 * (on request) an HTTP/0.9 answer, which is a bare body with no status line.
 */

/** One response parsed from raw bytes. */
export interface ParsedResponse {
  /** e.g. 'HTTP/1.1'; 'HTTP/0.9' for a bare body (only with `http09`). */
  readonly version: string;
  /** The status code; 0 for an HTTP/0.9 answer. */
  readonly status: number;
  readonly reason: string;
  /** Field names lowercased; a repeated field's values joined with ', ' (as node:http does). */
  readonly headers: Readonly<Record<string, string>>;
  /** [name, value] in order, as received. */
  readonly rawHeaders: ReadonlyArray<readonly [string, string]>;
  /** The body (chunked framing removed). */
  readonly body: Buffer;
  /** True when the body ran to the end of the data (no Content-Length, not chunked). */
  readonly closeDelimited: boolean;
}

export interface ParseResult {
  readonly responses: ParsedResponse[];
  /** Bytes after the last complete response (an incomplete one, or data that is no response). */
  readonly rest: Buffer;
}

export interface ParseOptions {
  /** For each response index, whether it answers a HEAD request (no body). */
  readonly isHead?: (index: number) => boolean;
  /** Data that does not start with a status line is one HTTP/0.9 answer (its body runs to the end). */
  readonly http09?: boolean;
  /** Stop after this many responses (the rest is left in `rest`). */
  readonly limit?: number;
}

/** Case-insensitive lookup of the first header with that name. */
export function header(response: ParsedResponse, name: string): string | undefined {
  const lower = name.toLowerCase();
  return response.rawHeaders.find(([n]) => n.toLowerCase() === lower)?.[1];
}

/** True when the response announces `Connection: close`. */
export function announcesClose(response: ParsedResponse): boolean {
  return (header(response, 'connection') ?? '')
    .toLowerCase()
    .split(',')
    .some((t) => t.trim() === 'close');
}

const STATUS_LINE = /^(HTTP\/\d\.\d) (\d{3})(?: (.*))?$/;

/** The head at `offset`: status line and fields, or null when it is incomplete or no response head. */
function parseHead(
  data: Buffer,
  offset: number,
): { version: string; status: number; reason: string; rawHeaders: Array<readonly [string, string]>; bodyAt: number } | null {
  const headEnd = data.indexOf('\r\n\r\n', offset, 'latin1');
  if (headEnd < 0) return null;
  const lines = data.subarray(offset, headEnd).toString('latin1').split('\r\n');
  const m = STATUS_LINE.exec(lines[0] ?? '');
  if (m === null) return null;
  const rawHeaders: Array<readonly [string, string]> = [];
  for (const line of lines.slice(1)) {
    const colon = line.indexOf(':');
    if (colon <= 0) return null;
    rawHeaders.push([line.slice(0, colon), line.slice(colon + 1).trim()]);
  }
  return { version: m[1]!, status: Number(m[2]), reason: m[3] ?? '', rawHeaders, bodyAt: headEnd + 4 };
}

function fieldMap(rawHeaders: ReadonlyArray<readonly [string, string]>): Record<string, string> {
  const map: Record<string, string> = {};
  for (const [name, value] of rawHeaders) {
    const key = name.toLowerCase();
    map[key] = key in map ? `${map[key]}, ${value}` : value;
  }
  return map;
}

/**
 * Parses consecutive HTTP/1.x responses. Stops at the first thing that is not a complete
 * response and returns it as `rest`. 1xx responses are returned like any other (no body).
 */
export function parseResponses(data: Buffer, options: ParseOptions = {}): ParseResult {
  const responses: ParsedResponse[] = [];
  if (options.http09 === true && data.length > 0 && !'HTTP/'.startsWith(data.toString('latin1', 0, 5))) {
    responses.push({ version: 'HTTP/0.9', status: 0, reason: '', headers: {}, rawHeaders: [], body: data, closeDelimited: true });
    return { responses, rest: data.subarray(data.length) };
  }
  let offset = 0;
  while (offset < data.length && responses.length < (options.limit ?? Infinity)) {
    const head = parseHead(data, offset);
    if (head === null) break;
    const { status, rawHeaders, bodyAt, ...line } = head;
    const partial = { ...line, status, rawHeaders, headers: fieldMap(rawHeaders) };
    let pos = bodyAt;
    const noBody = (status >= 100 && status < 200) || status === 204 || status === 304 || (options.isHead?.(responses.length) ?? false);
    const te = partial.headers['transfer-encoding'];
    const cl = partial.headers['content-length'];
    if (noBody) {
      responses.push({ ...partial, body: Buffer.alloc(0), closeDelimited: false });
    } else if (te !== undefined && /chunked\s*$/i.test(te)) {
      const decoded = decodeChunked(data, pos);
      if (decoded === null) break;
      responses.push({ ...partial, body: decoded.body, closeDelimited: false });
      pos = decoded.end;
    } else if (cl !== undefined && /^\d+$/.test(cl)) {
      const n = Number(cl);
      if (data.length - pos < n) break;
      responses.push({ ...partial, body: data.subarray(pos, pos + n), closeDelimited: false });
      pos += n;
    } else {
      responses.push({ ...partial, body: data.subarray(pos), closeDelimited: true });
      pos = data.length;
    }
    offset = pos;
  }
  return { responses, rest: data.subarray(offset) };
}

function decodeChunked(data: Buffer, start: number): { body: Buffer; end: number } | null {
  const parts: Buffer[] = [];
  let pos = start;
  for (;;) {
    const eol = data.indexOf('\r\n', pos, 'latin1');
    if (eol < 0) return null;
    const size = parseInt(data.subarray(pos, eol).toString('latin1').split(';')[0]!.trim(), 16);
    if (!Number.isFinite(size)) return null;
    pos = eol + 2;
    if (size === 0) {
      // trailer section up to the empty line
      for (;;) {
        const e = data.indexOf('\r\n', pos, 'latin1');
        if (e < 0) return null;
        const empty = e === pos;
        pos = e + 2;
        if (empty) return { body: Buffer.concat(parts), end: pos };
      }
    }
    if (data.length < pos + size + 2) return null;
    parts.push(data.subarray(pos, pos + size));
    pos += size + 2;
  }
}

/**
 * The status codes in `text` (latin-1), in order: every complete response, then the one whose
 * status line has arrived but whose head or body has not (text read up to some marker).
 */
export function statuses(text: string): number[] {
  const data = Buffer.from(text, 'latin1');
  const { responses, rest } = parseResponses(data);
  const codes = responses.map((r) => r.status);
  const started = /^HTTP\/\d\.\d (\d{3})(?: [^\r\n]*)?\r\n/.exec(rest.toString('latin1'));
  if (started !== null) codes.push(Number(started[1]));
  return codes;
}

/**
 * True when `bytes` is a sequence of complete HTTP/1.x responses whose last one is final
 * (not 1xx). A response framed by the close (or a bare HTTP/0.9 body) is complete only at close.
 */
export function responsesComplete(bytes: Buffer, head: boolean): boolean {
  const { responses, rest } = parseResponses(bytes, { isHead: () => head });
  const last = responses.at(-1);
  return rest.length === 0 && last !== undefined && last.status >= 200 && !last.closeDelimited;
}

/** Values of every `name` field in the responses in `bytes`, in order. */
export function headerValues(bytes: Buffer, name: string): string[] {
  const lower = name.toLowerCase();
  return parseResponses(bytes).responses.flatMap((r) => r.rawHeaders.filter(([n]) => n.toLowerCase() === lower).map(([, v]) => v));
}

/**
 * CPython answers some errors with a bare HTML page and no status line (its HTTP/0.9 path).
 * Returns the error code such a page shows, or null when `data` is not one. Used to describe a
 * failure precisely, never to accept one.
 */
export function bareErrorPageCode(data: Buffer): number | null {
  const [answer] = parseResponses(data, { http09: true }).responses;
  if (answer?.version !== 'HTTP/0.9') return null;
  const text = answer.body.toString('latin1');
  if (!text.startsWith('<!DOCTYPE HTML>')) return null;
  const m = /Error code: (\d{3})/.exec(text);
  return m === null ? null : Number(m[1]);
}

/** A short printable description of what came back, for assertion messages. */
export function describe(data: Buffer, max = 160): string {
  const s = data.toString('latin1');
  const shown = JSON.stringify(s.length > max ? `${s.slice(0, max)}…` : s);
  return `${data.length} bytes ${shown}`;
}
