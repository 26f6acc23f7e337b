/**
 * Output that goes out once the event loop has handled every connection that was ready: the
 * writers given to `flushSoon()` in one turn are flushed together, by one `setImmediate`
 * callback, in the order they were given.
 *
 * Why: on a loaded server each response written at once wakes the client, which often handles
 * that one response and goes back to sleep before the next one is written, so nearly every
 * response paid a cross-core wake-up inside its `write(2)` (`_raw_spin_unlock_irqrestore`
 * inside `tcp_sendmsg` was 12 % of the full service's keep-alive samples). Written back to back
 * at the end of the turn, one wake-up serves several responses: 8.8 % of the samples. Server
 * CPU per request, wrk -t1 -c50, medians of 5 rounds alternating with the build before (server
 * on core 0, docs/performance.md): the bare core keep-alive 8.80 → 8.23 µs, pipelined 1.98 →
 * 1.73 µs; the full service keep-alive 12.36 → 10.59 µs, pipelined 4.18 → 3.34 µs.
 *
 * The cost: a finished response waits for the work done for the other connections later in the
 * same turn — a few microseconds each for ordinary handlers, but all of a slow synchronous
 * handler's time. So the wait is bounded: once the turn's first deferred flush is
 * {@link MAX_DEFER_MS} old (checked every {@link CHECK_EVERY} deferrals, so that the clock is
 * read rarely), everything deferred so far is written at once.
 */
import { performance } from 'node:perf_hooks';

/** What can be flushed: a connection's `wfile` (`SocketWriter`), or a caller's `{ flush }`. */
export interface Flushable {
  flush(): void;
}

/** Longest a deferred flush waits for the rest of the turn, in ms. */
export const MAX_DEFER_MS = 1;
/** The clock is read at every this many deferrals of a turn. */
const CHECK_EVERY = 8;

let pending: Flushable[] = [];
let spare: Flushable[] = [];
let scheduled = false;
/** `performance.now()` at the first deferral since the last flush. */
let firstAt = 0;

/**
 * Flushes every writer deferred so far, each once per time given. A writer that throws does not
 * keep the others from being flushed: the first error is thrown again once all were tried (an
 * exception of an I/O callback, as a throwing `flush()` before a wait used to be).
 */
function flushPending(): void {
  const batch = pending;
  pending = spare;
  spare = batch;
  let failed = false;
  let failure: unknown;
  for (let i = 0; i < batch.length; i++) {
    try {
      batch[i]!.flush();
    } catch (e) {
      if (!failed) {
        failed = true;
        failure = e;
      }
    }
  }
  batch.length = 0;
  if (failed) throw failure;
}

function onImmediate(): void {
  scheduled = false;
  flushPending();
}

/**
 * Flushes `writer` at the end of this event-loop turn's I/O (in `setImmediate`'s check phase,
 * before the next poll for I/O or timer), or sooner when the turn runs long (see the module
 * comment). A writer given twice is flushed twice: the second finds nothing pending. Its own
 * `flush()`, called before then (a connection that ends), still writes at once.
 */
export function flushSoon(writer: Flushable): void {
  const n = pending.push(writer);
  if (n === 1) {
    firstAt = performance.now();
    if (!scheduled) {
      scheduled = true;
      setImmediate(onImmediate);
    }
  } else if (n % CHECK_EVERY === 0 && performance.now() - firstAt >= MAX_DEFER_MS) {
    flushPending();
  }
}
