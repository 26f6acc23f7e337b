/**
 * Work over every open connection (the timeout sweep, the shutdown drain, the lingering-close
 * deadlines), done a bounded slice at a time so that a mass event never holds the event loop.
 *
 * Measured with bench/mass-expiry.mjs (10 000 request heads timing out in the same sweep, a
 * normal client probing meanwhile, 2 cores): in one synchronous pass the event loop was held
 * 194 ms and the normal client 220 ms. Two costs add up: expiring a connection (408 written,
 * handler finished, socket ended: ~10-20 µs with the microtasks that follow), and on this kind of
 * machine even the check itself, when the connections' objects are cold (a pass over 10 000 took
 * 0.7 ms warm and 22-40 ms cold, ~2.5 µs each: one TLB and cache miss after another).
 */

/** Milliseconds of checks done in one event-loop turn before the rest waits for the next. */
export const TURN_BUDGET_MS = 2;
/**
 * Costly visits (a connection expired, drained or reset) in one turn. Counted, not timed: most of
 * their cost comes after the visit, in the microtasks that finish the handler and write to the
 * socket. Budgeting by time alone let 400-700 expiries into a 2 ms turn and 10-30 ms of
 * microtasks after it; 32 keep a turn near 1-2 ms and the event loop's longest stall with 10 000 expiring at 10-16 ms (bench/mass-expiry.mjs).
 */
export const COSTLY_PER_TURN = 32;

/** Checks between two clock reads. */
const CHECKS_PER_CLOCK_READ = 256;

/**
 * Calls `visit(item, now)` for each item `items` yields, `now` being `performance.now()` at the
 * start of the turn. Returns `true` when it went through all of them, `false` when it stopped at
 * a turn's budget and queued `resume` with setImmediate (I/O is polled before it runs), to call
 * this again with the same iterator. `visit` returns whether it did something costly.
 */
export function visitInTurns<T>(items: Iterator<T>, visit: (item: T, now: number) => boolean, resume: () => void): boolean {
  const now = performance.now();
  let checks = 0;
  let costly = 0;
  for (;;) {
    const next = items.next();
    if (next.done === true) return true;
    if (visit(next.value, now) ? ++costly === COSTLY_PER_TURN : ++checks % CHECKS_PER_CLOCK_READ === 0 && performance.now() - now >= TURN_BUDGET_MS) {
      setImmediate(resume);
      return false;
    }
  }
}
