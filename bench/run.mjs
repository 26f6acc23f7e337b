// The benchmark harness of issue 5: `npm run bench` runs bench/bench.sh, which builds the
// project and then runs this file.
//
//   node bench/run.mjs
//   BENCH_QUICK=1      smoke test: 1 round, 2 s runs, results to bench/out/RESULTS-quick.md
//   BENCH_ROUNDS=n     rounds (default 3)          BENCH_SECONDS=n  measured seconds (default 3)
//   BENCH_SERVERS=a,b  only these server ids       BENCH_SCENARIOS=a,b  only these scenario ids
//   BENCH_OUT=file     write the results there instead (subset runs while developing)
//
// Talks to 127.0.0.1 only. Every wait has a deadline; every child is killed on exit, on error
// and on SIGINT/SIGTERM.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { checkEndpoints, checkUserRoutes, waitReady } from './lib/http-check.mjs';
import { cpuOthers, cpuSnapshot, machineInfo } from './lib/machine.mjs';
import { freePort, killAllSync, readCpuUs, readRssKb, runPinned, spawnPinned, stop } from './lib/proc.mjs';
import { writeReport } from './lib/report.mjs';
import { IDLE_CONNECTIONS, SCENARIOS } from './lib/scenarios.mjs';
import { ROOT, SERVERS, SERVER_CORE } from './lib/servers.mjs';
import { cpuPer, fmtCpu, summarize } from './lib/stats.mjs';
import { WRK_CORE, runWrk, wrkCommandText, writeScripts } from './lib/wrk.mjs';

const quick = process.env.BENCH_QUICK === '1';
const positive = (name, dflt) => {
  const v = process.env[name];
  if (v === undefined || v === '') return dflt;
  if (!/^\d+$/.test(v) || Number(v) < 1) throw new Error(`${name} must be a positive integer, got ${JSON.stringify(v)}`);
  return Number(v);
};
const list = (name) =>
  process.env[name]
    ?.split(',')
    .map((s) => s.trim())
    .filter(Boolean) ?? null;

const settings = {
  quick,
  rounds: quick ? 1 : positive('BENCH_ROUNDS', 3),
  seconds: quick ? 2 : positive('BENCH_SECONDS', 3),
  // One second of the same load before each measured run: a fresh Node process is still
  // interpreting and tiering up its hot functions for the first few hundred milliseconds.
  warmupSeconds: 1,
  serverCore: SERVER_CORE,
  wrkCore: WRK_CORE,
};
const OUT_DIR = path.join(ROOT, 'bench/out'); // git-ignored: lua scripts, quick results
const RESULTS = process.env.BENCH_OUT ? path.resolve(process.env.BENCH_OUT) : quick ? path.join(OUT_DIR, 'RESULTS-quick.md') : path.join(ROOT, 'bench/RESULTS.md');
const tmpDir = fs.mkdtempSync(path.join(os.tmpdir(), 'basehttp-bench-'));

// --- never leave a server behind -----------------------------------------------------------
process.on('exit', () => {
  killAllSync();
  fs.rmSync(tmpDir, { recursive: true, force: true });
});
for (const [signal, code] of [
  ['SIGINT', 130],
  ['SIGTERM', 143],
  ['SIGHUP', 129],
]) {
  process.on(signal, () => {
    console.error(`\n${signal}: stopping servers`);
    process.exit(code); // the 'exit' handler kills the children
  });
}

const log = (...a) => console.log(...a);

/** The soft limit on open files, from /proc/self/limits (children inherit it). */
function openFilesLimit() {
  const m = /^Max open files\s+(\d+|unlimited)/m.exec(fs.readFileSync('/proc/self/limits', 'utf8'));
  return !m || m[1] === 'unlimited' ? Infinity : Number(m[1]);
}

/** Starts a server pinned to SERVER_CORE and waits until GET /hello answers 200. */
async function startServer(server) {
  const port = await freePort();
  let metricsPort = await freePort();
  // The kernel may hand out the same free port twice in a row; the service refuses PORT == METRICS_PORT.
  for (let i = 0; i < 10 && metricsPort === port; i++) metricsPort = await freePort();
  const logFile = path.join(tmpDir, `${server.id}-stdout.log`);
  const cmd = server.command({ port, metricsPort, logFile, tmpDir });
  const fd = cmd.stdoutFile ? fs.openSync(cmd.stdoutFile, 'w') : 'ignore';
  const child = spawnPinned(SERVER_CORE, cmd.argv, { env: cmd.env, stdout: fd, cwd: ROOT });
  if (typeof fd === 'number') fs.closeSync(fd);
  try {
    await waitReady(port, child);
  } catch (err) {
    await stop(child);
    throw err;
  }
  return { child, port, logFile: cmd.stdoutFile };
}

