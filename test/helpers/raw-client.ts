import { connect, type Socket } from 'node:net';
import { setDeadline } from './deadline.mjs';

/** Bytes to send: a latin1 string (one char per byte), raw bytes, or a list of writes. */
export type Payload = string | Uint8Array | readonly (string | Uint8Array)[];

/** How a connection ended, from the client's side. */
export type Ending = 'close' | 'reset' | 'timeout';

/** What a raw exchange produced. */
export interface RawExchange {
  /** Everything the server sent. */
  readonly data: Buffer;
  /** 'close': the server closed (FIN); 'reset': ECONNRESET/EPIPE; 'timeout': still open at the deadline. */
  readonly ending: Ending;
  /** The socket error's code, when there was one. */
  readonly errorCode?: string;
  /** Milliseconds from connect to the end. */
  readonly elapsedMs: number;
}

export interface SendOptions {
  readonly host?: string;
  /** Give up (and destroy the socket) after this many ms. Default 5000. */
  readonly timeoutMs?: number;
  /** Half-close (send FIN) after the last write. Default false. */
  readonly halfClose?: boolean;
  /** Pause between writes of a list payload. Default 0 (each write still its own `write()`). */
  readonly delayMs?: number;
}

/** Converts one piece of a payload to bytes (strings as latin1). */
export function toBytes(piece: string | Uint8Array): Buffer {
  return typeof piece === 'string' ? Buffer.from(piece, 'latin1') : Buffer.from(piece);
}

function pieces(payload: Payload): Buffer[] {
  return typeof payload === 'string' || payload instanceof Uint8Array ? [toBytes(payload)] : payload.map(toBytes);
}

/** Opens a TCP connection and resolves once it is established. */
export function openSocket(port: number, host = '127.0.0.1'): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ port, host });
    socket.once('connect', () => {
      socket.off('error', reject);
      resolve(socket);
    });
    socket.once('error', reject);
  });
}

/**
 * Collects everything a socket receives and tells how it ended. Attach it right after connecting;
 * it keeps an `error` listener so a reset never becomes an uncaught exception.
 */
export class SocketCollector {
  readonly socket: Socket;
  #chunks: Buffer[] = [];
  #length = 0;
  #ended: Ending | null = null;
  #errorCode: string | undefined;
  #waiters: Array<() => void> = [];

  constructor(socket: Socket) {
    this.socket = socket;
    socket.on('data', (d: Buffer) => {
      this.#chunks.push(d);
      this.#length += d.length;
      this.#wake();
    });
    socket.on('error', (e: NodeJS.ErrnoException) => {
      this.#errorCode ??= e.code ?? e.message;
    });
    socket.on('close', () => {
      this.#ended ??= this.#errorCode === undefined ? 'close' : 'reset';
      this.#wake();
    });
  }

  /** All bytes received so far. */
  get data(): Buffer {
    if (this.#chunks.length > 1) this.#chunks = [Buffer.concat(this.#chunks, this.#length)];
    return this.#chunks[0] ?? Buffer.alloc(0);
  }

  /** How the connection ended, or null while it is open. */
  get ending(): Ending | null {
    return this.#ended;
  }

  get errorCode(): string | undefined {
    return this.#errorCode;
  }

  #wake(): void {
    const w = this.#waiters;
    this.#waiters = [];
    for (const f of w) f();
  }

  /**
   * Resolves true as soon as `predicate(data)` holds, false if the connection closed first or
   * `timeoutMs` passed (counted as `setDeadline` does: what arrived meanwhile is seen first).
   */
  waitFor(predicate: (data: Buffer) => boolean, timeoutMs: number): Promise<boolean> {
    return new Promise((resolve) => {
      const check = (): boolean => {
        if (predicate(this.data)) {
          cancel();
          resolve(true);
          return true;
        }
        if (this.#ended !== null) {
          cancel();
          resolve(false);
          return true;
        }
        return false;
      };
      const cancel = setDeadline(() => {
        this.#waiters = this.#waiters.filter((f) => f !== loop);
        resolve(predicate(this.data));
      }, timeoutMs);
      const loop = (): void => {
        if (!check()) this.#waiters.push(loop);
      };
      loop();
    });
  }

  /** Resolves with how the connection ended, or 'timeout' if it is still open after `timeoutMs`. */
  waitClosed(timeoutMs: number): Promise<Ending> {
    return new Promise((resolve) => {
      if (this.#ended !== null) {
        resolve(this.#ended);
        return;
      }
      const cancel = setDeadline(() => {
        this.#waiters = this.#waiters.filter((f) => f !== loop);
        resolve(this.#ended ?? 'timeout');
      }, timeoutMs);
      const loop = (): void => {
        if (this.#ended !== null) {
          cancel();
          resolve(this.#ended);
        } else {
          this.#waiters.push(loop);
        }
      };
      this.#waiters.push(loop);
    });
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/**
 * Connects, sends `payload` (each list element as its own write), optionally half-closes, then
 * reads until the server closes the connection or `timeoutMs` passes (the socket is then
 * destroyed). Never rejects for socket errors: a reset is reported as `ending: 'reset'`.
 */
export async function sendRaw(port: number, payload: Payload, options: SendOptions = {}): Promise<RawExchange> {
  const { host = '127.0.0.1', timeoutMs = 5_000, halfClose = false, delayMs = 0 } = options;
  const start = performance.now();
  const socket = await openSocket(port, host);
  const collector = new SocketCollector(socket);
  const deadline = start + timeoutMs;
  const parts = pieces(payload);
  for (let i = 0; i < parts.length; i++) {
    if (collector.ending !== null) break;
    socket.write(parts[i]!);
    if (delayMs > 0 && i < parts.length - 1) await delay(delayMs);
  }
  if (halfClose && collector.ending === null) socket.end();
  const ending = await collector.waitClosed(Math.max(0, deadline - performance.now()));
  if (ending === 'timeout') socket.destroy();
  const result: RawExchange = {
    data: collector.data,
    ending,
    elapsedMs: performance.now() - start,
    ...(collector.errorCode === undefined ? {} : { errorCode: collector.errorCode }),
  };
  return result;
}
