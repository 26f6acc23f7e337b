// Writes bench/RESULTS.md from one run's measurements. Every number in it comes from this run:
// no estimate, no carried-over figure. Cells that failed a check say so instead of a number.
import fs from 'node:fs';
import path from 'node:path';
import { BASELINE, SERVERS } from './servers.mjs';
import { KEEPALIVE_PROFILE, RETIRED_TARGETS, TARGETS, cpuUnit, fmtCpu, fmtCpuNumber, ratio } from './stats.mjs';

const fmtInt = (x) => Math.round(x).toLocaleString('en');
const fmtRatio = (x) => (x === null ? '—' : `${x.toFixed(2)}×`);
const pct = (x) => (x === null || x === undefined ? '—' : `${x.toFixed(1)} %`);
const mb = (kb) => (kb === null || kb === undefined ? '—' : (kb / 1024).toFixed(1));

function fmtValue(scenario, value) {
  if (value === null || value === undefined) return '—';
  if (scenario.unit === 'req/s') return fmtInt(value);
  return value.toFixed(1);
}

function headline(scenario, cell, base) {
  if (!cell) return '';
  if (!cell.valid) return '✗ failed check';
  const cpu = cell.cpuUs === null || cell.cpuUs === undefined ? '' : `, ${fmtCpu(scenario, cell.cpuUs)}`;
  return `${fmtValue(scenario, cell.value)} (${fmtRatio(ratio(cell, base))}${cpu})`;
}

/** True when a measured target is missed (false when met, or not measured at all). */
function missed(t, cells) {
  if (t.reference) return false;
  const r = ratio(cells[t.scenario]?.[t.server], cells[t.scenario]?.[t.versus]);
  if (r === null) return false;
  return t.min !== undefined ? r < t.min : r > t.max;
}

/** For each missed target: by how much (the table above) and what its profile showed. */
function missedNotes(cells, labels) {
  const miss = TARGETS.filter((t) => missed(t, cells));
  const notes = miss.map((t) => `- ${labels[t.server]} vs ${labels[t.versus]}, ${t.scenario}: ${t.profile}`);
  if (notes.length === 0) return [];
  if (miss.some((t) => t.keepAlive)) notes.push(`- ${KEEPALIVE_PROFILE}`);
  return [
    'What the profiles show where a target is missed (the profiles, the changes measured against them and',
    'the next steps are in docs/performance.md):',
    '',
    ...notes,
    '',
  ];
}

function targetRows(cells, labels, scenarios) {
  const rows = [];
  for (const t of TARGETS) {
    const cell = cells[t.scenario]?.[t.server];
    const base = cells[t.scenario]?.[t.versus];
    const what = `${labels[t.server]} vs ${labels[t.versus]}, ${t.scenario}`;
    const want = t.reference ? 'reference, no target' : t.min !== undefined ? `≥ ${t.min}×` : `≤ ${t.max}×`;
    const r = ratio(cell, base);
    const sc = scenarios.find((x) => x.id === t.scenario);
    const cpu = sc?.kind === 'wrk' && cell?.cpuUs != null && base?.cpuUs != null ? `${fmtCpu(sc, cell.cpuUs)} vs ${fmtCpu(sc, base.cpuUs)}` : '—';
    let verdict;
    if (!cell || !base) verdict = 'not measured (row absent from this run)';
    else if (r === null) verdict = 'not measurable (a cell failed its checks)';
    else if (t.reference) verdict = '—';
    else if (t.min !== undefined) verdict = r >= t.min ? 'met' : `**missed** by ${(t.min - r).toFixed(2)}× (${((1 - r / t.min) * 100).toFixed(0)} % short)`;
    else verdict = r <= t.max ? 'met' : `**missed** by ${(r - t.max).toFixed(2)}× (${((r / t.max - 1) * 100).toFixed(0)} % over)`;
    rows.push(`| ${what} | ${t.issue} | ${want} | ${fmtRatio(r)} | ${cpu} | ${verdict} |`);
  }
  return rows;
}

/** The server a scenario's ratios are to: node:http, or the scenario's own `baseline`. */
const baselineOf = (scenario) => scenario.baseline ?? BASELINE;

