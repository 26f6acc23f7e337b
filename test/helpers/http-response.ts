/** One HTTP/1.x response parsed from raw bytes. */
export interface ParsedResponse {
  /** e.g. 'HTTP/1.1' */
  readonly version: string;
  readonly status: number;
  readonly reason: string;
  /** [name, value] in order, as received. */
  readonly headers: ReadonlyArray<readonly [string, string]>;
  /** The body (chunked framing removed). */
  readonly body: Buffer;
  /** True when the body ran to the end of the data (no Content-Length, not chunked). */
  readonly closeDelimited: boolean;
}

/** Case-insensitive lookup of the first header with that name. */
export function header(response: ParsedResponse, name: string): string | undefined {
  const lower = name.toLowerCase();
  return response.headers.find(([n]) => n.toLowerCase() === lower)?.[1];
}

/** True when the response announces `Connection: close`. */
export function announcesClose(response: ParsedResponse): boolean {
  return (header(response, 'connection') ?? '')
    .toLowerCase()
    .split(',')
    .some((t) => t.trim() === 'close');
}

export interface ParseResult {
  readonly responses: ParsedResponse[];
  /** Bytes after the last complete response (an incomplete one, or data that is no response). */
  readonly rest: Buffer;
}

export interface ParseOptions {
  /** For each response index, whether it answers a HEAD request (no body). */
  readonly isHead?: (index: number) => boolean;
}

const STATUS_LINE = /^(HTTP\/\d\.\d) (\d{3})(?: (.*))?$/;

/**
 * Parses consecutive HTTP/1.x responses. Stops at the first thing that is not a complete
 * response and returns it as `rest`. 1xx responses are returned like any other (no body).
 */
export function parseResponses(data: Buffer, options: ParseOptions = {}): ParseResult {
  const responses: ParsedResponse[] = [];
  let offset = 0;
  while (offset < data.length) {
    const headEnd = data.indexOf('\r\n\r\n', offset, 'latin1');
    if (headEnd < 0) break;
    const lines = data.subarray(offset, headEnd).toString('latin1').split('\r\n');
    const m = STATUS_LINE.exec(lines[0] ?? '');
    if (m === null) break;
    const headers: Array<readonly [string, string]> = [];
    let malformed = false;
    for (const line of lines.slice(1)) {
      const colon = line.indexOf(':');
      if (colon <= 0) {
        malformed = true;
        break;
      }
      headers.push([line.slice(0, colon), line.slice(colon + 1).trim()]);
    }
    if (malformed) break;
    const status = Number(m[2]);
    const partial: Omit<ParsedResponse, 'body' | 'closeDelimited'> = { version: m[1]!, status, reason: m[3] ?? '', headers };
    let pos = headEnd + 4;
    const noBody = (status >= 100 && status < 200) || status === 204 || status === 304 || (options.isHead?.(responses.length) ?? false);
    const find = (n: string): string | undefined => headers.find(([k]) => k.toLowerCase() === n)?.[1];
    const te = find('transfer-encoding');
    const cl = find('content-length');
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
 * CPython answers some errors with a bare HTML page and no status line (its HTTP/0.9 path).
 * Returns the error code such a page shows, or null when `data` is not one. Used to describe a
 * failure precisely, never to accept one.
 */
export function bareErrorPageCode(data: Buffer): number | null {
  const text = data.toString('latin1');
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
