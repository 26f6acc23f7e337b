// Soak (issue 6, item 5): `npm run soak` — 10 minutes by default, SOAK_SECONDS to change it.
//
// Runs the built service (dist/main.js, example app handler, access log on, pinned to core 0,
// 127.0.0.1, PORT=0) under keep-alive load with connection churn, from core 1:
//   - wrk in back-to-back segments of SOAK_SEGMENT_S (20 s) with -c cycling 50, 200, 10, and
//     bench/faults/soak.lua: every path of the app handler, 5 % of requests with
//     `Connection: close` (the server closes, wrk reconnects), 5 % answered 404;
//   - bench/faults/churn-client.mjs: SOAK_CHURN_RATE (100) short connections per second that end
//     in every way (Connection: close, pipelined, idle until the keep-alive timeout, empty,
//     truncated body, bad Content-Length, client reset before the response, reset mid-head).
// Every SOAK_SAMPLE_S (10 s) it records the service's RSS (/proc/PID/status VmRSS), its open file
// descriptors (/proc/PID/fd), and from its /metrics the V8 heap in use, the app's open
// connections and its request count. After the load it waits (up to 30 s) for the connections
// to close, then stops the service with SIGTERM.
//
// "Flat", the rule (the load samples are those taken from 10 s into the load to its end, split
// in thirds by time):
//   RSS  the median of the last third is at most 10 % above the median of the first third;
//   fds  the maximum of the last third is at most 10 % above the maximum of the first third
//        (during the load the count follows wrk's -c cycle, whose peak every third contains), and
//        once the load has stopped the count comes back to its value before the load (exactly).
// Also checked: wrk saw no socket error and no status but 200 and the expected 404s; every churn
// connection ended as its kind should; the service never died and exits 0 on the final SIGTERM.
// Writes bench/out/soak-<time>/{samples.csv,summary.md,summary.json,errors.log,churn.json,wrk.txt};
// exit 0 when flat and every check holds.
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { CLIENT_CORE, median, procSample, ROOT, startService, stamp } from './faults/service.mjs';
import { killAllSync, sleep, spawnPinned, waitExit } from './lib/proc.mjs';

const env = process.env;
const SOAK_SECONDS = Number(env.SOAK_SECONDS || 600);
const SAMPLE_S = Number(env.SOAK_SAMPLE_S || 10);
const SEGMENT_S = Number(env.SOAK_SEGMENT_S || 20);
const CHURN_RATE = Number(env.SOAK_CHURN_RATE || 100);
const WRK_CONNECTIONS = [50, 200, 10];
const SETTLE_MAX_S = 30;
const RSS_TOLERANCE = 0.1;
const FDS_TOLERANCE = 0.1;
const WARMUP_S = 10;

if (!(SOAK_SECONDS >= 30)) {
  console.error('SOAK_SECONDS must be at least 30');
  process.exit(2);
}

process.on('exit', killAllSync);
for (const [signal, code] of [
  ['SIGINT', 130],
  ['SIGTERM', 143],
  ['SIGHUP', 129],
]) {
  process.on(signal, () => {
    console.error(`\n${signal}: stopping the service and the load`);
    process.exit(code);
  });
}

/** GET /metrics of the service; a few of its values (nulls if it does not answer in 2 s). */
function metrics(port) {
  return new Promise((resolve) => {
    const empty = { heapUsedBytes: null, appConnectionsOpen: null, appRequests: null };
    const req = http.get({ host: '127.0.0.1', port, path: '/metrics', agent: false, timeout: 2000 }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (s) => {
        text += s;
      });
      res.on('end', () => {
        const one = (re) => {
          const m = re.exec(text);
          return m ? Number(m[1]) : null;
        };
        let requests = 0;
        for (const m of text.matchAll(/^http_request_duration_seconds_count\{[^}]*handler="AppHandler"[^}]*\} (\S+)$/gm)) requests += Number(m[1]);
        resolve({
          heapUsedBytes: one(/^nodejs_heap_size_used_bytes (\S+)$/m),
          appConnectionsOpen: one(/^http_connections_open\{handler="AppHandler"\} (\S+)$/m),
          appRequests: requests,
        });
      });
      res.on('error', () => resolve(empty));
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(empty));
  });
}

