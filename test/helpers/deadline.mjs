// A client-side deadline that a stalled event loop cannot turn into a false "timed out".
//
// When this process is held (a GC pause, a busy machine), a timer that expired meanwhile runs in
// the loop's timers phase, before the poll phase that delivers the data, FIN or reset that arrived
// while the process was held, and before the close callbacks that emit a socket's 'close'. A
// plain setTimeout then reports "the server stayed silent / kept the connection open" although
// its answer is already here. `setDeadline` defers the callback by two setImmediate hops: the
// first runs after that poll phase ('data', 'end' and 'error' have been emitted), the second
// after the close callbacks ('close' has been emitted). Checked with a server in another process
// that closes while this one is held: timer, 'end', first hop, 'close', second hop.

/**
 * Calls `fn` once `ms` have passed and the I/O that arrived by then has been delivered.
 * Returns a function that cancels it (at any stage).
 * @param {() => void} fn
 * @param {number} ms
 * @returns {() => void}
 */
export function setDeadline(fn, ms) {
  let immediate = null;
  const timer = setTimeout(() => {
    immediate = setImmediate(() => {
      immediate = setImmediate(fn);
    });
  }, ms);
  return () => {
    clearTimeout(timer);
    if (immediate !== null) clearImmediate(immediate);
  };
}
