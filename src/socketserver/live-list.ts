/**
 * The links an object needs to be in a {@link LiveList}: kept by the list, null while it is out.
 */
export interface LiveLinks {
  livePrev: LiveLinks | null;
  liveNext: LiveLinks | null;
  /** True while the object is in a list. */
  listed: boolean;
}

/**
 * A server's live connections (`BaseServer`'s all, `HTTPServer`'s for its timeout sweep and drain): a doubly
 * linked list through the connections themselves (their `LiveLinks`), where a `Set` was before.
 *
 * - For callers: `add`, `delete`, `size`, `values()` (an iterator that a later `delete` never
 *   breaks: it moves past the removed connection).
 *
 * Why not a `Set`: a connection added and deleted per connection churns the set's hash table,
 * which V8 rebuilds every few dozen changes; a table that was the current one at a scavenge is
 * promoted, and once replaced it still points to the connections it held (kept for iterators),
 * so the garbage collector keeps those connections, and all they point to, alive through the next
 * scavenge and promotes them. Measured on `Connection: close` (issue 16, `--trace-gc-nvp`, 4 s of
 * `wrk -c50`): 2.2 MB surviving each scavenge and 6.3–6.5 ms per scavenge with the set, 1.45 MB
 * and 4.5–4.9 ms with this list (node:http: 0.75 MB). Links are cleared when a connection leaves,
 * so a dead connection never points to a live one.
 */
export class LiveList<T extends LiveLinks> {
  #head: T | null = null;
  #size = 0;
  /** The iterators not yet done (a sweep and a drain at most), moved past what `delete` removes. */
  #cursors: Array<LiveCursor<T>> = [];

  /** How many connections are in the list. */
  get size(): number {
    return this.#size;
  }

  /** Adds `node` at the front (nothing if it is in already). */
  add(node: T): void {
    if (node.listed) return;
    const head = this.#head;
    node.livePrev = null;
    node.liveNext = head;
    if (head !== null) head.livePrev = node;
    this.#head = node;
    node.listed = true;
    this.#size++;
  }

  /** Removes `node` (nothing if it is not in); iterators that were to visit it next skip to its successor. */
  delete(node: T): void {
    if (!node.listed) return;
    const prev = node.livePrev as T | null;
    const next = node.liveNext as T | null;
    if (prev !== null) prev.liveNext = next;
    else this.#head = next;
    if (next !== null) next.livePrev = prev;
    const cursors = this.#cursors;
    for (let i = 0; i < cursors.length; i++) cursors[i]!.removing(node, next);
    node.livePrev = null;
    node.liveNext = null;
    node.listed = false;
    this.#size--;
  }

  /** The connections from the most recently added; connections added while it runs may be missed. */
  values(): Iterator<T> {
    const cursor = new LiveCursor(this.#head, this.#done);
    this.#cursors.push(cursor);
    return cursor;
  }

  readonly #done = (cursor: LiveCursor<T>): void => {
    const i = this.#cursors.indexOf(cursor);
    if (i !== -1) this.#cursors.splice(i, 1);
  };
}

/** An iterator over a {@link LiveList}. */
class LiveCursor<T extends LiveLinks> implements Iterator<T> {
  #at: T | null;
  readonly #done: (cursor: LiveCursor<T>) => void;

  constructor(first: T | null, done: (cursor: LiveCursor<T>) => void) {
    this.#at = first;
    this.#done = done;
  }

  next(): IteratorResult<T> {
    const node = this.#at;
    if (node === null) {
      this.#done(this);
      return { done: true, value: undefined };
    }
    this.#at = node.liveNext as T | null;
    return { done: false, value: node };
  }

  /** `node` leaves the list; `next` is its successor. */
  removing(node: T, next: T | null): void {
    if (this.#at === node) this.#at = next;
  }
}