const mib = (kib) => (kib === null ? null : kib / 1024);
const fmt = (x, digits = 1) => (x === null || x === undefined || Number.isNaN(x) ? '–' : x.toFixed(digits));

async function main() {
  const started = new Date();
  const outDir = path.join(ROOT, 'bench/out', `soak-${stamp(started)}`);
  fs.mkdirSync(outDir, { recursive: true });
  const meta = {
    date: started.toISOString(),
    seconds: SOAK_SECONDS,
    machine: `${os.cpus()[0]?.model ?? 'cpu'}, ${os.cpus().length} cores, Linux ${os.release()}, Node ${process.version}`,
    loadBefore: os
      .loadavg()
      .map((x) => x.toFixed(2))
      .join(' '),
    loadAfter: null,
  };
  const errFile = path.join(outDir, 'errors.log');
  const svc = await startService({ env: { ERROR_LOG_FILE: errFile, ACCESS_LOG: 'true', LOG_LEVEL: 'info' } });
  const pid = svc.child.pid;
  console.error(`soak: service pid ${pid} on 127.0.0.1:${svc.appPort} (metrics ${svc.metricsPort}); ${SOAK_SECONDS} s of load; ${outDir}`);

  const samples = [];
  let wrkConnections = 0;
  let prev = null; // { at, requests }: the previous sample with a request count
  let loadStart = performance.now();
  async function sample(phase) {
    const at = performance.now();
    const p = procSample(pid);
    const m = await metrics(svc.metricsPort);
    const rps = prev !== null && m.appRequests !== null ? (m.appRequests - prev.requests) / ((at - prev.at) / 1000) : null;
    if (m.appRequests !== null) prev = { at, requests: m.appRequests };
    const s = {
      at,
      phase,
      rssMib: mib(p.rssKib),
      fds: p.fds,
      heapMib: m.heapUsedBytes === null ? null : m.heapUsedBytes / 1048576,
      conns: m.appConnectionsOpen,
      requests: m.appRequests,
      rps: phase === 'before' ? null : rps,
      wrkC: phase === 'load' ? wrkConnections : 0,
    };
    samples.push(s);
    return s;
  }

  // Baseline: the idle service (its metrics connection is closed between samples).
  await sleep(2000);
  for (let i = 0; i < 3; i++) {
    await sample('before');
    await sleep(1000);
  }
  const baseline = samples[samples.length - 1];

  // Load.
  loadStart = performance.now();
  const churnFile = path.join(outDir, 'churn.json');
  const churn = spawnPinned(CLIENT_CORE, [
    'node',
    path.join(ROOT, 'bench/faults/churn-client.mjs'),
    String(svc.appPort),
    churnFile,
    String(CHURN_RATE),
    String(SOAK_SECONDS + 120),
  ]);
  const deadline = performance.now() + SOAK_SECONDS * 1000;
  let sampler = null;
  const samplerDone = (async () => {
    await sample('load');
    sampler = setInterval(() => void sample('load'), SAMPLE_S * 1000);
  })();
  const lua = path.join(ROOT, 'bench/faults/soak.lua');
  const segments = [];
  let wrkText = '';
  let died = null;
  for (let i = 0; performance.now() < deadline - 1000; i++) {
    if (svc.child.exitCode !== null || svc.child.signalCode !== null) {
      died = `service exited (${svc.child.exitCode ?? svc.child.signalCode}) during the load: ${svc.child.stderrTail()}`;
      break;
    }
    const seconds = Math.max(1, Math.min(SEGMENT_S, Math.round((deadline - performance.now()) / 1000)));
    wrkConnections = WRK_CONNECTIONS[i % WRK_CONNECTIONS.length];
    const argv = ['wrk', '-t1', `-c${wrkConnections}`, `-d${seconds}s`, '--timeout', '5s', '-s', lua, `http://127.0.0.1:${svc.appPort}/`];
    const w = spawnPinned(CLIENT_CORE, argv, { stdout: 'pipe' });
    let out = '';
    w.stdout.setEncoding('utf8');
    w.stdout.on('data', (s) => {
      out += s;
    });
    const status = await waitExit(w, (seconds + 30) * 1000);
    if (status === null) {
      w.kill('SIGKILL');
      await waitExit(w, 5000);
    }
    await sleep(20);
    wrkText += `## segment ${i}: ${argv.join(' ')}\n${out}\n`;
    const line = out.split('\n').find((l) => l.startsWith('SOAKJSON '));
    segments.push(
      line
        ? { c: wrkConnections, seconds, ...JSON.parse(line.slice(9)) }
        : { c: wrkConnections, seconds, problem: `no SOAKJSON (exit ${status?.code}, ${w.stderrTail()})` },
    );
  }
  await samplerDone;
  clearInterval(sampler);
  wrkConnections = 0;
  await sample('load');
  fs.writeFileSync(path.join(outDir, 'wrk.txt'), wrkText);

  // Stop the churn (it lets its connections in progress end, up to 12 s), then let the service settle.
  churn.kill('SIGINT');
  if ((await waitExit(churn, 20_000)) === null) churn.kill('SIGKILL');
  const settleStart = performance.now();
  let settled = null;
  while ((performance.now() - settleStart) / 1000 < SETTLE_MAX_S) {
    await sleep(1000);
    const s = await sample('after');
    if (s.fds !== null && s.fds <= baseline.fds && s.conns === 0) {
      settled = s;
      break;
    }
  }
  const after = samples[samples.length - 1];
  const settleS = (performance.now() - settleStart) / 1000;

  // Final SIGTERM.
  const sigtermAt = performance.now();
  svc.child.kill('SIGTERM');
  const exit = await waitExit(svc.child, 20_000);
  const exitMs = performance.now() - sigtermAt;
  if (exit === null) svc.child.kill('SIGKILL');
  meta.loadAfter = os
    .loadavg()
    .map((x) => x.toFixed(2))
    .join(' ');

  // Verdict. t: seconds from the start of the load (negative before it).
  for (const x of samples) x.t = Math.round((x.at - loadStart) / 1000);
  const load = samples.filter((s) => s.phase === 'load' && s.t >= WARMUP_S && s.rssMib !== null);
  const third = Math.max(1, Math.floor(load.length / 3));
  const first = load.slice(0, third);
  const last = load.slice(load.length - third);
  const rssFirst = median(first.map((s) => s.rssMib));
  const rssLast = median(last.map((s) => s.rssMib));
  const fdsFirstMax = Math.max(...first.map((s) => s.fds));
  const fdsLastMax = Math.max(...last.map((s) => s.fds));
  // Least-squares slope of RSS over the load samples, MiB per minute (reported, not judged).
  const slope = (() => {
    const n = load.length;
    if (n < 2) return null;
    const mx = load.reduce((a, x) => a + x.t, 0) / n;
    const my = load.reduce((a, x) => a + x.rssMib, 0) / n;
    let sxy = 0;
    let sxx = 0;
    for (const x of load) {
      sxy += (x.t - mx) * (x.rssMib - my);
      sxx += (x.t - mx) ** 2;
    }
    return (sxy / sxx) * 60;
  })();
  const heapFirst = median(first.map((s) => s.heapMib).filter((x) => x !== null));
  const heapLast = median(last.map((s) => s.heapMib).filter((x) => x !== null));
  const churnResult = fs.existsSync(churnFile) ? JSON.parse(fs.readFileSync(churnFile, 'utf8')) : null;
  const totals = { requests: 0, connect: 0, read: 0, write: 0, timeout: 0, statuses: {} };
  const segmentProblems = [];
  for (const s of segments) {
    if (s.problem) {
      segmentProblems.push(s.problem);
      continue;
    }
    totals.requests += s.requests;
    for (const k of ['connect', 'read', 'write', 'timeout']) totals[k] += s[k];
    for (const [code, n] of Object.entries(s.statuses)) totals.statuses[code] = (totals.statuses[code] ?? 0) + n;
  }
  const unexpectedStatuses = Object.keys(totals.statuses).filter((c) => c !== '200' && c !== '404');
  const tail = svc.child.stdoutTail?.() ?? '';
  const errorRecords = {};
  if (fs.existsSync(errFile)) {
    for (const line of fs.readFileSync(errFile, 'utf8').split('\n')) {
      if (line === '') continue;
      let msg;
      try {
        msg = JSON.parse(line).msg;
      } catch {
        msg = line.slice(0, 80);
      }
      errorRecords[msg] = (errorRecords[msg] ?? 0) + 1;
    }
  }

  const checks = [];
  const check = (name, pass, detail) => checks.push({ name, pass, detail });
  check(
    `RSS flat (median of last third ≤ first third's + ${RSS_TOLERANCE * 100} %)`,
    load.length >= 3 && rssLast <= rssFirst * (1 + RSS_TOLERANCE),
    `${fmt(rssFirst)} → ${fmt(rssLast)} MiB (${fmt(((rssLast - rssFirst) / rssFirst) * 100)} %), ${load.length} load samples`,
  );
  check(
    `fds bounded under load (max of last third ≤ first third's + ${FDS_TOLERANCE * 100} %)`,
    fdsLastMax <= fdsFirstMax * (1 + FDS_TOLERANCE),
    `${fdsFirstMax} → ${fdsLastMax}`,
  );
  check(
    'fds back to the baseline after the load',
    settled !== null,
    `baseline ${baseline.fds}, after ${after.fds} (${fmt(settleS)} s after the churn client stopped), app connections open ${after.conns}`,
  );
  check('service alive through the load', died === null, died ?? 'yes');
  check(
    'wrk: no socket error',
    segmentProblems.length === 0 && totals.connect + totals.read + totals.write + totals.timeout === 0,
    `connect ${totals.connect}, read ${totals.read}, write ${totals.write}, timeout ${totals.timeout}${segmentProblems.length ? `; ${segmentProblems.join('; ')}` : ''}`,
  );
  check('wrk: only 200 and the expected 404', unexpectedStatuses.length === 0, JSON.stringify(totals.statuses));
  check(
    'churn: every connection ended as expected',
    churnResult !== null && (churnResult.unexpectedCount ?? 0) === 0,
    churnResult === null
      ? 'no result'
      : `${churnResult.finished} connections, ${churnResult.unexpectedCount ?? 0} unexpected${churnResult.unexpected.length ? `: ${JSON.stringify(churnResult.unexpected.slice(0, 3))}` : ''}`,
  );
  check(
    'final SIGTERM: exit 0, "shutdown complete"',
    exit !== null && exit.code === 0 && tail.includes('"shutdown complete"'),
    `${exit === null ? 'killed' : `code ${exit.code}`} after ${fmt(exitMs)} ms`,
  );
  const pass = checks.every((c) => c.pass);

  // Files.
  const header = 't_s,phase,rss_mib,fds,heap_used_mib,app_connections_open,app_requests_total,rps,wrk_c';
  const rows = samples.map((s) => [s.t, s.phase, fmt(s.rssMib), s.fds, fmt(s.heapMib), s.conns, s.requests, fmt(s.rps, 0), s.wrkC].join(','));
  fs.writeFileSync(path.join(outDir, 'samples.csv'), `${header}\n${rows.join('\n')}\n`);

  const md = [];
  md.push(`# Soak — ${meta.date}`, '');
  md.push(
    `${SOAK_SECONDS} s of load on \`dist/main.js\` (example app handler, access log on); wrk segments of ${SEGMENT_S} s with -c ${WRK_CONNECTIONS.join('/')} ` +
      `and bench/faults/soak.lua (5 % Connection: close), plus ${CHURN_RATE} churn connections/s. Machine: ${meta.machine}; ` +
      `load average ${meta.loadBefore} before, ${meta.loadAfter} after (the machine was shared).`,
    '',
  );
  md.push(
    `- wrk: ${totals.requests} responses (${fmt(totals.requests / SOAK_SECONDS, 0)}/s over the run), statuses ${JSON.stringify(totals.statuses)}, ` +
      `socket errors connect ${totals.connect} read ${totals.read} write ${totals.write} timeout ${totals.timeout}; ${segments.length} segments`,
  );
  if (churnResult)
    md.push(`- churn: ${churnResult.finished} connections (at most ${churnResult.maxOpen} open at once), ${churnResult.unexpectedCount ?? 0} unexpected endings`);
  md.push(`- error records (expected from the churn kinds): ${JSON.stringify(errorRecords)}`);
  md.push(`- baseline before the load: RSS ${fmt(baseline.rssMib)} MiB, ${baseline.fds} fds; after: RSS ${fmt(after.rssMib)} MiB, ${after.fds} fds`);
  md.push(
    `- load samples (t ≥ ${WARMUP_S} s): RSS median ${fmt(rssFirst)} MiB (first third) → ${fmt(rssLast)} MiB (last third), ` +
      `range ${fmt(Math.min(...load.map((s) => s.rssMib)))}–${fmt(Math.max(...load.map((s) => s.rssMib)))} MiB; ` +
      `least-squares slope ${fmt(slope, 2)} MiB/min; fds max ${fdsFirstMax} → ${fdsLastMax}; V8 heap used median ${fmt(heapFirst)} → ${fmt(heapLast)} MiB`,
    '',
  );
  // One row per minute of load (wrk's -c cycle is 60 s: single samples would alias it), plus
  // the baseline and the last sample after the load.
  const range = (xs, d = 1) => {
    const v = xs.filter((x) => x !== null && x !== undefined);
    return v.length === 0 ? '–' : `${fmt(Math.min(...v), d)}–${fmt(Math.max(...v), d)}`;
  };
  md.push('| window (s) | samples | RSS (MiB) | fds | V8 heap used (MiB) | app connections | req/s (mean) |', '| --- | ---: | ---: | ---: | ---: | ---: | ---: |');
  md.push(`| before | 1 | ${fmt(baseline.rssMib)} | ${baseline.fds} | ${fmt(baseline.heapMib)} | ${baseline.conns ?? '–'} | – |`);
  const loadAll = samples.filter((x) => x.phase === 'load' && x.t > 0);
  for (let from = 0; from < SOAK_SECONDS; from += 60) {
    const w = loadAll.filter((x) => x.t > from && x.t <= from + 60);
    if (w.length === 0) continue;
    const rates = w.map((x) => x.rps).filter((x) => x !== null);
    md.push(
      `| ${from}–${Math.min(from + 60, SOAK_SECONDS)} | ${w.length} | ${range(w.map((x) => x.rssMib))} | ${range(
        w.map((x) => x.fds),
        0,
      )} | ` +
        `${range(w.map((x) => x.heapMib))} | ${range(
          w.map((x) => x.conns),
          0,
        )} | ${fmt(rates.reduce((a, b) => a + b, 0) / rates.length, 0)} |`,
    );
  }
  md.push(`| after (+${fmt(after.t - SOAK_SECONDS, 0)} s) | 1 | ${fmt(after.rssMib)} | ${after.fds} | ${fmt(after.heapMib)} | ${after.conns ?? '–'} | – |`);
  md.push('', `(All ${samples.length} samples, every ${SAMPLE_S} s, in samples.csv.)`, '');
  md.push('| check | result | detail |', '| --- | --- | --- |');
  for (const c of checks) md.push(`| ${c.name} | ${c.pass ? 'pass' : '**FAIL**'} | ${c.detail.replace(/\|/g, '\\|')} |`);
  md.push('', `**Verdict: ${pass ? 'flat — PASS' : 'FAIL'}**`, '');
  const text = md.join('\n');
  fs.writeFileSync(path.join(outDir, 'summary.md'), text);
  fs.writeFileSync(path.join(outDir, 'summary.json'), JSON.stringify({ meta, checks, samples, segments, churn: churnResult, errorRecords }, null, 2));
  console.log(text);
  console.log(`written to ${path.relative(ROOT, outDir)}/`);
  process.exitCode = pass ? 0 : 1;
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