/** Lines written to the service's stdout (its access log) during a cell, then the file is removed. */
function drainLog(file) {
  if (!file || !fs.existsSync(file)) return null;
  let lines = 0;
  const data = fs.readFileSync(file);
  for (let i = data.indexOf(10); i !== -1; i = data.indexOf(10, i + 1)) lines++;
  fs.rmSync(file, { force: true });
  return lines;
}

/**
 * One wrk cell: fresh server, warm-up, measured run (the server's CPU time read from
 * /proc/PID/stat right before and right after it), VmRSS, stop. child.pid is the server itself:
 * taskset execs it (lib/proc.mjs).
 */
async function wrkCell(server, scenario, script) {
  const { child, port, logFile } = await startServer(server);
  const notes = [];
  try {
    const warm = await runWrk(scenario, script, port, settings.warmupSeconds);
    const cpuBefore = readCpuUs(child.pid);
    const { result, problems } = await runWrk(scenario, script, port, settings.seconds);
    const cpuAfter = readCpuUs(child.pid);
    const rssKb = readRssKb(child.pid);
    if (child.exitCode !== null || child.signalCode !== null || rssKb === null) problems.push(`server exited during the run: ${child.stderrTail().trim()}`);
    await stop(child);
    const records = drainLog(logFile);
    // The service's access log must hold a line for every response wrk counted (warm-up and
    // measured run; its own start/stop lines and the readiness poll come on top), written by
    // the time it exits on SIGTERM.
    if (records !== null) {
      const counted = (warm.result?.requests ?? 0) + (result?.requests ?? 0);
      notes.push(`${server.label}: ${records.toLocaleString('en')} stdout lines for ${counted.toLocaleString('en')} responses counted by wrk (warm-up + measured run)`);
      if (records < counted) problems.push(`access log: ${records} lines for ${counted} responses`);
    }
    return {
      value: result ? (scenario.unit === 'req/s' ? result.rps : result.mbps) : null,
      p99Ms: result?.p99Ms ?? null,
      cpuUs: cpuPer(scenario, cpuBefore, cpuAfter, result),
      rssKb,
      problems,
      notes,
    };
  } finally {
    await stop(child);
    drainLog(logFile);
  }
}

/** The idle-connections cell: fresh server, its RSS before, then with IDLE_CONNECTIONS open. */
async function idleCell(server) {
  const { child, port, logFile } = await startServer(server);
  try {
    const baseRssKb = readRssKb(child.pid);
    const out = await runPinned(WRK_CORE, ['node', path.join(ROOT, 'bench/idle-conns.mjs'), String(port), String(IDLE_CONNECTIONS), String(child.pid)], {
      timeoutMs: 60_000,
    });
    const problems = [];
    let r = null;
    try {
      r = JSON.parse(out.stdout.trim().split('\n').pop());
    } catch {
      problems.push(`idle client gave no result (exit ${out.code}${out.timedOut ? ', killed' : ''}): ${out.stderr.trim()}`);
    }
    if (r && r.reason === 'deadline')
      problems.push(`idle client: ${r.ok} of ${IDLE_CONNECTIONS} answered within the client's ${r.deadlineMs / 1000} s deadline, ${r.failed} failed`);
    else if (r && r.reason !== 'done') problems.push(`idle client: ${r.ok} ok, ${r.failed} failed`);
    if (r && r.open !== IDLE_CONNECTIONS)
      problems.push(`only ${r.open} of ${IDLE_CONNECTIONS} connections open when RSS was read (${r.closedEarly} closed by the server)`);
    return { value: r?.rssKb ? r.rssKb / 1024 : null, rssKb: r?.rssKb ?? null, baseRssKb, p99Ms: null, cpuUs: null, problems };
  } finally {
    await stop(child);
    drainLog(logFile);
  }
}

