// Per-cell arithmetic: medians over rounds, ratios to the baseline, the issue's targets.

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
 * The targets, each a ratio between two rows of the same scenario: `server`'s figure over
 * `versus`'s, where `versus` is any server id (node-http, fastify, the parse sketch, or basehttp
 * itself for the full service's cost over its bare core). `min`: the ratio must reach it; `max`
 * (RSS): it must stay at or below it; `reference: true`: shown for the record, no target. `issue`:
 * the issue that set it. `profile`: what was measured for this target (dated or attributed; the
 * profiles and how they were taken are in docs/performance.md), printed under the targets when it
 * is missed; `keepAlive`: the keep-alive profile below applies too (printed once).
 */
export const KEEPALIVE_PROFILE =
  'The keep-alive profile (2026-11-28, node --cpu-prof, 5 s of wrk -t1 -c50, 63 478 req/s): 15.8 µs per request, of which ' +
  "the write(2) call 8.1 µs, node's stream JavaScript 1.5 µs, basehttp's own JavaScript 2.1 µs, idle 14.6 %. The parse " +
  "sketch's row is the ceiling with parsing: the gap between its server CPU per request and basehttp's is what there is to cut.";
export const TARGETS = [
  {
    issue: 16,
    server: 'basehttp',
    scenario: 'hello',
    versus: 'sketch',
    min: 0.95,
    keepAlive: true,
    profile:
      'issue 16 measured 0.95 (basehttp 55.8k, the sketch 58.5k req/s). Its first lever, TCP_NODELAY, is on since 2026-12-06: ' +
      'an A/B of the bare server measured no change for these one-write responses (8.22 vs 8.28 µs per request, ' +
      'docs/performance.md). The levers left: the status line rebuilt and checked on every response, per-request ' +
      'allocations in header parsing. Between runs this ratio moves by ±0.04 (0.96 in the full run of 2026-12-07 00:01, ' +
      '0.88 at 02:44 and 0.92 in a 5-round run of this scenario alone right after; the build of 4834ade, in the same ' +
      'rounds as the later one, gave 0.89 against its 0.95): the target sits inside that spread. Since 2026-12-07 04:00 ' +
      'the responses of a turn are written together at its end (src/socketserver/flush-soon.ts): fewer cross-core ' +
      'wake-ups of wrk, 8.80 → 8.23 µs per request (5 alternating rounds); 0.98× the sketch in a 4-round run, 0.97× and ' +
      '0.98× in the two full runs after it (04:22, 05:07).',
  },
  {
    issue: 16,
    server: 'basehttp',
    scenario: 'pipeline',
    versus: 'sketch',
    min: 0.9,
    profile:
      'issue 16 measured 0.87 (387k vs 443k req/s). perf on a quiet machine (2026-12-06, docs/performance.md): both ' +
      'servers CPU-bound, one write(2) per 16 responses each; the response length is not the gap (the sketch sending ' +
      "basehttp's Server line is as fast); basehttp's 0.6–0.7 µs more per request are its head parse into HTTPMessage " +
      "with validation (~0.14 µs against the sketch's 0.05), the CPython-shaped response calls, the request line, write " +
      'barriers and the clock read, each 1–4 % of the profile; and, as a consequence of being slower, more cross-core ' +
      "wake-ups of wrk inside its write(2) (17 % of basehttp's samples, 9 % of the sketch's). Since 2026-12-07 04:00 " +
      'the responses of a turn are written together at its end (flush-soon.ts): 1.98 → 1.73 µs per request (5 ' +
      'alternating rounds), 0.64× → 0.79× in the full runs before and after (04:22). The largest single item left in ' +
      "the profile was then node's String::SlowFlatten of the batch's cons-string inside its write (8.8 %); since " +
      'fa93d01 a batch past 1 KiB is written as bytes (1.658 → 1.550 µs, 5 rounds): 0.76× in the full run of 05:07, ' +
      'basehttp 1.59 µs (1.75 at 04:22) against a sketch that ran faster in that run (1.21 µs, 1.40 at 04:22). What ' +
      'is left is spread: head parsing (scanHead + parseHeaderLines 8.5 %), each head flattened by latin1Write ' +
      '(4.5 %), write barriers, the clock read, each 1–4 %. Since 2026-12-07 06:00 common field names and methods are constants (no slice and toLowerCase per header) ' +
      'and requestStart is read once per wake-up of a connection, not per request: 1.890 → 1.839 µs (5 alternating ' +
      'rounds, the sketch 1.528), 0.85× in the full run of 06:27 (1.95 against 1.66 µs on a machine ~20 % slower than ' +
      'at 05:07). What is left: the head parse (scanHead, parseHeaderLines, the request line) ~0.2 µs against the ' +
      "sketch's ~0.1, each head's cons-string flattened inside latin1Write 4 %." +
      " 2026-12-07, fifth session: the request line's words counted in the loop that finds its LF, a valid Host value read once, header names compared with the last four good ones before the Set, Uint8Array set calls and body sizes without generic LoadICs, the library's status line cached without reading its frozen table: in perf, scanHead 0.105 → 0.089 µs, parseHeaderLines 0.082 → 0.065, the Set lookup (0.023) and KeyedLoadIC gone, LoadIC 3.5 → 2.2 % of the samples; end to end within the spread of alternating rounds; 0.895× in the full run of 10:50 (1.28 against 1.15 µs). 2026-12-07, sixth session: response heads from reused pieces, merged (response-head.ts: a repeated head is one copy into a batch of bytes, no head flattened into a new string first): the bare core 1.72 → 1.55 µs (6 alternating rounds), 1.86 → 1.63 in 4 more; 1.01× in the full run of 12:43 (1.61 against 1.63 µs) and 0.97× at 12:56 (1.69 against 1.64).",
  },
  {
    issue: 16,
    server: 'basehttp',
    scenario: 'hello',
    versus: 'fastify',
    min: 1.3,
    keepAlive: true,
    profile:
      'issue 16 measured 1.65× (55.8k vs 33.8k req/s). Missed with the sketch target met, fastify came closer to the ' + 'ceiling: compare both rows with the sketch.',
  },
  {
    issue: 16,
    server: 'basehttp',
    scenario: 'close',
    versus: 'node-http',
    min: 1.1,
    profile:
      'issue 16 measured 0.89 (10.1k vs 11.4k req/s, the sketch 12.6k): 98 vs 86 µs of server CPU per request, about ' +
      '12 µs more per connection than node:http; its list: handler construction, setup()/finish(), listeners, getpeername, ' +
      "timers, lingering close. Connection: close profile (2026-11-28, ~8 000 req/s): node's socket setup and teardown " +
      "(Socket constructor, close, stream state) ~20 %, the write(2) call ~19 %, idle ~23 %, basehttp's JavaScript ~10 %, of " +
      'which getpeername for clientAddress ~3 %. This cell moves by ±15 % between rounds of one run. Since 2026-12-07 a ' +
      'client that said Connection: close and sent nothing more is closed without a lingering close (1.01× → 1.09× in the ' +
      "full runs before and after; 1.04× in a close-only run of 7 rounds); the sketch's 41.6 µs per connection against basehttp's 54.8 are basehttp's per-" +
      "connection objects, listeners and promise (perf: scavenges 4.6 % of its samples, 2.8 % of the sketch's). Since " +
      "2026-12-07 02:30 the server's two per-connection collections (HTTPServer's Set, BaseServer's Map) are linked lists: " +
      'their rebuilt hash tables kept dead connections alive across scavenges (2.2 MB → 0.97 MB surviving each, 6.5 → ' +
      '3.6 ms per scavenge; docs/performance.md). 1.11× in the full run after it, 1.09× in a 5-round close-only run; ' +
      '1.08× (65.3 against 70.1 µs) in the full run of 2026-12-07 04:22 and 1.07× (60.3 against 64.6) at 05:07, whose ' +
      'changes left this path alone (a Connection: close response is flushed as the connection ends, not deferred); ' +
      'an A/B of the build of 1e68471 against that of 05:07, 5 rounds with node:http: 61.8 against 63.2 µs per ' +
      'connection (rounds 54.1–69.7 and 62.0–67.3), node:http 67.2: 1.09× and 1.07×, within the spread. 1.07× again at 06:27 (79.7 against 85.3 µs). perf of the bare core (2026-12-07 06:30): megamorphic ' +
      "loads in node's own net.Socket and Duplex constructors missing V8's stub cache ~6 % of the samples (node:http " +
      "pays them too), basehttp's own JavaScript ~4 % (~2.4 µs per connection): the 1.6 µs per connection the target " +
      "needs are not in basehttp's code alone. That profile counted basehttp's JavaScript only: the getpeername it asked " +
      'for at accept (a system call, and node binding objects) was counted as node and kernel time. Since 2026-12-07 ' +
      '08:30 clientAddress is read when something first reads it (src/socketserver/peer-address.ts): 47.96 → 43.29 µs ' +
      'per connection (medians of 5 alternating rounds; node:http 51.56), 1.14× in a 5-round close-only run.',
  },
  {
    issue: 16,
    server: 'service',
    scenario: 'hello',
    versus: 'basehttp',
    min: 0.85,
    profile:
      'issue 16 measured 0.73 (0.83 without the access log): the service adds ~6 µs per keep-alive request, the access ' +
      'record ~2–2.6 µs of it (formatting 0.3–0.7, writeSync 0.2–0.35, join, UTF-8 encoding and GC ~0.2–0.5), the request ' +
      "id re-validated ~0.15–0.2, the metrics observe 0.03–0.15. The two rows' server CPU per request differ by the service's cost. " +
      "Since 2026-12-07 the request id is a number and a fresh trace's ids are bytes until asked for, X-Request-Id skips " +
      'sendHeader (docs/performance.md: the ids cost ~1 µs end to end, several times their micro-benchmark); what remains ' +
      'over the bare core is the access record (~0.5 µs), the wrapper, the log write, and about 1 µs per keep-alive ' +
      'request the profile spreads over the event loop. Since 2026-12-07 04:00 the responses of a turn are written ' +
      'together at its end (flush-soon.ts): 12.36 → 10.59 µs per request (5 alternating rounds), 0.69× → 0.76× in the ' +
      'full runs before and after (0.75× at 05:07). What remains over the bare core (perf, 4 s each): the access record serialised ' +
      '~0.55 µs, the log file written ~1 µs (the same service with stdout on /dev/null: 9.5 against 10.5 µs, ' +
      'though its ext4 write path itself is ~0.17 µs of that), the wrapper, ids and metrics ~0.6 µs.' +
      ' 2026-12-07 06:00: where the lines go makes no difference (a file 11.2–11.3, /dev/null 10.5–11.4, tmpfs ' +
      '10.8–12.1, no access log 9.3–9.8 µs, 3 rounds): the record costs ~1.7 µs end to end, ~1.1 of it user time, most ' +
      'of it the serialiser (724–812 ns per record in bench/micro/access-bytes.mjs). Its two long runs of fields are ' +
      'now kept per connection once they repeat (access-log.ts, ConnectionRecord: 463–553 ns per record), which the ' +
      'pipelined ratio shows and this one does not (12.98 against 12.90 µs, 5 rounds): keep-alive, the service pays ' +
      '+2.8 µs of user time over the bare core against +1.7 pipelined for the same work per request, spread thin in ' +
      'the profile and not the number of connections (+2.7–4.2 µs with 10, 50 and 150; docs/performance.md). 0.73× in the ' +
      'full run of 06:27, 0.68× at 06:58.' +
      " 2026-12-07, fifth session: header lookups keep the lower-cased names they saw (the service's four per request were each lower-cased: 1.3 % of its pipelined profile), with the head parse's changes above; 0.74× in the full run of 10:50 (9.66 against 7.21 µs). 2026-12-07, sixth session (docs/performance.md, \"What the service's targets would need\"): bench/micro/service.sh splits the cost; in its 4 rounds the service without its access log was 0.84× the bare core (9.44 against 7.88 µs), so the request id, trace context, metrics and hooks alone use the 0.85× budget; with the records serialised to /dev/null 0.78×, written to a file 0.73×. The response-head change made the bare core faster and the service no slower (alternating rounds); 0.67× in the full run of 12:43, 0.71× at 12:56 (14.2 against 9.81 µs). 2026-12-07, seventh session (docs/performance.md, \"The floor under every record, measured\"): the bare core writing one constant 450-byte record per request to a file (bench/micro/record-floor.mjs, service.sh's record-floor row) was 0.95× the bare core; 0.85× leaves 0.87–0.92 µs above that floor, and the service spends 2.09–2.41 there (its ids, trace context, metrics and hooks 1.08–1.29, serialising the record 0.81–0.84; two runs of 4 rounds): with a serialiser that cost nothing it would be 0.81–0.84×, without the ids, trace context and metrics 0.85–0.86×. On Node 24, the Dockerfile's runtime: the service 0.80× (9.04 against 7.27 µs), without its access log 0.90×; 0.64 µs left above the floor against 1.12 spent.",
  },
  {
    issue: 16,
    server: 'service',
    scenario: 'pipeline',
    versus: 'basehttp',
    min: 0.6,
    profile:
      'issue 16 measured 0.46 (0.72 without the access log): ~3 µs per pipelined request over the bare core, the access ' +
      'record the largest part. 2026-12-07 (docs/performance.md): without id strings on the path (request ids as numbers, ' +
      "trace ids as bytes) ~1.9 µs over the bare core in perf: the record's serialisation ~0.5, the wrapper ~0.2, the " +
      "trace context object and header lookups ~0.1, the log's write(2) ~0.07, and ~0.45 µs of waking wrk inside the " +
      'response write, which a slower server pays on more of its writes. Since 2026-12-07 04:00 the responses of a ' +
      'turn are written together at its end (flush-soon.ts): the service 4.18 → 3.34 µs per request, the bare core ' +
      '1.98 → 1.73 (5 alternating rounds): both faster, the ratio 0.48× → 0.47× in the full runs before and after, ' +
      '0.49× at 05:07 (3.30 against 1.59 µs).' +
      ' Since 2026-12-07 06:00 the access record keeps its repeated runs of fields per connection and the core reads ' +
      'the clock once per wake-up: the service 3.858 → 3.397 µs, the bare core 1.890 → 1.839 (5 alternating rounds), ' +
      "0.49× → 0.54×; 0.53× in the full run of 06:27 (3.71 against 1.95 µs). Left over the bare core (perf): the record's " +
      "serialisation ~0.4 µs (its trace ids' hex 0.09), the wrapper, trace context, ids and header lookups ~0.4, the log " +
      'file written ~0.08.' +
      " 2026-12-07, fifth session: the same changes as for keep-alive; in perf the service's record (serialiser, hex, fragment copies, the file's write) ~0.45 µs and the wrapper (clock read, ids, trace context, header lookups) ~0.35 µs over the bare core; 0.53× in the full run of 10:50 (2.43 against 1.28 µs). 2026-12-07, sixth session: 0.60× leaves 0.99 µs over the bare core (service.sh, 4 rounds: 1.49 µs); the wrapper uses 0.60 of it, serialising the records 0.56 and writing them to a file 0.35. The response-head change made the service 3.34 → 3.13 µs but the bare core 1.72 → 1.55 (alternating rounds), so the ratio fell: 0.49× in the full run of 12:43, 0.44× at 12:56 (3.88 against 1.69 µs). 2026-12-07, seventh session: the constant-record floor was 0.79–0.81× the bare core pipelined; 0.60× leaves 0.54–0.56 µs above it, against 1.25–1.32 spent (the features without a record 0.65–0.67, serialising the record 0.61–0.69): with a serialiser that cost nothing 0.57×, with ids, trace context, metrics and hooks that cost nothing 0.56–0.59×. On Node 24: the service 0.48× (2.28 against 1.10 µs); 0.43 µs left above the floor against 0.88 spent, 0.57× and 0.60× for the two.",
  },
  {
    issue: 11,
    server: 'routes',
    scenario: 'route',
    versus: 'fastify',
    min: 1.3,
    profile:
      'GET /users/42 profile (2026-12-06, node --cpu-prof, 5 s of wrk -t1 -c50, 93 564 req/s): the write(2) call ' +
      '27.6 %, idle 42.8 %, the router (canonicalize, find, params, #serve) 2.4 %, sendJson 2.7 %. BENCH_QUICK runs of the same ' +
      'day measured 1.86–2.13× fastify; a miss here points at load on the machine, not at the route lookup.',
  },
  // Issue 5's targets that were met, kept as regression lines.
  {
    issue: 5,
    server: 'basehttp',
    scenario: '64k',
    versus: 'node-http',
    min: 1.1,
    profile: 'met in every full run of 2026-11-28 (1.11–1.35×); one write per response, the body through writev.',
  },
  {
    issue: 5,
    server: 'basehttp',
    scenario: 'upload',
    versus: 'node-http',
    min: 1.1,
    profile: 'met in every full run of 2026-11-28 (1.13–1.18×); upload profile: copying the body into one buffer ~24 %, GC ~10 %, idle ~46 %.',
  },
  {
    issue: 5,
    server: 'basehttp',
    scenario: 'idle10k',
    versus: 'node-http',
    max: 1.0,
    profile:
      'heap per idle keep-alive connection (bench/conn-memory.mjs, 2026-11-28): basehttp 3 838–3 884 bytes, node:http ' +
      "2 951–2 956; the rest of the RSS is node's sockets, the same for both.",
  },
  // The native reference, for the record (issue 16 measured 0.75: 55.8k vs nginx 74.5k req/s).
  { issue: 16, server: 'basehttp', scenario: 'hello', versus: 'nginx', reference: true },
];

/** Targets retired by issue 16, stated under the target table. */
export const RETIRED_TARGETS =
  "Retired by issue 16 (issue 5's): basehttp ≥ 2× node:http keep-alive and ≥ 10× pipelined, ≥ 1.9× fastify keep-alive, " +
  "and the full service ≥ 1.6× node:http. They sat above the node:net ceiling: in issue 16's runs the parse sketch, a raw " +
  "node:net server doing the least parsing a correct server must, reached 58.5k req/s keep-alive against node:http's 38.9k " +
  '(1.5×) and 443k pipelined against 47.6k (9.3×), so no Node server that parses could meet them. The keep-alive and ' +
  "pipelined targets are now ratios to the sketch in the same run, and the full service's to the bare core. basehttp ≥ 0.7× " +
  "nginx is retired too (nginx's own spread between runs decided it); the ratio stays in the table for the record.";

/** Ratio of two valid cells, or null. */
export function ratio(cell, base) {
  if (!cell?.valid || !base?.valid || !cell.value || !base.value) return null;
  return cell.value / base.value;
}
