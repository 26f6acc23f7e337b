import { BaseHTTPError } from '../socketserver/errors.js';
import type { SocketReader } from '../socketserver/socket-reader.js';
import { TCHAR } from './header-parser.js';

/** No body (no Content-Length, no Transfer-Encoding: RFC 9112 §6.3 ¶7). */
export const BODY_NONE = 0;
/** Content-Length framing. */
export const BODY_LENGTH = 1;
/** Chunked framing (RFC 9112 §7.1). */
export const BODY_CHUNKED = 2;

const SIZE = 0;
const DATA = 1;
const DATA_END = 2;
const TRAILER = 3;
const DONE = 4;

/** Longest chunk-size line (size + extensions) accepted; longer is refused, not buffered. */
const MAX_CHUNK_LINE = 4096;
/** Longest chunk-size in hex digits: 13 keeps every size an exact double (< 2^52). */
const MAX_HEX_DIGITS = 13;

const badChunk = (why: string): BaseHTTPError => new BaseHTTPError('ERR_BAD_CHUNK', `Bad chunked encoding: ${why}`, 400);

/** The body-size error (413): `readBody()` and the pre-dispatch check throw it. */
export const tooLarge = (maxBytes: number): BaseHTTPError => new BaseHTTPError('ERR_BODY_TOO_LARGE', `request body over ${maxBytes} bytes`, 413);

/** Bounds for decoding a chunked body. */
export interface ChunkLimits {
  /** Longest trailer line. */
  maxLine: number;
  /** Most trailer fields. */
  maxTrailers: number;
  /** Most decoded body bytes. */
  maxBody: number;
}

/**
 * Checks the chunked framing of the body bytes already buffered at `buf[start..]` without
 * consuming them, so a request whose body is malformed (or announces too much) is refused before
 * its handler runs. Stops quietly where the buffered bytes end. Throws `ERR_BAD_CHUNK` (400) or
 * `ERR_BODY_TOO_LARGE` (413).
 */
export function precheckChunked(buf: Buffer, start: number, limits: ChunkLimits): void {
  const end = buf.length;
  let p = start;
  let total = 0;
  for (;;) {
    const lf = buf.indexOf(10, p);
    if (lf === -1) {
      if (end - p > MAX_CHUNK_LINE) throw badChunk('line too long');
      return;
    }
    if (lf - p + 1 > MAX_CHUNK_LINE) throw badChunk('line too long');
    if (lf === p || buf[lf - 1] !== 0x0d) throw badChunk('line not ended by CRLF');
    const size = parseChunkSize(buf, p, lf);
    total += size;
    if (total > limits.maxBody) throw tooLarge(limits.maxBody);
    p = lf + 1;
    if (size === 0) break;
    if (end - p < size + 2) return;
    p += size;
    if (buf[p] !== 0x0d || buf[p + 1] !== 0x0a) throw badChunk('chunk data not followed by CRLF');
    p += 2;
  }
  for (let trailers = 0; ; trailers++) {
    const lf = buf.indexOf(10, p);
    if (lf === -1) return;
    if (lf - p + 1 > limits.maxLine) throw badChunk('line too long');
    if (lf === p || buf[lf - 1] !== 0x0d) throw badChunk('line not ended by CRLF');
    if (lf === p + 1) return;
    if (trailers >= limits.maxTrailers) throw badChunk('too many trailer fields');
    checkTrailerLine(buf, p, lf);
    p = lf + 1;
  }
}

/** A trailer field line `buf[s..lf]` (CRLF-ended): token, colon, value without controls. */
function checkTrailerLine(b: Uint8Array, s: number, lf: number): void {
  let c = s;
  while (c < lf - 1 && TCHAR[b[c]!] === 1) c++;
  if (c === s || b[c] !== 0x3a) throw badChunk('malformed trailer field');
  for (let k = c + 1; k < lf - 1; k++) {
    const x = b[k]!;
    if ((x < 0x20 && x !== 0x09) || x === 0x7f) throw badChunk('control character in a trailer field');
  }
}

