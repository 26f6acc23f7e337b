/**
 * The test suite's one raw-socket HTTP client. `RawClient` wraps one connection: it collects what
 * the server sends, tells how the connection ended, reads text up to a marker or parsed responses
 * (test/harness/response.ts) one at a time. `sendRaw` is the one-shot form (send, read to the
 * close), `exchangeUntilQuiet` the form for servers that may keep the connection open (CPython).
 */
import { connect, type Socket } from 'node:net';
import { setDeadline } from '../helpers/deadline.mjs';
import { parseResponses, responsesComplete, type ParsedResponse } from './response.js';

/** Bytes to send: a latin1 string (one char per byte), raw bytes, or a list of writes. */
export type Payload = string | Uint8Array | readonly (string | Uint8Array)[];

/** How a connection ended, from the client's side. */
export type Ending = 'close' | 'reset' | 'timeout';

/** Converts one piece of a payload to bytes (strings as latin1). */
export function toBytes(piece: string | Uint8Array): Buffer {
  return typeof piece === 'string' ? Buffer.from(piece, 'latin1') : Buffer.from(piece);
}

function pieces(payload: Payload): Buffer[] {
  return typeof payload === 'string' || payload instanceof Uint8Array ? [toBytes(payload)] : payload.map(toBytes);
}

function delay(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Where and how to connect: 127.0.0.1 by default; `allowHalfOpen` keeps our side open after the server's FIN. */
export interface ConnectOptions {
  readonly host?: string;
  readonly allowHalfOpen?: boolean;
}

/** Opens a TCP connection and resolves once it is established (rejects with the socket error, e.g. ECONNREFUSED). */
export function openSocket(port: number, { host = '127.0.0.1', allowHalfOpen = false }: ConnectOptions = {}): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ port, host, allowHalfOpen });
    socket.once('connect', () => {
      socket.off('error', reject);
      resolve(socket);
    });
    socket.once('error', reject);
  });
}

/**
 * One client connection (TCP or TLS). It collects everything the socket receives and how it
 * ended, from the moment it is constructed, and keeps an `error` listener so that a reset never
 * becomes an uncaught exception. `data` is everything received; `read` and `response` consume
 * from a cursor, each from where the last stopped.
 */
