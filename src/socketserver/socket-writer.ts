import type { Socket } from 'node:net';
import './buffer-slice.js';

/** Pending output above which `write()` flushes at once instead of batching. */
const FLUSH_AT = 65_536;
/** Binary writes up to this size are joined to the pending text instead of written apart. */
const SMALL_BINARY = 4096;

/**
 * `wfile`: the writing side of a connection.
 *
 * For callers: `write(data)` (strings as UTF-8), `flush()`, `drain()`.
 *
 * Output is batched: writes accumulate until `flush()`, which the connection's reader calls once
 * per batch of requests (before it waits for the next bytes; at the end of the event-loop turn's
 * I/O, with every other connection's, `flush-soon.ts`), so one response — or sixteen pipelined
 * ones — leave in one `write`/`writev` system call. ASCII strings are joined into one latin-1 string
 * (V8 cons-strings: no copy until the socket encodes it once); binary data goes out through
 * `cork()`/`uncork()`, which node turns into a single `writev`. Measured with wrk on hello world
 * keep-alive: one syscall per response instead of three (status+headers, body, flush) is the
 * largest single gain over node:http (docs/performance.md).
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
  /** Pending latin-1 text (always after `#parts`). */
  #text = '';
  /** Pending chunks before `#text`: binary, or latin-1 strings. */
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
      // ASCII: its UTF-8 and latin-1 encodings are the same bytes, so it joins the text run.
      if (n === data.length) this.#appendText(data, n);
      else this.#appendBytes(Buffer.from(data, 'utf8'));
    } else if (data.byteLength <= SMALL_BINARY) {
      // A small binary body joins the text run as latin-1 (a byte-for-byte mapping), so headers
      // and body still leave in one plain write. Through cork/uncork they took node's writev
      // path (two chunks, a WriteWrap array): see docs/performance.md for the measurement.
      const view = data instanceof Buffer ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
      this.#appendText(view.latin1Slice(0, view.length), view.length);
    } else {
      this.#appendBytes(data);
    }
  }

  /** Appends text that is already known to be latin-1 (status lines, header blocks). */
  writeLatin1(text: string): void {
    this.#appendText(text, text.length);
  }

  #appendText(text: string, n: number): void {
    this.#text += text;
    this.#pending += n;
    this.written += n;
    this.#after();
  }

  #appendBytes(data: Uint8Array): void {
    const n = data.byteLength;
    if (n === 0) return;
    if (this.#text.length > 0) {
      this.#parts.push(this.#text);
      this.#text = '';
    }
    this.#parts.push(data);
    this.#pending += n;
    this.written += n;
    this.#after();
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
    while (drop > 0) {
      if (this.#text.length > 0) {
        const cut = Math.min(drop, this.#text.length);
        this.#text = this.#text.slice(0, this.#text.length - cut);
        drop -= cut;
        continue;
      }
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
    this.#text = '';
    if (socket.destroyed || !socket.writable) {
      if (parts.length > 0) this.#parts = [];
      return;
    }
    if (parts.length === 0) {
      socket.write(text, 'latin1');
      return;
    }
    this.#parts = [];
    socket.cork();
    for (let i = 0; i < parts.length; i++) {
      const p = parts[i]!;
      if (typeof p === 'string') socket.write(p, 'latin1');
      else socket.write(p);
    }
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