async function main() {
  const started = Date.now();
  const loadStart = os.loadavg()[0].toFixed(2);
  const cpuStart = cpuSnapshot();
  fs.mkdirSync(OUT_DIR, { recursive: true });
  const skipped = [];

  const wantServers = list('BENCH_SERVERS');
  const wantScenarios = list('BENCH_SCENARIOS');
  let servers = SERVERS.filter((s) => !wantServers || wantServers.includes(s.id));
  let scenarios = SCENARIOS.filter((s) => !wantScenarios || wantScenarios.includes(s.id));
  for (const s of servers) {
    const why = s.available();
    if (why) skipped.push(`${s.label}: ${why}`);
  }
  servers = servers.filter((s) => !s.available());

  const nofile = openFilesLimit();
  if (scenarios.some((s) => s.kind === 'idle') && nofile < IDLE_CONNECTIONS + 1000) {
    skipped.push(`${IDLE_CONNECTIONS} idle connections: open-files limit is ${nofile} (ulimit -n), needs ${IDLE_CONNECTIONS + 1000}`);
    scenarios = scenarios.filter((s) => s.kind !== 'idle');
  }

  const runsIn = (server, scenario) => (!server.scenarios || server.scenarios.includes(scenario.id)) && (!scenario.servers || scenario.servers.includes(server.id));
  // A server that runs none of the chosen scenarios is not started at all.
  servers = servers.filter((s) => scenarios.some((sc) => runsIn(s, sc)));

  // Byte-for-byte endpoint check, once per server, before anything is measured.
  log(`checking ${servers.length} servers…`);
  for (const s of [...servers]) {
    try {
      const { child, port } = await startServer(s);
      const problems = await checkEndpoints(port, s.endpoints);
      if (scenarios.some((sc) => sc.userRoutes && runsIn(s, sc))) problems.push(...(await checkUserRoutes(port)));
      await stop(child);
      if (problems.length) throw new Error(problems.join('; '));
      log(`  ${s.label}: ok`);
    } catch (err) {
      log(`  ${s.label}: FAILED ${err.message}`);
      skipped.push(`${s.label}: endpoint check failed: ${err.message}`);
      servers = servers.filter((x) => x !== s);
    }
  }

  const scripts = writeScripts(scenarios, OUT_DIR);
  const cellsPerRound = scenarios.reduce((n, sc) => n + servers.filter((s) => runsIn(s, sc)).length, 0);
  log(
    `${settings.rounds} round(s) × ${cellsPerRound} cells, ${settings.seconds} s each (+${settings.warmupSeconds} s warm-up): ` +
      `about ${Math.ceil((settings.rounds * cellsPerRound * (settings.seconds + settings.warmupSeconds + 1.5)) / 60)} min`,
  );

  const roundsBy = Object.fromEntries(scenarios.map((sc) => [sc.id, {}]));
  for (let round = 1; round <= settings.rounds; round++) {
    for (const sc of scenarios) {
      for (const s of servers.filter((x) => runsIn(x, sc))) {
        let r;
        try {
          r = sc.kind === 'idle' ? await idleCell(s) : await wrkCell(s, sc, scripts[sc.id]);
        } catch (err) {
          r = { value: null, p99Ms: null, cpuUs: null, rssKb: null, problems: [err.message.split('\n')[0]] };
        }
        (roundsBy[sc.id][s.id] ??= []).push(r);
        const v = r.value === null ? '—' : sc.unit === 'req/s' ? Math.round(r.value).toLocaleString('en') : r.value.toFixed(1);
        log(
          `[round ${round}] ${sc.id.padEnd(11)} ${s.id.padEnd(9)} ${v.padStart(10)} ${sc.unit}` +
            `${r.p99Ms ? `  p99 ${r.p99Ms.toFixed(2)} ms` : ''}${r.cpuUs ? `  cpu ${fmtCpu(sc, r.cpuUs)}` : ''}${r.rssKb ? `  rss ${(r.rssKb / 1024).toFixed(1)} MB` : ''}` +
            `${r.problems.length ? `  ✗ ${r.problems.join('; ')}` : ''}`,
        );
      }
    }
  }

  const cells = Object.fromEntries(scenarios.map((sc) => [sc.id, Object.fromEntries(Object.entries(roundsBy[sc.id]).map(([id, rounds]) => [id, summarize(rounds)]))]));
  const commands = {
    // Only the `text` is used here, but building a command may write files (nginx's config):
    // give it a real scratch directory, removed at once, never a literal '$TMP' in the cwd.
    servers: servers.map((s) => {
      const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-cmd-'));
      try {
        return s.command({ port: 'PORT', metricsPort: 'METRICS_PORT', logFile: 'access.log', tmpDir: scratch }).text;
      } finally {
        fs.rmSync(scratch, { recursive: true, force: true });
      }
    }),
    scenarios: [
      ...scenarios.filter((s) => s.kind === 'wrk').map((s) => wrkCommandText(s, settings.seconds)),
      ...scenarios.filter((s) => s.kind === 'idle').map(() => `taskset -c ${WRK_CORE} node bench/idle-conns.mjs PORT ${IDLE_CONNECTIONS} SERVER_PID`),
    ],
  };
  const meta = {
    ...machineInfo(),
    date: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
    loadStart,
    loadEnd: os.loadavg()[0].toFixed(2),
    ...cpuOthers(cpuStart, cpuSnapshot()),
    wallSeconds: Math.round((Date.now() - started) / 1000),
  };
  writeReport(RESULTS, { meta, servers, scenarios, cells, roundsBy, skipped, commands, settings });
  log(`wrote ${path.relative(ROOT, RESULTS)} (${meta.wallSeconds} s)`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
