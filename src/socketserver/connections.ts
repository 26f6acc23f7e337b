import { Socket } from 'node:net';
import { visitInTurns } from './in-turns.js';

/**
 * A server's open connections (`BaseServer`'s), with what happens to them at the end of their life:
 * the lingering close (`linger()`, the sweep that resets connections past their deadline) and the
 * wait for none to remain (`whenIdle()`, for `shutdown()`).
 *
 * A `Map` itself, socket → when its lingering close gives up (`performance.now()` ms; 0 while it is
 * not closing): the server's per-connection path calls the Map's own `set`/`get`/`delete`, no
 * wrapper (the split out of base-server.ts measured no change: 18 A/B pairs of `Connection: close`
 * within their noise, the bookkeeping 115–240 ns per connection either way; docs/performance.md).
 * The deadline lives here, not in a second set or on the socket: adding it per closing
 * connection cost ~3 % of Connection: close throughput (docs/performance.md).
 */
export class Connections extends Map<Socket, number> {
  /** Connections in a lingering close (a deadline other than 0). */
  #lingering = 0;
  /** The one timer that checks the lingering connections' deadlines; null while none lingers. */
  #timer: NodeJS.Timeout | null = null;
  /** A sweep that stopped at its time budget goes on from here (`visitInTurns`). */
  #rest: Iterator<[Socket, number]> | null = null;
  readonly #resume = (): void => this.#some();
  #idleWaiters: Array<() => void> = [];

  /**
   * Starts the lingering close of `socket` (ended, reading what the peer still sends): reset after
   * at most `lingerMs` (plus a quarter of it: one timer checks all lingering sockets, instead of a
   * timer and a 'close' listener per connection). A hard deadline, not an idle timer, which a
   * peer that keeps sending would reset. A socket not in the map (handed in by a caller) gets a
   * timer of its own.
   */
  linger(socket: Socket, lingerMs: number): void {
    const deadline = this.get(socket);
    if (deadline === undefined) {
      const timer = setTimeout(() => resetConnection(socket), lingerMs);
      timer.unref();
      socket.once('close', () => clearTimeout(timer));
    } else if (deadline === 0) {
      this.set(socket, performance.now() + lingerMs);
      this.#lingering++;
      if (this.#timer === null) {
        this.#timer = setInterval(() => this.#sweep(), Math.max(10, lingerMs / 4));
        this.#timer.unref();
      }
    }
  }

  /** Removes a closed connection; false when it was not in the map (already forgotten). */
  forget(socket: Socket): boolean {
    const deadline = this.get(socket);
    if (deadline === undefined) return false;
    this.delete(socket);
    if (deadline !== 0) this.#lingering--;
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
      this.#rest = this.entries();
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
function resetIfPast([socket, deadline]: [Socket, number], now: number): boolean {
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
