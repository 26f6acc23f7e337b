import { Socket } from 'node:net';
import { visitInTurns } from './in-turns.js';
import { type LiveLinks, LiveList } from './live-list.js';

/** One open connection: its socket, its owner (the server), when its lingering close gives up, its links. */
class Entry implements LiveLinks {
  livePrev: LiveLinks | null = null;
  liveNext: LiveLinks | null = null;
  listed = false;
  /** When the lingering close gives up (`performance.now()` ms); 0 while the connection is not closing. */
  deadline = 0;
  readonly socket: Socket;
  readonly owner: object;

  constructor(socket: Socket, owner: object) {
    this.socket = socket;
    this.owner = owner;
  }
}

/** Where a socket keeps its entry: the one property the server adds to it. */
const kEntry = Symbol('basehttp.connection');
type Tracked = Socket & { [kEntry]?: Entry };

/**
 * A server's open connections (`BaseServer`'s), with what happens to them at the end of their life:
 * the lingering close (`linger()`, the sweep that resets connections past their deadline) and the
 * wait for none to remain (`whenIdle()`, for `shutdown()`).
 *
 * - For the server: `add(socket, owner)`, `ownerOf(socket)` (static), `forget(socket)`, `size`,
 *   `sockets()`, `linger()`, `whenIdle()`, `notifyIfIdle()`.
 *
 * Each socket's entry hangs on the socket (one property, set when it is added: the server used to
 * set one anyway, for its 'close' listener to find it) and in a {@link LiveList}. Until issue 16 this
 * was a `Map` from socket to deadline; a map churned once per connection keeps replaced hash
 * tables, and through them dead connections, alive across scavenges (`live-list.ts`). Measured on
 * `Connection: close` (`--trace-gc-nvp`, 3 s of `wrk -c50`, with HTTPServer's own set already a
 * list): 1.45 MB surviving each scavenge and 5.1–5.4 ms per scavenge with the map, 0.97 MB and
 * 3.55–3.6 ms without. The deadline lives in the entry, not in a second set: adding it per
 * closing connection cost ~3 % of Connection: close throughput (docs/performance.md).
 */
export class Connections {
  readonly #list = new LiveList<Entry>();
  /** Connections in a lingering close (a deadline other than 0). */
  #lingering = 0;
  /** The one timer that checks the lingering connections' deadlines; null while none lingers. */
  #timer: NodeJS.Timeout | null = null;
  /** A sweep that stopped at its time budget goes on from here (`visitInTurns`). */
  #rest: Iterator<Entry> | null = null;
  readonly #resume = (): void => this.#some();
  #idleWaiters: Array<() => void> = [];

  /** How many connections are open. */
  get size(): number {
    return this.#list.size;
  }

  /** Adds an accepted connection; `owner` is what `ownerOf(socket)` answers. */
  add(socket: Socket, owner: object): void {
    const entry = new Entry(socket, owner);
    (socket as Tracked)[kEntry] = entry;
    this.#list.add(entry);
  }

  /** The `owner` a socket was added with, or undefined. */
  static ownerOf(socket: Socket): object | undefined {
    return (socket as Tracked)[kEntry]?.owner;
  }

  /** The sockets of the open connections, most recent first. */
  sockets(): Socket[] {
    const out: Socket[] = [];
    const it = this.#list.values();
    for (let r = it.next(); r.done !== true; r = it.next()) out.push(r.value.socket);
    return out;
  }

  /**
   * Starts the lingering close of `socket` (ended, reading what the peer still sends): reset after
   * at most `lingerMs` (plus a quarter of it: one timer checks all lingering sockets, instead of a
   * timer and a 'close' listener per connection). A hard deadline, not an idle timer, which a
   * peer that keeps sending would reset. A socket not in the list (handed in by a caller) gets a
   * timer of its own.
   */
  linger(socket: Socket, lingerMs: number): void {
    const entry = (socket as Tracked)[kEntry];
    if (entry === undefined || !entry.listed) {
      const timer = setTimeout(() => resetConnection(socket), lingerMs);
      timer.unref();
      socket.once('close', () => clearTimeout(timer));
    } else if (entry.deadline === 0) {
      entry.deadline = performance.now() + lingerMs;
      this.#lingering++;
      if (this.#timer === null) {
        this.#timer = setInterval(() => this.#sweep(), Math.max(10, lingerMs / 4));
        this.#timer.unref();
      }
    }
  }

  /** Removes a closed connection; false when it was not in the list (already forgotten). */
  forget(socket: Socket): boolean {
    const entry = (socket as Tracked)[kEntry];
    if (entry === undefined || !entry.listed) return false;
    this.#list.delete(entry);
    if (entry.deadline !== 0) this.#lingering--;
    return true;
  }

  /** Wakes `whenIdle()`'s waiters once no connection remains (after `forget()`). */
  notifyIfIdle(): void {
    if (this.size === 0 && this.#idleWaiters.length > 0) {
      const waiters = this.#idleWaiters;
      this.#idleWaiters = [];
      for (const w of waiters) w();
    }
  }

  /** Resolves true once no connection remains, or false after `timeoutMs` (default: no limit). */
  whenIdle(timeoutMs?: number): Promise<boolean> {
    if (this.size === 0) return Promise.resolve(true);
    return new Promise<boolean>((resolve) => {
      let timer: NodeJS.Timeout | undefined;
      this.#idleWaiters.push(() => {
        clearTimeout(timer);
        resolve(true);
      });
      if (timeoutMs !== undefined) timer = setTimeout(() => resolve(false), timeoutMs);
    });
  }

  /**
   * Resets the lingering connections past their deadline (every quarter of `lingerMs`), a time
   * budget per event-loop turn: thousands of resets in one turn would hold every other client.
   */
  #sweep(): void {
    if (this.#rest === null) {
      this.#rest = this.#list.values();
      this.#some();
    }
    if (this.#lingering === 0 && this.#timer !== null) {
      clearInterval(this.#timer);
      this.#timer = null;
    }
  }

  #some(): void {
    const rest = this.#rest;
    if (rest !== null && visitInTurns(rest, resetIfPast, this.#resume)) this.#rest = null;
  }
}

/** A lingering connection past its deadline is reset (true: that was the costly case). */
function resetIfPast(entry: Entry, now: number): boolean {
  const { socket, deadline } = entry;
  if (deadline === 0 || deadline > now || socket.destroyed) return false;
  resetConnection(socket);
  return true;
}

/**
 * Closes a connection with a reset (RST): a half-open peer that sent everything would otherwise
 * never learn that the server is gone. Node allows `resetAndDestroy()` on TCP sockets only (it
 * throws ERR_INVALID_HANDLE_TYPE on a TLS socket): a TLS socket resets the TCP socket it wraps,
 * which node keeps as `_parent` (undocumented; test/http/https-server.test.ts covers the lingering
 * close over TLS), and is destroyed with it. Anything else is destroyed.
 */
function resetConnection(socket: Socket): void {
  const tcp = (socket as Socket & { _parent?: unknown })._parent;
  const target = tcp instanceof Socket ? tcp : socket;
  try {
    target.resetAndDestroy();
  } catch {
    socket.destroy();
  }
}