function detail(scenario, servers, cells, roundsBy, labels) {
  const base = cells[scenario.id][baselineOf(scenario)];
  const versus = `× ${labels[baselineOf(scenario)].split(' ')[0]}`;
  const out = [`### ${scenario.title}`, ''];
  if (scenario.kind === 'idle') {
    out.push(`| server | RSS with connections, MB | ${versus} | RSS before, MB | per round, MB | checks |`, '|---|---:|---:|---:|---|---|');
  } else {
    const cpu = `server CPU ${cpuUnit(scenario)}`;
    out.push(`| server | median ${scenario.unit} | ${versus} | ${cpu} | p99 ms | RSS MB | per round, ${scenario.unit} | per round, ${cpu} | checks |`);
    out.push('|---|---:|---:|---:|---:|---:|---|---|---|');
  }
  for (const s of servers) {
    const cell = cells[scenario.id][s.id];
    if (!cell) continue;
    const rounds = roundsBy[scenario.id][s.id];
    const per = rounds.map((r) => fmtValue(scenario, r.value)).join(', ');
    const checks = cell.valid ? 'ok' : cell.problems.join('; ').replace(/\|/g, '\\|');
    if (scenario.kind === 'idle') {
      out.push(`| ${s.label} | ${fmtValue(scenario, cell.value)} | ${fmtRatio(ratio(cell, base))} | ${mb(cell.baseRssKb)} | ${per} | ${checks} |`);
    } else {
      const p99 = cell.p99Ms === null ? '—' : cell.p99Ms.toFixed(2);
      const cpuPer = rounds.map((r) => fmtCpuNumber(r.cpuUs)).join(', ');
      out.push(
        `| ${s.label} | ${fmtValue(scenario, cell.value)} | ${fmtRatio(ratio(cell, base))} | ${fmtCpuNumber(cell.cpuUs)} | ${p99} | ${mb(cell.rssKb)} | ${per} | ${cpuPer} | ${checks} |`,
      );
    }
  }
  const notes = Object.values(roundsBy[scenario.id]).flatMap((rs) => rs.flatMap((r) => r.notes ?? []));
  if (notes.length) out.push('', ...notes.map((n) => `- ${n}`));
  out.push('');
  return out;
}

