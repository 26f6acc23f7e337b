import type { SocketWriter } from '../socketserver/socket-writer.js';
import type { BaseHTTPRequestHandler } from './request-handler.js';
import { hasToken, parseVersion } from './request-line.js';

/** Buffer's latin-1 decoder, for a piece's bytes as a plain `Uint8Array` (once per merged piece). */
const latin1Slice = Buffer.prototype.latin1Slice as (this: Uint8Array, start: number, end: number) => string;

/** Merged pieces stop growing at this many bytes: a head is rarely longer, and a long run of one repeated line must not keep every prefix of itself. */
const MAX_MERGED_BYTES = 1024;
/** The next piece's serial number. */
let nextPieceId = 0;

/**
 * A piece of response head built once and sent many times (a status line, the `Server` and
 * `Date` lines, a repeated header line, the blank line), as text and as bytes. It remembers which
 * piece followed it last (by serial number, so an evicted piece is not kept alive): the second
 * time the same piece follows, the two are merged into one piece, kept for the next time
 * (`merged`), so a head sent again and again becomes one piece — one copy into a batch of bytes,
 * one string in a batch of text. Made by {@link HeadPiece.of} (text and bytes always agree).
 */
export class HeadPiece {
  readonly text: string;
  readonly bytes: Uint8Array;
  readonly #id = nextPieceId++;
  /** The serial number of the piece that followed this one last, and the two merged (null until it followed twice in a row). */
  #nextId = -1;
  #merged: HeadPiece | null = null;

  private constructor(text: string, bytes: Uint8Array) {
    this.text = text;
    this.bytes = bytes;
  }

  /**
   * A piece of `text`, which is latin-1 (a character above U+00FF, which only an unchecked reason
   * of a handler's own `responses` table can hold, is sent as its low byte, as `latin1Write`
   * sends it; a merged piece's text is made from its bytes).
   */
  static of(text: string): HeadPiece {
    const b = new Uint8Array(text.length);
    for (let i = 0; i < text.length; i++) b[i] = text.charCodeAt(i);
    return new HeadPiece(text, b);
  }

  /** This piece followed by `piece`: their merged piece once `piece` followed this one twice in a row, else null. */
  followedBy(piece: HeadPiece): HeadPiece | null {
    if (this.#nextId !== piece.#id) {
      this.#nextId = piece.#id;
      this.#merged = null;
      return null;
    }
    let m = this.#merged;
    if (m === null) {
      const a = this.bytes;
      if (a.length + piece.bytes.length > MAX_MERGED_BYTES) return null;
      const b = new Uint8Array(a.length + piece.bytes.length);
      b.set(a, 0);
      b.set(piece.bytes, a.length);
      // A flat string, made from the bytes (a `+` would keep a tree of the two).
      m = this.#merged = new HeadPiece(latin1Slice.call(b, 0, b.length), b);
    }
    return m;
  }
}

/**
 * The head being built, as pieces: each piece's text and, for a piece built once and reused, the
 * {@link HeadPiece}, so that a batch of responses that `wfile` keeps as bytes copies its bytes
 * instead of flattening a new string per head (`SocketWriter.writeHead`: `latin1Write` of a
 * string built by `+=` first copies it into a new flat string). Consecutive reusable pieces are
 * merged (`HeadPiece.followedBy`). Shared by all connections: a head is usually built from
 * `sendResponse()` to `endHeaders()` without a wait, and one connection owns the pieces at a
 * time (`headOwner`). A handler that awaits between the two leaves its pieces owned; the next
 * connection to start a head first turns them into that connection's `text` (`spill()`), which
 * then goes on as a string. Nothing per connection but `text`.
 */
const headTexts: string[] = [];
const headPieces: (HeadPiece | null)[] = [];
let headCount = 0;
/** Characters in the owned pieces. */
let headLength = 0;
let headOwner: ResponseHead | null = null;
/** Past this many pieces, the shared arrays are emptied rather than kept at their length. */
const MAX_KEPT_PIECES = 64;

/**
 * A connection's outgoing side, as node keeps `_http_outgoing.js` apart from its server: the
 * response head being built (the status line and header lines `sendResponse()`,
 * `sendResponseOnly()` and `sendHeader()` append, as the shared pieces above or as `text`,
 * handed to `wfile` together by `flushHeaders()`), where the response starts in `wfile`, and the Connection bookkeeping that
 * sets the handler's `closeConnection` (the request's version and Connection header, the
 * handler's own Connection header, a draining server).
 *
 * The base class of the connection's `RequestLoop` (as node's `ServerResponse` extends
 * `OutgoingMessage`), so that a connection's state is one object: a second object, and the two
 * references to it, were 40 bytes of each idle connection's heap (docs/performance.md). Not
 * exported from the package.
 */
export class ResponseHead {
  /**
   * The status line and header lines not yet handed to `wfile` (CPython's `_headers_buffer`) when
   * they are not in the shared pieces above (the connection does not own them).
   */
  text = '';
  /** The handler sent a Connection header in this response. */
  sentConnection = false;
  /** `wfile.written` when the request began: `bytesSent` counts from here. */
  writtenMark = 0;
  /** Where the final response starts: after any interim (1xx) response, which stays sent. */
  responseMark = 0;
  /** The request's version as numbers (HTTP/0.9 until a request line says otherwise). */
  version: readonly [number, number] = [0, 9];
  #pvText = '';
  #pvKeepAlive = false;

