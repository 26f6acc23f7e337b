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
 * The cost: a response waits for the other connections handled in the same turn (each a few
 * microseconds), as node:http's responses wait for their `process.nextTick` uncork.
 */

/** What can be flushed: a connection's `wfile` (`SocketWriter`). */
export interface Flushable {
  flush(): void;
}

const pending: Flushable[] = [];
let scheduled = false;

function flushPending(): void {
  scheduled = false;
  // A flush can add no writer here (it only hands bytes to the socket), but the loop reads the
  // length each time so that one added by a future change is flushed too.
  for (let i = 0; i < pending.length; i++) pending[i]!.flush();
  pending.length = 0;
}

/**
 * Flushes `writer` at the end of this event-loop turn's I/O (in `setImmediate`'s check phase,
 * before the next poll for I/O or timer). A writer given twice is flushed twice: the second
 * finds nothing pending. Its own `flush()`, called before then (a connection that ends), still
 * writes at once.
 */
export function flushSoon(writer: Flushable): void {
  pending.push(writer);
  if (!scheduled) {
    scheduled = true;
    setImmediate(flushPending);
  }
}
