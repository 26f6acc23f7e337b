// Micro-benchmark of the service's metrics per request: RequestStats.observe() and exemplar(),
// with the same labels on every call (the common case: a poller, a load generator, one route)
// and with two routes in turn (every call changes the series).
// Run after `npm run build`:  taskset -c 0 node bench/micro/observe.mjs [dist dir]
// Prints ns per call (best of 7 rounds of 2 000 000 calls, wall time; a warm-up round first).
// The best case and the worst for the last-series reuse: every call hits it, or none does.
import { fileURLToPath, pathToFileURL } from 'node:url';

const dist = process.argv[2] ?? fileURLToPath(new URL('../../dist', import.meta.url));
const { RequestStats } = await import(pathToFileURL(`${dist}/service/request-stats.js`).href);
const { TraceIds } = await import(pathToFileURL(`${dist}/http/trace-context.js`).href);

const trace = new TraceIds().contextFor(null);
const N = 2_000_000;
for (const [name, routes] of [
  ['the same labels', ['unrouted']],
  ['two routes in turn', ['/a', '/b']],
]) {
  let best = Infinity;
  for (let round = -1; round < 7; round++) {
    const stats = new RequestStats('h');
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < N; i++) {
      stats.observe('GET', 200, routes[i % routes.length], 0.0001 + (i & 7) * 1e-5, 78, 142);
      stats.exemplar(trace, i);
    }
    if (round >= 0) best = Math.min(best, Number(process.hrtime.bigint() - t0) / N);
  }
  console.log(`${best.toFixed(1).padStart(6)} ns/call  ${name}`);
}
