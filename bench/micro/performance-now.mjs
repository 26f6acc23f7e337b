// Micro-benchmark behind the `import { performance } from 'node:perf_hooks'` in the per-request
// path (src/http/request-loop.ts, src/service/service-handler.ts): `performance.now()` read
// through the global (an accessor on globalThis, so each read calls a getter) against the
// module's export. Run: taskset -c 0 node bench/micro/performance-now.mjs
// Prints ns per call, best of 5 rounds of 2e6.
import { performance as imported } from 'node:perf_hooks';

function viaGlobal(n) {
  let s = 0;
  for (let i = 0; i < n; i++) s += performance.now();
  return s;
}
function viaImport(n) {
  let s = 0;
  for (let i = 0; i < n; i++) s += imported.now();
  return s;
}

const best = { global: Infinity, import: Infinity };
for (let round = 0; round < 5; round++) {
  for (const [name, f] of [
    ['global', viaGlobal],
    ['import', viaImport],
  ]) {
    f(1e5);
    const t = process.hrtime.bigint();
    f(2e6);
    best[name] = Math.min(best[name], Number(process.hrtime.bigint() - t) / 2e6);
  }
}
console.log(`performance.now() via the global: ${best.global.toFixed(1)} ns; via node:perf_hooks: ${best.import.toFixed(1)} ns`);
