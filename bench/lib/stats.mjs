// Per-cell arithmetic: medians over rounds, ratios to the baseline, the targets.

export function median(values) {
  const v = values.filter((x) => typeof x === 'number' && Number.isFinite(x)).sort((a, b) => a - b);
  if (v.length === 0) return null;
  const mid = v.length >> 1;
  return v.length % 2 ? v[mid] : (v[mid - 1] + v[mid]) / 2;
}

/**
 * Server CPU per unit of work in one measured run: µs of the server process's CPU time (user +
 * system, all threads) per response for req/s scenarios, per 10^6 payload bytes for MB/s ones
 * (the unit the figure counts: a 64 KiB response or a 1 MiB upload is one "request" but not the
 * same work). `before`/`after` are readCpuUs() around the run; null when either is missing.
 */
export function cpuPer(scenario, before, after, result) {
  if (before === null || after === null || !result?.requests) return null;
  const used = after - before;
  return scenario.unit === 'MB/s' ? used / ((result.requests * scenario.payloadBytes) / 1e6) : used / result.requests;
}

/** The CPU column's unit for a scenario. */
export const cpuUnit = (scenario) => (scenario.unit === 'MB/s' ? 'µs/MB' : 'µs/req');

/** A CPU figure in µs: 2 decimals below 10, 1 below 100, none above; '—' when not measured. */
export function fmtCpuNumber(us) {
  if (us === null || us === undefined) return '—';
  return us < 10 ? us.toFixed(2) : us < 100 ? us.toFixed(1) : Math.round(us).toLocaleString('en');
}

/** `13.9 µs` (req/s) or `45 µs/MB` (MB/s), for the summary and the console. */
export const fmtCpu = (scenario, us) => `${fmtCpuNumber(us)} ${scenario.unit === 'MB/s' ? 'µs/MB' : 'µs'}`;

/**
 * A cell is valid when every round ran and none had a problem (non-2xx, socket error,
 * short bytes, crash): a server that fails a check gets no figure in the headline table.
 */
export function summarize(rounds) {
  const problems = rounds.flatMap((r, i) => r.problems.map((p) => `round ${i + 1}: ${p}`));
  return {
    valid: rounds.length > 0 && problems.length === 0,
    value: median(rounds.map((r) => r.value)),
    p99Ms: median(rounds.map((r) => r.p99Ms)),
    cpuUs: median(rounds.map((r) => r.cpuUs)),
    rssKb: median(rounds.map((r) => r.rssKb)),
    baseRssKb: median(rounds.map((r) => r.baseRssKb)),
    problems,
  };
}

/**
 * Issue 5's targets, and issue 11's (RouteHandler vs fastify on the same route). `higher`: the ratio must reach `min`; otherwise (RSS) it must stay at or
 * below `max`. `profile`: what the profiles taken for this target showed (dated; the profiles and
 * how they were taken are in docs/performance.md), printed under the targets when it is missed;
 * `keepAlive`: the keep-alive profile below applies too (printed once).
 */
export const KEEPALIVE_PROFILE =
  'The keep-alive profile (2026-11-28, node --cpu-prof, 5 s of wrk -t1 -c50, 63 478 req/s): 15.8 µs per request, of which ' +
  'the write(2) call 8.1 µs, node\'s stream JavaScript 1.5 µs, basehttp\'s own JavaScript 2.1 µs, idle 14.6 %. The raw ' +
  'node:net responder, which parses nothing, takes 12.6 µs per request (its write 7.3 µs) and is the ceiling for any ' +
  'Node server here: see its own ratio in this run.';
export const TARGETS = [
  { server: 'basehttp', scenario: 'hello', versus: 'node-http', min: 2.0, profile: 'see the keep-alive profile below.', keepAlive: true },
  { server: 'basehttp', scenario: 'hello', versus: 'fastify', min: 1.9,
    profile: 'fastify answered at 0.93–1.03× node:http in the full runs of 2026-11-28, so 1.9× fastify needs about 2× node:http.', keepAlive: true },
  { server: 'basehttp', scenario: 'hello', versus: 'nginx', min: 0.7,
    profile: 'nginx\'s own spread between runs (medians of 88 580–105 717 req/s in the full runs of 2026-11-28) decides this cell.', keepAlive: true },
  { server: 'basehttp', scenario: 'pipeline', versus: 'node-http', min: 10,
    profile: 'pipelined profile (2026-11-28, 367 901 req/s): 2.7 µs per request all in; writing 33 %, header lines 5.7 %, ' +
      'scanHead 4.8 %, the request loop 4.7 %, the handler\'s response calls ~9 %, the request line 3.8 %, idle 8 %. 10× ' +
      'node:http needs about 1.8 µs per request, validation included; the raw responder reaches ~18× without parsing.' },
  { server: 'basehttp', scenario: 'close', versus: 'node-http', min: 1.1,
    profile: 'Connection: close profile (2026-11-28, ~8 000 req/s): node\'s socket setup and teardown (Socket constructor, ' +
      'close, stream state) ~20 %, the write(2) call ~19 %, idle ~23 %, basehttp\'s JavaScript ~10 %, of which getpeername ' +
      'for clientAddress ~3 %. This cell moves by ±15 % between rounds of one run.' },
  { server: 'basehttp', scenario: '64k', versus: 'node-http', min: 1.1,
    profile: 'met in every full run of 2026-11-28 (1.11–1.35×); one write per response, the body through writev.' },
  { server: 'basehttp', scenario: 'upload', versus: 'node-http', min: 1.1,
    profile: 'met in every full run of 2026-11-28 (1.13–1.18×); upload profile: copying the body into one buffer ~24 %, GC ~10 %, idle ~46 %.' },
  { server: 'service', scenario: 'hello', versus: 'node-http', min: 1.6,
    profile: 'the full service keeps 0.8–0.88 of the bare core\'s keep-alive throughput (access line, X-Request-Id, ' +
      'histograms, the subclass\'s hooks: about 2 µs per request), so 1.6× node:http needs the bare core at about 1.9×.', keepAlive: true },
  { server: 'routes', scenario: 'route', versus: 'fastify', min: 1.3,
    profile: 'GET /users/42 profile (2026-12-06, node --cpu-prof, 5 s of wrk -t1 -c50, 93 564 req/s): the write(2) call ' +
      '27.6 %, idle 42.8 %, the router (canonicalize, find, params, #serve) 2.4 %, sendJson 2.7 %. BENCH_QUICK runs of the same ' +
      'day measured 1.86–2.13× fastify; a miss here points at load on the machine, not at the route lookup.' },
  { server: 'basehttp', scenario: 'idle10k', versus: 'node-http', max: 1.0,
    profile: 'heap per idle keep-alive connection (bench/conn-memory.mjs, 2026-11-28): basehttp 3 838–3 884 bytes, node:http ' +
      '2 951–2 956; the rest of the RSS is node\'s sockets, the same for both.' },
];

/** Ratio of two valid cells, or null. */
export function ratio(cell, base) {
  if (!cell?.valid || !base?.valid || !cell.value || !base.value) return null;
  return cell.value / base.value;
}
