import type { Socket } from 'node:net';
import { BaseHTTPError } from './errors.js';
import { type Flushable, flushSoon } from './flush-soon.js';

const EMPTY = Buffer.alloc(0);

/** The reader of a socket, kept on the socket so that its listeners need no closure. */
const kReader = Symbol('basehttp.reader');
type ReadSocket = Socket & { [kReader]?: SocketReader };

/** The method `waitThen()` calls (a symbol: it stays out of handler classes' method names). */
export const READABLE: unique symbol = Symbol('basehttp.readable');
/** Something woken when data arrives (`waitThen`): the HTTP layer's request loop. */
export interface ReadWaiter {
  /** Called once, when more data arrived, the input ended, or the wait was interrupted. */
  [READABLE](): void;
}

/** True when the reader of `socket` says the peer has finished sending (`SocketReader.peerDone`). */
export function peerDone(socket: Socket): boolean {
  return (socket as ReadSocket)[kReader]?.peerDone === true;
}

/**
 * `rfile`: the buffered reading side of a connection, as Python's `socket.makefile('rb')`.
 *
 * For callers: `read(n?)`, `readline(limit?)`. The HTTP layer also uses the synchronous view
 * (`buffer`, `start`, `available`, `consume()`) so that a request whose bytes are already here is
 * parsed without a single await, and waits for more with `waitThen()` (a callback, no promise).
 * One wait at a time: a new `wait()` or `waitThen()` replaces the one pending, which then never
 * settles (a read the caller gave up on cannot take a later request's bytes).
 *
 * Buffers handed out are never written to again (new data is appended by concatenation into a
 * fresh buffer), so a `Buffer` returned by `read()` stays valid. The socket is paused while more
 * than `highWaterMark` unread bytes are held, so a client cannot make the server buffer a body or
 * a pipeline flood that nobody reads.
 */
export class SocketReader {
  /** The current chunk; unread bytes are `buffer[start..]`. */
  buffer: Buffer = EMPTY;
  /** Offset of the first unread byte in `buffer`. */
  start = 0;
  /** True once the peer ended its side (or the socket closed or failed). */
  ended = false;
  /** Set when a wait was cut short by a timeout; the reader then throws this error. */
  timeoutError: BaseHTTPError | null = null;
  /** Bytes consumed since the connection opened (request accounting). */
  consumed = 0;
  /** Unread bytes above which the socket is paused. */
  highWaterMark = 65_536;
  /**
   * Flushed before every wait for data (the connection's `wfile`), so a client is never left
   * waiting: at the end of the event-loop turn's I/O, with the other connections' output of the
   * turn (`flush-soon.ts`).
   */
  flushBeforeWait: Flushable | null = null;
  /**
   * Set by the protocol layer when the connection ends: the peer has sent everything it will
   * send, and it was all read (HTTP: the client said the connection ends with its last request,
   * and that request was read whole). The server then closes without a lingering close
   * (`BaseServer.shutdownRequest`, `peerDone()`).
   */
  peerDone = false;

  readonly #socket: Socket;
  #waiter: (() => void) | null = null;
  #target: ReadWaiter | null = null;
  #paused = false;
  #released = false;

  constructor(socket: Socket) {
    this.#socket = socket;
    // Listeners added once per connection, never per request (node's _http_server does the same),
    // and shared by all connections: a closure per listener was ~100 bytes of each idle
    // connection's heap with its context (docs/performance.md). A second reader on the same
    // socket gets listeners of its own.
    const tagged = socket as ReadSocket;
    if (tagged[kReader] === undefined) {
      tagged[kReader] = this;
      socket.on('data', SocketReader.#dataListener);
      socket.on('end', SocketReader.#endListener);
      socket.on('close', SocketReader.#endListener);
    } else {
      const onEnd = (): void => this.#onEnd();
      socket.on('data', (chunk: Buffer) => this.#onData(chunk));
      socket.on('end', onEnd);
      socket.on('close', onEnd);
    }
  }

  /**
   * Kept for code written before `flushBeforeWait`: a function called for every wait, as
   * `flushBeforeWait.flush` is (at the end of the event-loop turn's I/O, `flush-soon.ts`).
   */
  get beforeWait(): (() => void) | null {
    const target = this.flushBeforeWait;
    return target === null ? null : () => target.flush();
  }
  set beforeWait(fn: (() => void) | null) {
    this.flushBeforeWait = fn === null ? null : { flush: fn };
  }

  static readonly #dataListener = function (this: Socket, chunk: Buffer): void {
    (this as ReadSocket)[kReader]!.#onData(chunk);
  };

  static readonly #endListener = function (this: Socket): void {
    (this as ReadSocket)[kReader]!.#onEnd();
  };

  /** Number of unread bytes held. */
  get available(): number {
    return this.buffer.length - this.start;
  }

  /** True while some caller waits for data. */
  get waiting(): boolean {
    return this.#waiter !== null || this.#target !== null;
  }

  #onData(chunk: Buffer): void {
    if (this.#released) return;
    if (this.start >= this.buffer.length) {
      this.buffer = chunk;
    } else {
      this.buffer = Buffer.concat([this.buffer.subarray(this.start), chunk]);
    }
    this.start = 0;
    if (!this.#paused && this.buffer.length > this.highWaterMark) {
      this.#paused = true;
      this.#socket.pause();
    }
    this.#wake();
  }

  #onEnd(): void {
    this.ended = true;
    this.#wake();
  }

  #wake(): void {
    const t = this.#target;
    if (t !== null) {
      this.#target = null;
      t[READABLE]();
      return;
    }
    const w = this.#waiter;
    if (w !== null) {
      this.#waiter = null;
      w();
    }
  }