export class RawClient {
  readonly socket: Socket;
  /** Resolves once the socket closed (by either side). */
  readonly closed: Promise<void>;
  #chunks: Buffer[] = [];
  #length = 0;
  #cursor = 0;
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
    this.closed = new Promise((resolve) =>
      socket.on('close', () => {
        this.#ended ??= this.#errorCode === undefined ? 'close' : 'reset';
        resolve();
        this.#wake();
      }),
    );
  }

  /** Starts connecting to 127.0.0.1:`port` and returns at once (a failed connect shows as `ending: 'reset'`). */
  static open(port: number, { host = '127.0.0.1', allowHalfOpen = false }: ConnectOptions = {}): RawClient {
    return new RawClient(connect({ port, host, allowHalfOpen }));
  }

  /** Connects to 127.0.0.1:`port` (rejects if the connection fails). */
  static async connect(port: number, options: ConnectOptions = {}): Promise<RawClient> {
    return new RawClient(await openSocket(port, options));
  }

  /** All bytes received so far. */
  get data(): Buffer {
    if (this.#chunks.length > 1) this.#chunks = [Buffer.concat(this.#chunks, this.#length)];
    return this.#chunks[0] ?? Buffer.alloc(0);
  }

  /** All bytes received so far, as latin1 text. */
  get text(): string {
    return this.data.toString('latin1');
  }

  /** How the connection ended, or null while it is open. */
  get ending(): Ending | null {
    return this.#ended;
  }

  get errorCode(): string | undefined {
    return this.#errorCode;
  }

  /** Writes `data` (a string as latin1). */
  send(data: string | Uint8Array): void {
    this.socket.write(toBytes(data));
  }

  /** Destroys the socket. */
  close(): void {
    this.socket.destroy();
  }

  #wake(): void {
    const w = this.#waiters;
    this.#waiters = [];
    for (const f of w) f();
  }

  /**
   * Calls `check` now and after each arrival or the close until it returns a value; resolves
   * with it, or with `onTimeout()` after `timeoutMs` (counted as `setDeadline` does: what
   * arrived meanwhile is checked first).
   */
  #until<T>(check: () => T | undefined, timeoutMs: number, onTimeout: () => T): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const settle = (f: () => T): void => {
        try {
          resolve(f());
        } catch (e) {
          reject(e);
        }
      };
      const loop = (): void => {
        let value: T | undefined;
        try {
          value = check();
        } catch (e) {
          cancel();
          reject(e);
          return;
        }
        if (value === undefined) this.#waiters.push(loop);
        else {
          cancel();
          resolve(value);
        }
      };
      const cancel = setDeadline(() => {
        this.#waiters = this.#waiters.filter((f) => f !== loop);
        settle(() => check() ?? onTimeout());
      }, timeoutMs);
      loop();
    });
  }

  /**
   * Resolves true as soon as `predicate(data)` holds, false if the connection closed first or
   * `timeoutMs` passed.
   */
  waitFor(predicate: (data: Buffer) => boolean, timeoutMs: number): Promise<boolean> {
    return this.#until(
      () => (predicate(this.data) ? true : this.#ended !== null ? false : undefined),
      timeoutMs,
      () => false,
    );
  }

  /** Resolves with how the connection ended, or 'timeout' if it is still open after `timeoutMs`. */
  waitClosed(timeoutMs: number): Promise<Ending> {
    return this.#until(
      () => this.#ended ?? undefined,
      timeoutMs,
      () => 'timeout',
    );
  }

  /** Resolves once the server closed the connection; rejects if it is still open after `timeoutMs`. */
  async closedByServer(timeoutMs = 5_000): Promise<void> {
    if ((await this.waitClosed(timeoutMs)) === 'timeout') throw new Error('server did not close the connection');
  }

  /**
   * The unread text (latin1) once `until(text)` holds or the connection closed; rejects after
   * `timeoutMs` (default 10 s: a limit, not a wait).
   */
  read(until: (text: string) => boolean, timeoutMs = 10_000): Promise<string> {
    const unread = (): string => this.data.toString('latin1', this.#cursor);
    return this.#until(
      () => {
        const text = unread();
        if (!until(text) && this.#ended === null) return undefined;
        this.#cursor = this.data.length;
        return text;
      },
      timeoutMs,
      () => {
        throw new Error(`timeout; got ${JSON.stringify(unread())}`);
      },
    );
  }

  /**
   * The next unread response (`bodyless`: it answers a HEAD). A response framed by the close is
   * complete once the server closed. Rejects if the connection closes first or after `timeoutMs`.
   */
  response(bodyless = false, timeoutMs = 10_000): Promise<ParsedResponse> {
    const unread = (): Buffer => this.data.subarray(this.#cursor);
    return this.#until(
      () => {
        const data = unread();
        const { responses, rest } = parseResponses(data, { isHead: () => bodyless, limit: 1 });
        const first = responses[0];
        if (first !== undefined && (!first.closeDelimited || this.#ended !== null)) {
          this.#cursor += data.length - rest.length;
          return first;
        }
        if (this.#ended !== null) throw new Error(`connection closed; buffered: ${JSON.stringify(unread().toString('latin1'))}`);
        return undefined;
      },
      timeoutMs,
      () => {
        throw new Error('no response in time');
      },
    );
  }
}

/** Tries one connection: 'connected' (then closed at once), or the code of the error it failed with (e.g. 'ECONNREFUSED'). */
export async function tryConnect(port: number, host = '127.0.0.1'): Promise<string> {
  try {
    (await openSocket(port, { host })).destroy();
    return 'connected';
  } catch (e) {
    return (e as NodeJS.ErrnoException).code ?? String(e);
  }
}

/** What a one-shot exchange produced. */
export interface RawExchange {
  /** Everything the server sent. */
  readonly data: Buffer;
  /** `data` as latin1 text. */
  readonly text: string;
  /** 'close': the server closed (FIN); 'reset': ECONNRESET/EPIPE; 'timeout': still open at the deadline. */
  readonly ending: Ending;
  /** The server closed the connection (FIN or reset) before the deadline. */
  readonly closed: boolean;
  /** The socket error's code, when there was one. */
  readonly errorCode?: string;
  /** Milliseconds from connect to the end. */
  readonly elapsedMs: number;
}

export interface SendOptions {
  readonly host?: string;
  /** Give up (and destroy the socket) after this many ms. Default 10 s: a limit for a server that never closes, not a wait. */
  readonly timeoutMs?: number;
  /** Half-close (send FIN) after the last write. Default false. */
  readonly halfClose?: boolean;
  /** Pause between writes of a list payload. Default 0 (each write still its own `write()`). */
  readonly delayMs?: number;
}

/**
 * Connects, sends `payload` (each list element as its own write), optionally half-closes, then
 * reads until the server closes the connection or `timeoutMs` passes (the socket is then
 * destroyed). Never rejects for socket errors: a reset is reported as `ending: 'reset'`.
 */
export async function sendRaw(port: number, payload: Payload, options: SendOptions = {}): Promise<RawExchange> {
  const { host = '127.0.0.1', timeoutMs = 10_000, halfClose = false, delayMs = 0 } = options;
  const start = performance.now();
  const client = await RawClient.connect(port, { host });
  const deadline = start + timeoutMs;
  const parts = pieces(payload);
  for (let i = 0; i < parts.length; i++) {
    if (client.ending !== null) break;
    client.send(parts[i]!);
    if (delayMs > 0 && i < parts.length - 1) await delay(delayMs);
  }
  if (halfClose && client.ending === null) client.socket.end();
  const ending = await client.waitClosed(Math.max(0, deadline - performance.now()));
  if (ending === 'timeout') client.close();
  const data = client.data;
  return {
    data,
    text: data.toString('latin1'),
    ending,
    closed: ending !== 'timeout',
    elapsedMs: performance.now() - start,
    ...(client.errorCode === undefined ? {} : { errorCode: client.errorCode }),
  };
}

/** How an exchange with a server that may keep the connection open ended. */
export interface QuietExchange {
  readonly bytes: Buffer;
  /** 'closed': the server closed (FIN or RST); 'open': it kept the connection open and went quiet. */
  readonly end: 'closed' | 'open';
  /** The close came as a reset (e.g. CPython closing with unread request bytes). */
  readonly reset: boolean;
  /** An error while writing the request (the server closed first), if any. */
  readonly writeError: string | null;
}

export interface QuietOptions {
  /** The request is a HEAD: responses carry no body. */
  readonly head?: boolean;
  /** Shut down our sending side after writing the request. */
  readonly halfClose?: boolean;
  /** After complete responses, how long to wait for more bytes or a close. */
  readonly graceMs?: number;
  /** With an incomplete response (or none), how long the silence may last. */
  readonly stallMs?: number;
  /** Upper bound on the whole exchange. */
  readonly maxMs?: number;
}

/**
 * Writes `request` (several buffers = several writes) to 127.0.0.1:`port` and collects every
 * response byte until the server closes, or until it stays silent: `graceMs` after the bytes
 * form complete responses, `stallMs` otherwise. The socket is then destroyed. The silences are
 * deadlines, not plain timers: after a stall of this process, a close that already arrived is
 * seen before the silence is taken for 'open' (deadline.mjs).
 */
export async function exchangeUntilQuiet(port: number, request: Buffer | readonly Buffer[], options: QuietOptions = {}): Promise<QuietExchange> {
  const { head = false, halfClose = false, graceMs = 300, stallMs = 1_500, maxMs = 8_000 } = options;
  const start = performance.now();
  let client: RawClient;
  try {
    client = await RawClient.connect(port);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    return { bytes: Buffer.alloc(0), end: 'closed', reset: code === 'ECONNRESET', writeError: code === 'ECONNRESET' ? null : (code ?? String(e)) };
  }
  let writeError: string | null = null;
  for (const chunk of Buffer.isBuffer(request) ? [request] : request) {
    client.socket.write(chunk, (err) => {
      if (err && writeError === null) writeError = (err as NodeJS.ErrnoException).code ?? err.message;
    });
  }
  if (halfClose) client.socket.end();
  let end: 'closed' | 'open' = 'open';
  for (;;) {
    const length = client.data.length;
    const silence = length > 0 && responsesComplete(client.data, head) ? graceMs : stallMs;
    const left = maxMs - (performance.now() - start);
    if (left <= 0) break;
    const grew = await client.waitFor((d) => d.length > length, Math.min(silence, left));
    if (client.ending !== null) {
      end = 'closed';
      break;
    }
    if (!grew) break;
  }
  client.close();
  const code = client.errorCode;
  if (code !== undefined && code !== 'ECONNRESET' && writeError === null) writeError = code;
  return { bytes: client.data, end, reset: code === 'ECONNRESET', writeError };
}

/**
 * A request's bytes: `METHOD path HTTP/1.1`, Host, `Connection: close` when `close`, `headers`,
 * and an optional body (a string as UTF-8) with its Content-Length.
 */
export function requestBytes(port: number, method: string, path: string, headers: Record<string, string> = {}, body?: string | Buffer, close = false): Buffer {
  let head = `${method} ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n${close ? 'Connection: close\r\n' : ''}`;
  for (const [k, v] of Object.entries(headers)) head += `${k}: ${v}\r\n`;
  if (body !== undefined) head += `Content-Length: ${Buffer.byteLength(body)}\r\n`;
  return Buffer.concat([Buffer.from(`${head}\r\n`, 'latin1'), body === undefined ? Buffer.alloc(0) : Buffer.from(body)]);
}

/** One request on a fresh connection (`Connection: close`); resolves with its response. */
export async function request(port: number, method: string, path: string, headers: Record<string, string> = {}, body?: string | Buffer): Promise<ParsedResponse> {
  const c = await RawClient.connect(port);
  try {
    c.send(requestBytes(port, method, path, headers, body, true));
    return await c.response(method === 'HEAD');
  } finally {
    c.close();
  }
}

/** A GET on a keep-alive connection. */
export function get(client: RawClient, port: number, path: string, headers: Record<string, string> = {}): void {
  client.send(requestBytes(port, 'GET', path, headers));
}