/**
 * Decodes one request body at a time from the connection's `rfile`: Content-Length or chunked.
 * It sits beside the raw `rfile`; the server uses it to discard whatever the handler left
 * unread before the next request is parsed, so a body is never read as a request.
 *
 * For handlers: `BaseHTTPRequestHandler.readBody()`. For the server: `begin()`, `pump()`,
 * `done`, `doubt` (the handler read the socket directly inside a chunked body, so the
 * decoder's position is unknown and the connection must close).
 */
export class BodyReader {
  mode = BODY_NONE;
  /** Bytes left in the Content-Length body, or in the current chunk's data. */
  remaining = 0;
  /** Decoded body bytes delivered or discarded so far. */
  decoded = 0;
  #state = DONE;
  #trailers = 0;
  /** `rfile.consumed` expected if only this decoder read the body. */
  #rawPos = 0;
  readonly #rfile: SocketReader;

  constructor(rfile: SocketReader) {
    this.#rfile = rfile;
  }

  /** Starts a request's body. */
  begin(mode: number, contentLength: number): void {
    this.mode = mode;
    this.decoded = 0;
    this.#trailers = 0;
    this.#rawPos = this.#rfile.consumed;
    if (mode === BODY_LENGTH) {
      this.remaining = contentLength;
      this.#state = contentLength === 0 ? DONE : DATA;
    } else if (mode === BODY_CHUNKED) {
      this.remaining = 0;
      this.#state = SIZE;
    } else {
      this.remaining = 0;
      this.#state = DONE;
    }
  }

  /** True once the whole body (and, when chunked, its trailers) has been read. */
  get done(): boolean {
    if (this.mode === BODY_LENGTH) this.#syncLength();
    return this.#state === DONE;
  }

  /**
   * True when the handler read the raw `rfile` inside a chunked body, or past the end of a
   * Content-Length body: framing is in doubt and the connection must close.
   */
  get doubt(): boolean {
    if (this.mode === BODY_LENGTH) {
      this.#syncLength();
      return this.#rfile.consumed > this.#rawPos;
    }
    return this.mode === BODY_CHUNKED && this.#rfile.consumed !== this.#rawPos;
  }

  /** Raw `rfile` reads of a Content-Length body count as reads of the body. */
  #syncLength(): void {
    const extra = this.#rfile.consumed - this.#rawPos;
    if (extra > 0) {
      const used = Math.min(extra, this.remaining);
      this.remaining -= used;
      this.decoded += used;
      this.#rawPos += used;
      if (this.remaining === 0) this.#state = DONE;
    }
  }

  /**
   * Decodes what is buffered. Each decoded piece goes to `sink` (or is dropped when `sink` is
   * null). Returns true when the body is complete, false when more input is needed. Throws
   * `ERR_BAD_CHUNK` (400) on malformed chunking.
   */
  pump(sink: Buffer[] | null, limits: ChunkLimits): boolean {
    const rfile = this.#rfile;
    if (this.mode === BODY_LENGTH) this.#syncLength();
    for (;;) {
      switch (this.#state) {
        case DONE:
          return true;
        case DATA: {
          const avail = rfile.available;
          if (avail === 0) return false;
          const piece = rfile.take(this.remaining);
          this.#rawPos += piece.length;
          this.remaining -= piece.length;
          this.decoded += piece.length;
          if (sink !== null) sink.push(piece);
          if (this.remaining === 0) this.#state = this.mode === BODY_CHUNKED ? DATA_END : DONE;
          break;
        }
        case DATA_END: {
          // RFC 9112 §7.1: chunk data ends with CRLF, exactly.
          if (rfile.available < 2) {
            if (rfile.available === 1 && rfile.buffer[rfile.start] !== 0x0d) throw badChunk('chunk data not followed by CRLF');
            return false;
          }
          const b = rfile.buffer;
          if (b[rfile.start] !== 0x0d || b[rfile.start + 1] !== 0x0a) throw badChunk('chunk data not followed by CRLF');
          this.#advance(2);
          this.#state = SIZE;
          break;
        }
        case SIZE: {
          const line = this.#line(MAX_CHUNK_LINE);
          if (line === -1) return false;
          const size = parseChunkSize(rfile.buffer, rfile.start, line);
          // An announced chunk that cannot fit is refused now, not after waiting for its bytes.
          if (this.decoded + size > limits.maxBody) throw tooLarge(limits.maxBody);
          this.#advance(line - rfile.start + 1);
          if (size === 0) {
            this.#state = TRAILER;
          } else {
            this.remaining = size;
            this.#state = DATA;
          }
          break;
        }
        case TRAILER: {
          const line = this.#line(limits.maxLine);
          if (line === -1) return false;
          const b = rfile.buffer;
          const s = rfile.start;
          if (line === s + 1) {
            this.#advance(2);
            this.#state = DONE;
            break;
          }
          if (++this.#trailers > limits.maxTrailers) throw badChunk('too many trailer fields');
          checkTrailerLine(b, s, line);
          this.#advance(line - s + 1);
          break;
        }
      }
    }
  }

  #advance(n: number): void {
    this.#rfile.consume(n);
    this.#rawPos += n;
  }

  /** Offset of the LF ending a CRLF line at the read position; -1 if not here yet. */
  #line(max: number): number {
    const rfile = this.#rfile;
    const s = rfile.start;
    const nl = rfile.buffer.indexOf(10, s);
    if (nl === -1) {
      if (rfile.available > max) throw badChunk('line too long');
      return -1;
    }
    if (nl - s + 1 > max) throw badChunk('line too long');
    if (nl === s || rfile.buffer[nl - 1] !== 0x0d) throw badChunk('line not ended by CRLF');
    return nl;
  }
}