/** Renders and writes the results file. */
export function writeReport(file, run) {
  const { meta, servers, scenarios, cells, roundsBy, skipped, commands, settings } = run;
  const labels = Object.fromEntries(SERVERS.map((s) => [s.id, s.label]));
  const lines = [
    '# basehttp benchmark results',
    '',
    `Written by \`npm run bench\` (bench/run.mjs) on ${meta.date}${settings.quick ? ' — **BENCH_QUICK smoke run, not a result**' : ''}.`,
    '',
    `Machine: ${meta.machine}.`,
    `Tools: ${meta.tools}.`,
    `Load average (1 min) at start ${meta.loadStart}, at end ${meta.loadEnd}; wall time ${meta.wallSeconds} s.`,
    `CPU time taken by processes other than the bench during the run: ${pct(meta.othersPct)} of the machine's cores` +
      ` (steal ${pct(meta.stealPct)}); the bench's own server and client use at most 100 % of it.`,
    '',
    `Method: ${settings.rounds} round(s); in each round every scenario runs against every server in turn`,
    `(A B C … A B C …). Each cell is a fresh server process pinned to core ${settings.serverCore}, a GET /hello readiness`,
    `poll, a ${settings.warmupSeconds} s warm-up with the same wrk command (not counted), the measured ${settings.seconds} s run`,
    `(wrk -t1 pinned to core ${settings.wrkCore}) with the server's CPU time read from /proc/PID/stat right before and`,
    "right after it, then the server's VmRSS from /proc/PID/status, then SIGTERM.",
    'Figures are medians over rounds. A cell with any non-2xx response, socket error, byte shortfall or crash in any',
    'round shows "✗ failed check" and its problems are listed below. Ratios in the summary and the per-scenario tables',
    'are to node:http in the same scenario (for RSS, a ratio above 1 means more memory than node:http), except in the',
    "route scenarios (issue 11), which only basehttp's RouteHandler and fastify run: there the ratio is to fastify.",
    'The targets below are ratios between the rows they name.',
    '',
    '## Summary',
    '',
    `| server | ${scenarios.map((s) => `${s.title} (${s.unit})`).join(' | ')} |`,
    `|---|${scenarios.map(() => '---:').join('|')}|`,
  ];
  for (const s of servers) {
    if (!scenarios.some((sc) => cells[sc.id][s.id])) continue;
    lines.push(`| ${s.label} | ${scenarios.map((sc) => headline(sc, cells[sc.id][s.id], cells[sc.id][baselineOf(sc)])).join(' | ')} |`);
  }
  lines.push(
    '',
    '## Targets (issues 16, 11 and 5)',
    '',
    'Each target is a ratio between two rows of one scenario in this run: basehttp to the node:net parse sketch (the',
    'ceiling of what node:net allows with parsing), to fastify and to node:http; the full service to the bare basehttp',
    'core; RouteHandler to fastify. The server CPU column compares the same two rows in µs of server CPU per request',
    '(per MB for MB/s scenarios), which issue 16 found steadier than req/s on these machines.',
    '',
    '| target | issue | wanted | measured | server CPU, this vs that | verdict |',
    '|---|---:|---|---:|---|---|',
    ...targetRows(cells, labels, scenarios),
    '',
    RETIRED_TARGETS,
    '',
  );
  lines.push(...missedNotes(cells, labels));
  lines.push('## Per scenario', '');
  for (const sc of scenarios) lines.push(...detail(sc, servers, cells, roundsBy, labels));
  lines.push(
    '## How the figures are counted',
    '',
    '- req/s: HTTP responses per second as wrk counts them. In the pipelined scenario (bench/lua/pipeline.lua) wrk',
    '  parses the 16-request batch at start-up and counts every response, so the figure is HTTP requests per second,',
    '  not batches. wrk 4.1 cannot give a p99 for pipelined runs (one latency per batch, corrected for coordinated',
    '  omission with an interval computed per response: it printed 0 in trials), hence "—".',
    '- MB/s: 10^6 payload bytes per second: responses × 65 536 (64 KiB response body) or × 1 048 576 (POST body).',
    '- Server CPU: utime + stime of the server process (all its threads, fields 14 and 15 of /proc/PID/stat, in clock',
    '  ticks of 10 ms) used during the measured run, divided by the responses wrk counted in it: µs per request for',
    '  req/s scenarios, µs per 10^6 payload bytes (µs/MB) for MB/s ones. It includes whatever the server does while',
    "  wrk connects and stops (accepting the connections, GC, timers), so it can sit a little above a profile's",
    '  per-request figure. Issue 16 found it steadier than req/s on these machines, whose throughput swings between',
    "  minutes. Summary cells read `figure (ratio, CPU)`; the CPU figure is the median of the rounds' figures.",
    '- RSS MB: VmRSS / 1024 of the server process, read right after the measured run.',
    '- "complete": wrk counts a response only once its parser has the whole Content-Length body; the harness also',
    '  checks that wrk read at least responses × the smallest possible response in bytes. Before the rounds, every',
    "  server is checked once byte for byte on GET /hello, GET /64k and POST /upload (1 MiB) with node:http's client",
    '  (the RouteHandler server on GET /hello only); the two servers of the route scenarios also on GET /users/42,',
    '  POST /users, and a POST /users body that the zod schema must refuse with a 4xx.',
    '- Route scenarios: the same zod schema (bench/servers/users.mjs) validates the body in both servers: through',
    '  Standard Schema in RouteHandler, through a safeParse validatorCompiler in fastify (what',
    '  fastify-type-provider-zod does). Neither server has a response schema: both answer with JSON.stringify.',
    '- nginx answers POST /upload with `return 200 "$content_length\\n"`: it reads and discards the body',
    '  (discard_request_body) rather than handing it to a handler; its 64 KiB body is a file sent with sendfile.',
    '- node:net parse sketch (bench/servers/sketch.mjs, issue 16): a raw node:net server with a minimal correct parse,',
    "  the ceiling with parsing: it finds each head's end, splits the request line into method, target and version,",
    '  reads the header lines into name/value pairs, frames bodies by Content-Length, honours Connection (close,',
    '  HTTP/1.0 keep-alive), routes on method and target, sends Date (cached per second), and answers all the requests',
    '  of one chunk in one write; it validates nothing framing does not need.',
    '- raw node:net counts request heads with indexOf and writes canned responses (see bench/servers/raw.mjs): the',
    '  ceiling without parsing, not a server; its responses carry no Date header.',
    "- Python 3.13 http.server: ThreadingHTTPServer with CPython's defaults (disable_nagle_algorithm = False), its",
    '  request log off as for every bare server; hello keep-alive scenario only.',
    '- RSS with idle connections: bench/idle-conns.mjs (pinned to the wrk core) opens the connections, sends one',
    "  keep-alive GET /hello on each, waits for every complete 200, then reads the server's VmRSS while all are open.",
    '',
    '## Commands',
    '',
    '```sh',
    'npm run bench            # = bash bench/bench.sh: apt-get wrk/nginx if missing, ulimit -n, npm run build, node bench/run.mjs',
    `# servers (each pinned: taskset -c ${settings.serverCore} …):`,
    ...commands.servers,
    `# load (wrk pinned: taskset -c ${settings.wrkCore} …; warm-up: same with -d${settings.warmupSeconds}s):`,
    ...commands.scenarios,
    '```',
    '',
  );
  if (skipped.length) lines.push('## Not run', '', ...skipped.map((s) => `- ${s}`), '');
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, lines.join('\n'));
}
