import type { Socket } from 'node:net';
import { copyBytes } from './buffer-slice.js';

/** Pending output above which `write()` flushes at once instead of batching. */
const FLUSH_AT = 65_536;
/** Binary writes up to this size are copied into the pending bytes instead of written apart. */
const SMALL_BINARY = 4096;
/** A batch's text this long becomes bytes (`#toBytes`): one response stays a string. */
const BYTES_AT = 1024;
/** The smallest buffer a batch's bytes start with (from node's Buffer pool). */
const MIN_BUFFER = 2048;
/** The largest a batch's buffer starts, whatever the last batch was (node pools buffers under 4 KiB). */
const MAX_START = 4000;

/**
 * `wfile`: the writing side of a connection.
 *
 * For callers: `write(data)` (strings as UTF-8), `flush()`, `drain()`.
 *
 * Output is batched: writes accumulate until `flush()`, which the connection's reader calls once
 * per batch of requests (before it waits for the next bytes; at the end of the event-loop turn's
 * I/O, with every other connection's, `flush-soon.ts`), so one response — or sixteen pipelined
 * ones — leave in one `write`/`writev` system call. ASCII strings and small bodies are joined
 * into one latin-1 string (V8 cons-strings: no copy until the socket encodes it once); a batch
 * whose text passes 1 KiB (pipelined responses) continues as bytes in a buffer (from node's pool up to 4 KiB),
 * which goes to the socket as it is: node flattens a long cons-string (`String::SlowFlatten`, a
 * copy through a walk of every piece) before its own copy, 8.8 % of a pipelined profile; as bytes,
 * 1.66 → 1.55 µs of server CPU per pipelined request (5 alternating rounds), and one response,
 * which stays a string, unchanged (a buffer per response measured 7.27 → 7.80 µs keep-alive).
 * Large binary data goes out through `cork()`/`uncork()`, which node turns into a single
 * `writev`. Measured with wrk on hello world keep-alive: one syscall per response instead of
 * three (status+headers, body, flush) is the largest single gain over node:http
 * (docs/performance.md).
 *
 * Writes after the peer went away are dropped silently, as the server will close anyway.
 */
export class SocketWriter {
  /** Bytes accepted by `write()` since the connection opened (response accounting). */
  written = 0;
  /** Bytes handed to the socket since the connection opened. */
  flushed = 0;
  /** When set, every write schedules a flush on the next turn (handlers that await). */
  autoFlush = false;

  readonly #socket: Socket;
  /** Pending latin-1 text (always after `#parts`; empty while `#bytes` is in use). */
  #text = '';
  /** Pending bytes `#bytes[0, #length)` (after `#parts`), once a batch outgrows `#text`; else null. */
  #bytes: Buffer | null = null;
  #length = 0;
  /** Bytes of the last batch flushed from `#bytes` (within `MIN_BUFFER`–`MAX_START`): the next batch's buffer starts that large. */
  #lastBatch = MIN_BUFFER;
  /** Pending chunks before `#bytes`: large binary writes, or batches moved aside for one. */
  #parts: Array<string | Uint8Array> = [];
  #pending = 0;
  #scheduled = false;
  /** Made on first use: only handlers that await need it. */
  #flushSoon: (() => void) | null = null;

  constructor(socket: Socket) {
    this.#socket = socket;
  }

  /** Bytes written but not yet handed to the socket. */
  get pending(): number {
    return this.#pending;
  }

  /** Appends `data` (a string is encoded as UTF-8). */
  write(data: string | Uint8Array): void {
    if (typeof data === 'string') {
      const n = Buffer.byteLength(data, 'utf8');
      // ASCII: its UTF-8 and latin-1 encodings are the same bytes.
      if (n === data.length) this.#appendText(data, n);
      else this.#appendBinary(Buffer.from(data, 'utf8'));
    } else {
      this.#appendBinary(data);
    }
  }

  /** Appends text that is already known to be latin-1 (status lines, header blocks). */
  writeLatin1(text: string): void {
    this.#appendText(text, text.length);
  }

  /**
   * Appends a response head given as pieces (`response-head.ts`): `texts[0, count)`, `n`
   * characters of latin-1 in all, and for each piece its bytes (`pieces[i].bytes`) or null.
   * While the batch is text the pieces join it as strings; once it is bytes, a piece with bytes
   * is copied and only the others are encoded, so no head is flattened into a new string first
   * (`latin1Write` of a string built by `+=` does that: `String::SlowFlatten`).
   */
  writeHead(texts: readonly string[], pieces: readonly ({ readonly bytes: Uint8Array } | null)[], count: number, n: number): void {
    if (n === 0) return;
    if (this.#bytes === null) {
      let joined = this.#text;
      for (let i = 0; i < count; i++) joined += texts[i]!;
      this.#text = joined;
      if (joined.length >= BYTES_AT) this.#toBytes();
    } else {
      const b = this.#room(n);
      let p = this.#length;
      for (let i = 0; i < count; i++) {
        const piece = pieces[i];
        if (piece !== null && piece !== undefined) {
          copyBytes.call(b, piece.bytes, p);
          p += piece.bytes.length;
        } else {
          const t = texts[i]!;
          p += b.latin1Write(t, p, t.length);
        }
      }
      this.#length = p;
    }
    this.#pending += n;
    this.written += n;
    this.#after();
  }