  /** A request begins: nothing buffered, no Connection header sent, the response starts here. */
  beginResponse(written: number): void {
    this.clearHead();
    this.sentConnection = false;
    this.writtenMark = written;
    this.responseMark = written;
  }

  /** Appends a piece to the head: its text, and the {@link HeadPiece} when it is one (else null). */
  appendHead(text: string, piece: HeadPiece | null): void {
    if (headOwner !== this) {
      if (this.text.length > 0 || text.length === 0) {
        this.text += text;
        return;
      }
      if (headOwner !== null) headOwner.spill();
      headOwner = this;
    }
    headLength += text.length;
    if (piece !== null && headCount > 0) {
      const last = headPieces[headCount - 1]!;
      const merged = last === null ? null : last.followedBy(piece);
      if (merged !== null) {
        headTexts[headCount - 1] = merged.text;
        headPieces[headCount - 1] = merged;
        return;
      }
    }
    headTexts[headCount] = text;
    headPieces[headCount] = piece;
    headCount++;
  }

  /** Hands the buffered head to `wfile`, and forgets it. */
  writeHead(wfile: SocketWriter): void {
    if (headOwner === this) {
      // Released after the write: `writeHead` (and a `flush()` it may make) runs no code that
      // could start another head.
      wfile.writeHead(headTexts, headPieces, headCount, headLength);
      releaseHead();
    } else if (this.text.length > 0) {
      wfile.writeLatin1(this.text);
      this.text = '';
    }
  }

  /** Forgets the buffered head (a new response, a failed one, the connection's end). */
  clearHead(): void {
    this.text = '';
    if (headOwner === this) releaseHead();
  }

  /** Another connection starts a head: this one's owned pieces become its `text`. */
  spill(): void {
    let text = this.text;
    for (let i = 0; i < headCount; i++) text += headTexts[i]!;
    this.text = text;
    releaseHead();
  }

  /** The handler's `protocolVersion` is HTTP/1.1 or later: it may keep connections alive. */
  protocolKeepAlive(protocolVersion: string): boolean {
    if (protocolVersion !== this.#pvText) {
      this.#pvText = protocolVersion;
      const v = parseVersion(protocolVersion);
      this.#pvKeepAlive = v !== null && (v[0] > 1 || (v[0] === 1 && v[1] >= 1));
    }
    return this.#pvKeepAlive;
  }

  /** HTTP/1.1 request answered as HTTP/1.1: persistent unless told otherwise (RFC 9112 §9.3). */
  persistentByDefault(protocolVersion: string): boolean {
    const v = this.version;
    return (v[0] > 1 || (v[0] === 1 && v[1] >= 1)) && this.protocolKeepAlive(protocolVersion);
  }

  /** The request's Connection header: a `close` token closes; `keep-alive` keeps the connection open when `protocolVersion` allows. */
  requestConnection(h: BaseHTTPRequestHandler, conntype: string): void {
    const c = conntype.toLowerCase();
    if (hasToken(c, 'close')) h.closeConnection = true;
    else if (hasToken(c, 'keep-alive') && this.protocolKeepAlive(h.protocolVersion)) h.closeConnection = false;
  }

  /**
   * The request says the connection ends with it: `Connection: close`, or HTTP/1.0 without
   * `keep-alive`, or HTTP/0.9 (`connection`: the request's Connection value; not read for 0.9,
   * which has no headers).
   */
  clientEnds(connection: string | undefined): boolean {
    const v = this.version;
    if (v[0] === 0) return true;
    const c = connection?.toLowerCase() ?? '';
    return hasToken(c, 'close') || (v[0] === 1 && v[1] === 0 && !hasToken(c, 'keep-alive'));
  }

  /** `sendHeader('Connection', value)`: the handler's own Connection header decides. */
  responseConnection(h: BaseHTTPRequestHandler, value: string): void {
    this.sentConnection = true;
    const lower = value.toLowerCase();
    if (lower === 'close') h.closeConnection = true;
    else if (lower === 'keep-alive') h.closeConnection = false;
  }

  /**
   * `endHeaders()`'s question: does this response need `Connection: close`? A final response on
   * a connection that would persist by default but is about to close (the request said
   * `Connection: close`, or the server drains) does, unless the handler sent a Connection header
   * (RFC 9112 §9.6; CPython leaves it out, and clients such as wrk then count the close as an error).
   */
  needsClose(h: BaseHTTPRequestHandler, server: { readonly isShuttingDown: boolean }): boolean {
    if (this.sentConnection || (h.statusCode ?? 200) < 200) return false;
    if (server.isShuttingDown) h.closeConnection = true;
    return h.closeConnection && this.persistentByDefault(h.protocolVersion);
  }
}

/** The shared pieces are free again (their strings and bytes let go). */
function releaseHead(): void {
  if (headCount > MAX_KEPT_PIECES) {
    // A head of many header lines: the arrays do not stay that long.
    headTexts.length = 0;
    headPieces.length = 0;
  } else {
    for (let i = 0; i < headCount; i++) {
      headTexts[i] = '';
      headPieces[i] = null;
    }
  }
  headCount = 0;
  headLength = 0;
  headOwner = null;
}
