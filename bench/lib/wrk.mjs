// Runs wrk (Debian's, -t1, pinned to core 1) and turns its output into checked numbers.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runPinned } from './proc.mjs';

const LUA_DIR = fileURLToPath(new URL('../lua/', import.meta.url));
export const WRK_CORE = 1;

/**
 * wrk takes one -s script: each scenario's script is its own lua (if any) followed by
 * lua/report.lua, written once per run into `dir`.
 */
export function writeScripts(scenarios, dir) {
  const report = fs.readFileSync(path.join(LUA_DIR, 'report.lua'), 'utf8');
  const scripts = {};
  for (const s of scenarios.filter((x) => x.kind === 'wrk')) {
    const own = s.lua ? fs.readFileSync(path.join(LUA_DIR, s.lua), 'utf8') : '';
    scripts[s.id] = path.join(dir, `${s.id}.lua`);
    fs.writeFileSync(scripts[s.id], `${own}\n${report}`);
  }
  return scripts;
}

/** wrk's argv for a scenario against 127.0.0.1:port. */
export function wrkArgs(scenario, script, port, seconds) {
  const headers = (scenario.headers ?? []).flatMap((h) => ['-H', h]);
  return ['wrk', '-t1', `-c${scenario.connections}`, `-d${seconds}s`, '--timeout', '5s', '-s', script, ...headers, `http://127.0.0.1:${port}${scenario.path}`];
}

/** The same command as the report prints it (script path relative, port symbolic). */
export function wrkCommandText(scenario, seconds) {
  const argv = wrkArgs(scenario, `bench/out/${scenario.id}.lua`, 'PORT', seconds);
  return `taskset -c ${WRK_CORE} ${argv.map((a) => (a.includes(' ') ? `'${a}'` : a)).join(' ')}`;
}

/**
 * Parses wrk's stdout: the WRKJSON line from report.lua, plus wrk's own "Non-2xx or 3xx
 * responses" and "Socket errors" lines (absent when zero). Returns { result, problems }.
 */
export function parseWrk(stdout, scenario) {
  const problems = [];
  const line = stdout.split('\n').find((l) => l.startsWith('WRKJSON '));
  if (!line) return { result: null, problems: ['no WRKJSON line in wrk output'] };
  const r = JSON.parse(line.slice('WRKJSON '.length));
  const non2xx = /Non-2xx or 3xx responses: (\d+)/.exec(stdout);
  if (non2xx) problems.push(`${non2xx[1]} non-2xx/3xx responses`);
  const sock = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(stdout);
  if (sock) problems.push(`socket errors: connect ${sock[1]}, read ${sock[2]}, write ${sock[3]}, timeout ${sock[4]}`);
  // The same counts from the summary object, in case the text format ever differs.
  if (!non2xx && r.status > 0) problems.push(`${r.status} responses with status >= 400`);
  if (!sock && r.connect + r.read + r.write + r.timeout > 0) problems.push('socket errors in wrk summary');
  if (r.requests === 0) problems.push('no response at all');
  if (r.bytes < r.requests * scenario.minResponseBytes) problems.push(`${r.bytes} bytes read for ${r.requests} responses of >= ${scenario.minResponseBytes} bytes`);
  const seconds = r.durationUs / 1e6;
  const rps = r.requests / seconds;
  return {
    result: {
      requests: r.requests,
      rps,
      // MB/s = 10^6 bytes per second of payload (see scenarios.mjs)
      mbps: scenario.payloadBytes ? (rps * scenario.payloadBytes) / 1e6 : null,
      // Not for pipelined runs: wrk 4.1 records one latency per batch but corrects for
      // coordinated omission with an interval computed from responses (16 per batch), adding
      // samples that can fall below the recorded minimum, which its percentile walk skips: it
      // printed 0 for p99, or a figure built mostly from those synthetic samples.
      p99Ms: r.p99Us > 0 && !scenario.noP99 ? r.p99Us / 1000 : null,
      bytes: r.bytes,
    },
    problems,
  };
}

/** Runs one wrk measurement; resolves { result, problems, command }. */
export async function runWrk(scenario, script, port, seconds) {
  const argv = wrkArgs(scenario, script, port, seconds);
  const out = await runPinned(WRK_CORE, argv, { timeoutMs: (seconds + 30) * 1000 });
  if (out.timedOut) return { result: null, problems: ['wrk did not finish in time (killed)'] };
  if (out.code !== 0) return { result: null, problems: [`wrk exited ${out.code}: ${out.stderr.trim()}`] };
  return parseWrk(out.stdout, scenario);
}