  /** Room for `n` more bytes in `#bytes`. */
  #room(n: number): Buffer {
    let b = this.#bytes;
    const need = this.#length + n;
    if (b === null) {
      b = this.#bytes = Buffer.allocUnsafe(need > this.#lastBatch ? need : this.#lastBatch);
    } else if (need > b.length) {
      const grown = Buffer.allocUnsafe(need > 2 * b.length ? need : 2 * b.length);
      grown.set(b.subarray(0, this.#length));
      b = this.#bytes = grown;
    }
    return b;
  }

  #appendText(text: string, n: number): void {
    if (n === 0) return;
    if (this.#bytes !== null) {
      this.#length += this.#room(n).latin1Write(text, this.#length, n);
    } else {
      const joined = (this.#text += text);
      if (joined.length >= BYTES_AT) this.#toBytes();
    }
    this.#pending += n;
    this.written += n;
    this.#after();
  }

  #appendBinary(chunk: Uint8Array): void {
    // Any other view (a Uint16Array, a DataView, a Uint8Array of another realm) is written as its
    // bytes: a byte view of it. `instanceof` folds for a known map; `length` rather than
    // `byteLength`, a generic LoadIC call (buffer-slice.ts).
    const data = chunk instanceof Uint8Array ? chunk : asBytes(chunk);
    const n = data.length;
    if (n === 0) return;
    if (n <= SMALL_BINARY) {
      // A small body joins the pending text or bytes, so headers and body leave in one plain write.
      if (this.#bytes !== null) {
        copyBytes.call(this.#room(n), data, this.#length);
        this.#length += n;
      } else {
        const view = data instanceof Buffer ? data : Buffer.from(data.buffer, data.byteOffset, n);
        const joined = (this.#text += view.latin1Slice(0, n));
        if (joined.length >= BYTES_AT) this.#toBytes();
      }
    } else {
      this.#moveAside();
      this.#parts.push(data);
    }
    this.#pending += n;
    this.written += n;
    this.#after();
  }

  /** The batch's text, grown past `BYTES_AT`, becomes bytes: from here on pieces are copied in. */
  #toBytes(): void {
    const text = this.#text;
    this.#text = '';
    this.#length += this.#room(text.length).latin1Write(text, this.#length, text.length);
  }

  /** Moves the pending text or bytes into `#parts` (before a large chunk). */
  #moveAside(): void {
    if (this.#text.length > 0) {
      this.#parts.push(this.#text);
      this.#text = '';
    }
    const b = this.#bytes;
    if (b === null) return;
    if (this.#length > 0) this.#parts.push(b.subarray(0, this.#length));
    this.#bytes = null;
    this.#length = 0;
  }

  #after(): void {
    if (this.#pending >= FLUSH_AT) this.flush();
    else if (this.autoFlush && !this.#scheduled) {
      this.#scheduled = true;
      setImmediate(
        (this.#flushSoon ??= () => {
          this.#scheduled = false;
          this.flush();
        }),
      );
    }
  }

  /** Drops pending output back to `mark` bytes written (a response that failed before any flush). */
  discardSince(mark: number): boolean {
    if (this.flushed > mark) return false;
    let drop = this.written - mark;
    this.written = mark;
    this.#pending -= drop;
    // Earlier responses of a pipelined batch may sit before `mark`: cut from the end only.
    const textCut = Math.min(drop, this.#text.length);
    if (textCut > 0) this.#text = this.#text.slice(0, this.#text.length - textCut);
    drop -= textCut;
    const cut = Math.min(drop, this.#length);
    this.#length -= cut;
    drop -= cut;
    while (drop > 0) {
      const last = this.#parts.pop()!;
      const len = typeof last === 'string' ? last.length : last.byteLength;
      if (len > drop) {
        this.#parts.push(typeof last === 'string' ? last.slice(0, len - drop) : last.subarray(0, len - drop));
        drop = 0;
      } else {
        drop -= len;
      }
    }
    return true;
  }

  /** Hands all pending output to the socket, in one system call where the kernel allows. */
  flush(): void {
    const n = this.#pending;
    if (n === 0) return;
    this.#pending = 0;
    this.flushed += n;
    const socket = this.#socket;
    const parts = this.#parts;
    const text = this.#text;
    const b = this.#bytes;
    const length = this.#length;
    this.#text = '';
    // The buffer goes with the write (the socket may hold it until the kernel takes it all).
    this.#bytes = null;
    this.#length = 0;
    if (length > 0) this.#lastBatch = length > MAX_START ? MAX_START : length < MIN_BUFFER ? MIN_BUFFER : length;
    if (socket.destroyed || !socket.writable) {
      if (parts.length > 0) this.#parts = [];
      return;
    }
    if (parts.length === 0) {
      if (b === null) socket.write(text, 'latin1');
      else socket.write(b.subarray(0, length));
      return;
    }
    this.#parts = [];
    socket.cork();
    for (let i = 0; i < parts.length; i++) {
      const p = parts[i]!;
      if (typeof p === 'string') socket.write(p, 'latin1');
      else socket.write(p);
    }
    if (length > 0) socket.write(b!.subarray(0, length));
    if (text.length > 0) socket.write(text, 'latin1');
    socket.uncork();
  }

  /** Flushes, then resolves once the socket's buffer has drained (or the socket closed). */
  drain(): Promise<void> {
    this.flush();
    const socket = this.#socket;
    if (!socket.writableNeedDrain || socket.destroyed) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const done = (): void => {
        socket.off('drain', done);
        socket.off('close', done);
        resolve();
      };
      socket.on('drain', done);
      socket.on('close', done);
    });
  }
}

/** A byte view of any `ArrayBufferView` (what a JavaScript caller may pass as a body). */
function asBytes(view: ArrayBufferView): Uint8Array {
  return new Uint8Array(view.buffer, view.byteOffset, view.byteLength);
}