/**
 * `chunk-size [ chunk-ext ] CRLF` (RFC 9112 §7.1.1): hex digits only (no sign, no `0x`, no
 * space inside), then extensions `;name[=token|quoted-string]` with optional BWS. `lf` is the
 * line's LF, preceded by CR (checked by the caller).
 */
export function parseChunkSize(b: Uint8Array, s: number, lf: number): number {
  const end = lf - 1;
  let i = s;
  let size = 0;
  while (i < end) {
    const c = b[i]!;
    const d = c >= 0x30 && c <= 0x39 ? c - 0x30 : c >= 0x61 && c <= 0x66 ? c - 87 : c >= 0x41 && c <= 0x46 ? c - 55 : -1;
    if (d === -1) break;
    size = size * 16 + d;
    i++;
  }
  if (i === s) throw badChunk('missing chunk size');
  if (i - s > MAX_HEX_DIGITS) throw badChunk('chunk size too large');
  // Extensions: *( BWS ";" BWS name [ BWS "=" BWS ( token / quoted-string ) ] ). Whitespace
  // is allowed only before a ";" (Http11Probe SMUG-CHUNK-SIZE-TRAILING-OWS is a MUST).
  for (;;) {
    if (i === end) return size;
    while (i < end && (b[i] === 0x20 || b[i] === 0x09)) i++;
    if (i === end || b[i] !== 0x3b) throw badChunk('invalid character after chunk size');
    i++;
    while (i < end && (b[i] === 0x20 || b[i] === 0x09)) i++;
    const n0 = i;
    while (i < end && TCHAR[b[i]!] === 1) i++;
    if (i === n0) throw badChunk('empty chunk extension name');
    while (i < end && (b[i] === 0x20 || b[i] === 0x09)) i++;
    if (i < end && b[i] === 0x3d) {
      i++;
      while (i < end && (b[i] === 0x20 || b[i] === 0x09)) i++;
      if (i < end && b[i] === 0x22) {
        i++;
        for (;;) {
          if (i >= end) throw badChunk('unterminated quoted chunk extension');
          const c = b[i]!;
          if (c === 0x22) {
            i++;
            break;
          }
          if (c === 0x5c) i++;
          else if ((c < 0x20 && c !== 0x09) || c === 0x7f) throw badChunk('control character in chunk extension');
          i++;
        }
      } else {
        const v0 = i;
        while (i < end && TCHAR[b[i]!] === 1) i++;
        if (i === v0) throw badChunk('empty chunk extension value');
      }
    }
  }
}
