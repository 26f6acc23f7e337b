import type { Socket } from 'node:net';

/**
 * Connections accepted while nothing serves them (Python's listen backlog, as `BaseServer` keeps
 * it), and the one `handleRequest()` that may be waiting for the next connection.
 */
export class Backlog {
  readonly #queue: Socket[] = [];
  #waiter: ((socket: Socket | null) => void) | null = null;

  /** True while a `handleRequest()` waits for a connection. */
  get waiting(): boolean {
    return this.#waiter !== null;
  }

  /** Hands `socket` to the waiting `handleRequest()`; false when none waits. */
  offer(socket: Socket): boolean {
    const waiter = this.#waiter;
    if (waiter === null) return false;
    this.#waiter = null;
    waiter(socket);
    return true;
  }

  /** Queues a connection until something serves it. */
  push(socket: Socket): void {
    this.#queue.push(socket);
  }

  /** Takes every queued connection (`serveForever()` starts on them). */
  takeAll(): Socket[] {
    return this.#queue.splice(0);
  }

  /**
   * The oldest queued connection, else the next one offered within `timeoutSeconds` (`null`: no
   * limit); resolves null when none came, or when `close()` was called meanwhile.
   */
  next(timeoutSeconds: number | null): Promise<Socket | null> {
    const queued = this.#queue.shift();
    if (queued !== undefined) return Promise.resolve(queued);
    return new Promise<Socket | null>((resolve) => {
      let timer: NodeJS.Timeout | undefined;
      this.#waiter = (s) => {
        if (timer !== undefined) clearTimeout(timer);
        resolve(s);
      };
      if (timeoutSeconds !== null) {
        timer = setTimeout(() => {
          this.#waiter = null;
          resolve(null);
        }, timeoutSeconds * 1000);
      }
    });
  }

  /** At shutdown: destroys the queued connections and wakes the waiter with null. */
  close(): void {
    for (const socket of this.#queue.splice(0)) socket.destroy();
    const waiter = this.#waiter;
    this.#waiter = null;
    if (waiter !== null) waiter(null);
  }
}