  /**
   * The handler is done: drop what is held and whatever still arrives, and keep the socket
   * flowing, so that the peer's FIN is seen during a lingering close.
   */
  release(): void {
    this.#released = true;
    this.buffer = EMPTY;
    this.start = 0;
    if (this.#paused) {
      this.#paused = false;
      this.#socket.resume();
    }
  }

  /** Marks `n` unread bytes as read. */
  consume(n: number): void {
    this.start += n;
    this.consumed += n;
    if (this.#paused && this.buffer.length - this.start <= this.highWaterMark >>> 1) {
      this.#paused = false;
      this.#socket.resume();
    }
  }

  /**
   * Resolves when more data arrived, the input ended, or `interrupt()` was called. Never rejects.
   * Resumes a paused socket first: the caller needs more than what is held.
   */
  wait(): Promise<void> {
    if (this.ended) return Promise.resolve();
    if (this.flushBeforeWait !== null) flushSoon(this.flushBeforeWait);
    if (this.#paused) {
      this.#paused = false;
      this.#socket.resume();
    }
    this.#target = null;
    return new Promise<void>((resolve) => {
      this.#waiter = resolve;
    });
  }

  /**
   * As `wait()`, but calls `target[READABLE]()` instead of settling a Promise: the HTTP layer's
   * request loop waits this way (no promise per request, no closure per connection).
   */
  waitThen(target: ReadWaiter): void {
    if (this.ended) {
      queueMicrotask(() => target[READABLE]());
      return;
    }
    if (this.flushBeforeWait !== null) flushSoon(this.flushBeforeWait);
    if (this.#paused) {
      this.#paused = false;
      this.#socket.resume();
    }
    this.#waiter = null;
    this.#target = target;
  }

  /** Cuts the current wait short with `error` (timeouts); later reads throw it. */
  interrupt(error: BaseHTTPError): void {
    this.timeoutError = error;
    this.#wake();
  }

  /** Throws the pending timeout error, if any. */
  check(): void {
    const e = this.timeoutError;
    if (e !== null) throw e;
  }

  /** Takes up to `n` buffered bytes without waiting. */
  take(n: number): Buffer {
    const end = Math.min(this.buffer.length, this.start + n);
    const out = this.buffer.subarray(this.start, end);
    this.consume(end - this.start);
    return out;
  }

  /**
   * Reads `n` bytes; fewer only at end of input. Without `n`, reads to end of input (which, on a
   * kept-alive HTTP connection, is the client closing: use `readBody()` there instead).
   */
  async read(n?: number): Promise<Buffer> {
    const want = n === undefined || n < 0 ? Infinity : n;
    if (want === 0) return EMPTY;
    if (this.available >= want) return this.take(want);
    const parts: Buffer[] = [];
    let got = 0;
    for (;;) {
      this.check();
      if (this.available > 0) {
        const part = this.take(want - got);
        parts.push(part);
        got += part.length;
        if (got >= want) break;
      }
      if (this.ended) break;
      await this.wait();
    }
    return parts.length === 1 ? parts[0]! : Buffer.concat(parts, got);
  }

  /**
   * Reads one line, with its line ending (`\n`); at most `limit` bytes. Empty at end of input.
   */
  async readline(limit?: number): Promise<Buffer> {
    const max = limit === undefined || limit < 0 ? Infinity : limit;
    let scanned = 0;
    for (;;) {
      this.check();
      const nl = this.buffer.indexOf(10, this.start + scanned);
      if (nl !== -1 && nl - this.start < max) return this.take(nl - this.start + 1);
      if (this.available >= max) return this.take(max);
      if (this.ended) return this.take(this.available);
      scanned = this.available;
      await this.wait();
    }
  }
}
