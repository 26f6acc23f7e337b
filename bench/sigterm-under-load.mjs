// SIGTERM under load (issue 6, item 6): `npm run sigterm`.
//
// Starts the built service (dist/main.js, pinned to core 0, 127.0.0.1, PORT=0), loads it at full
// speed over keep-alive connections from core 1, sends SIGTERM in the middle, and checks that
// the deploy lost nothing the server had accepted. Two load clients, one service each:
//
//   wrk      the issue's tool: `wrk -t1 -cN` with bench/faults/sigterm.lua, which gives every
//            request a unique X-Request-Id and writes every response's status and id to a file;
//   precise  bench/faults/sigterm-client.mjs, which tracks the fate of every request it wrote
//            (complete 2xx, other status, cut after some response bytes, or closed before any
//            byte came back) and when the listener started refusing connections.
// Each against the example app handler (GET / answers at once: at the signal nearly every
// connection is between two requests) and, in the `-slow` scenarios, against
// bench/faults/slow-handler.mjs (GET / answers after 1–10 ms: most connections are mid-request,
// and their last response must say `Connection: close`).
//
// "Accepted" = the server read and parsed the request, i.e. it has an access record (the
// service logs every request after its response, with the client's X-Request-Id). Checks:
//   1. the service exits 0, within SHUTDOWN_TIMEOUT_MS of the SIGTERM, and logs "shutdown complete";
//   2. no response other than 2xx reached the client;
//   3. every accepted request's complete response reached the client (access log ids == ids the
//      client received; an id logged but not received = a lost response, a failure), and every
//      response received was logged;
//   4. no timeout, no partial response, no unanswered request before the SIGTERM, no connection
//      refused before it; every connection open at the drain ended either with a response saying
//      `Connection: close` or with a request the server never read;
//   5. what remains is reported, not counted as lost: requests written on a connection the
//      server closed before reading them (wrk: read errors; precise: "unanswered", none in the
//      access log) and reconnects refused once the listener closed (wrk counts those as write
//      errors: its connect() is non-blocking and the refusal surfaces on the first write).
//      SIGTERM_STRICT=1 makes any unanswered request (wrk's literal "Socket errors" line
//      non-zero) a failure too.
//
// Knobs (environment): SIGTERM_CONNECTIONS (64), SIGTERM_AFTER_S (5: load before the signal),
// SHUTDOWN_TIMEOUT_MS (10000), READINESS_DELAY_MS (0), SIGTERM_MODES (wrk,precise,wrk-slow,precise-slow),
// SIGTERM_STRICT (0), SIGTERM_ENTRY (dist/main.js: another build of the service to test).
// Writes bench/out/sigterm-<time>/{summary.md,summary.json,<mode>/...}; exit 0 = all checks hold.
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { CLIENT_CORE, ROOT, startService, stamp } from './faults/service.mjs';
import { killAllSync, sleep, spawnPinned, waitExit } from './lib/proc.mjs';

const env = process.env;
const CONNECTIONS = Number(env.SIGTERM_CONNECTIONS || 64);
const AFTER_S = Number(env.SIGTERM_AFTER_S || 5);
const SHUTDOWN_TIMEOUT_MS = Number(env.SHUTDOWN_TIMEOUT_MS || 10_000);
const READINESS_DELAY_MS = Number(env.READINESS_DELAY_MS || 0);
const MODES = (env.SIGTERM_MODES || 'wrk,precise,wrk-slow,precise-slow')
  .split(',')
  .map((s) => s.trim())
  .filter(Boolean);
const STRICT = ['1', 'true', 'yes'].includes((env.SIGTERM_STRICT || '').toLowerCase());
const ENTRY = env.SIGTERM_ENTRY ? path.resolve(env.SIGTERM_ENTRY) : path.join(ROOT, 'dist/main.js');
/** Load keeps running this long after the service exited (shows the refusals), then stops. */
const AFTER_EXIT_MS = 500;
/** Upper bound of a load client's run; it is stopped (SIGINT) long before. */
const LOAD_MAX_S = AFTER_S + Math.ceil((READINESS_DELAY_MS + SHUTDOWN_TIMEOUT_MS) / 1000) + 30;

const now = () => performance.timeOrigin + performance.now();

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

/** The service's stdout: access-record ids with their status, lifecycle records. */
function readServiceLog(file) {
  const accessed = new Map();
  const times = [];
  const lifecycle = [];
  let unparsable = 0;
  for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
    if (line === '') continue;
    let rec;
    try {
      rec = JSON.parse(line);
    } catch {
      unparsable++;
      continue;
    }
    if (rec.msg === 'request completed') {
      accessed.set(rec.requestId, rec.res?.statusCode ?? null);
      times.push(rec.time);
    } else lifecycle.push(rec);
  }
  // Access records logged before `t` (epoch ms; the records' `time` has millisecond resolution).
  const acceptedBeforeSigterm = (t) => times.filter((x) => x < t).length;
  return { accessed, lifecycle, unparsable, acceptedBeforeSigterm };
}

function readErrorLog(file) {
  if (!fs.existsSync(file)) return [];
  return fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => {
      try {
        return JSON.parse(l).msg ?? l;
      } catch {
        return l;
      }
    });
}

/** Starts the load client of `mode`; returns { child, collect() } where collect() parses its result. */
function startLoad(mode, port, dir) {
  if (mode === 'wrk') {
    const lua = path.join(ROOT, 'bench/faults/sigterm.lua');
    const argv = ['wrk', '-t1', `-c${CONNECTIONS}`, `-d${LOAD_MAX_S}s`, '--timeout', '5s', '-s', lua, `http://127.0.0.1:${port}/`];
    const child = spawnPinned(CLIENT_CORE, argv, { stdout: 'pipe', env: { SIGTERM_WRK_DIR: dir } });
    let stdout = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (s) => {
      stdout += s;
    });
    return {
      child,
      command: `taskset -c ${CLIENT_CORE} ${argv.join(' ').replace(ROOT, '')}`,
      collect() {
        fs.writeFileSync(path.join(dir, 'wrk.txt'), stdout);
        const json = stdout.split('\n').find((l) => l.startsWith('WRKJSON '));
        const w = json ? JSON.parse(json.slice(8)) : null;
        const sock = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(stdout);
        const received = new Map();
        let closeResponses = 0;
        for (const f of fs.readdirSync(dir).filter((n) => n.startsWith('responses-'))) {
          for (const line of fs.readFileSync(path.join(dir, f), 'utf8').split('\n')) {
            if (line === '') continue;
            const [status, id, conn] = line.split(' ');
            received.set(id, Number(status));
            if (conn === 'close') closeResponses++;
          }
        }
        return {
          ok: w !== null,
          problem: w === null ? `no WRKJSON line in wrk's output: ${stdout.slice(-500)} ${child.stderrTail()}` : null,
          received,
          closeResponses,
          written: w ? w.generated.reduce((a, b) => a + b, 0) : null,
          wrkRequests: w?.requests ?? null,
          durationS: w ? w.durationUs / 1e6 : null,
          socketErrorsLine: sock ? sock[0] : 'Socket errors: none (line absent)',
          errors: w ? { connect: w.connect, read: w.read, write: w.write, timeout: w.timeout, status: w.status } : null,
        };
      },
    };
  }
  const resultFile = path.join(dir, 'client.json');
  const argv = ['node', path.join(ROOT, 'bench/faults/sigterm-client.mjs'), String(port), String(CONNECTIONS), resultFile, String(LOAD_MAX_S)];
  const child = spawnPinned(CLIENT_CORE, argv, { stdout: 'ignore' });
  return {
    child,
    command: `taskset -c ${CLIENT_CORE} node bench/faults/sigterm-client.mjs PORT ${CONNECTIONS} client.json ${LOAD_MAX_S}`,
    collect() {
      if (!fs.existsSync(resultFile)) return { ok: false, problem: `the precise client wrote no result: ${child.stderrTail()}` };
      const c = JSON.parse(fs.readFileSync(resultFile, 'utf8'));
      const received = new Map(c.okIds.map((id) => [id, 200]));
      for (const n of c.non2xx) received.set(n.id, n.status);
      return { ok: true, problem: null, received, closeResponses: c.connectionClose, written: c.sent, client: c };
    },
  };
}

const fmtMs = (ms) => (ms === null || ms === undefined ? '–' : `${ms.toFixed(1)} ms`);

/**
 * One service, one load client, one SIGTERM. `scenario`: `wrk` or `precise` against the example
 * app handler (GET / answers at once), `wrk-slow` or `precise-slow` against
 * bench/faults/slow-handler.mjs (GET / answers after 1–10 ms). Returns { mode, checks, facts }.
 */
async function runMode(scenario, outDir) {
  const mode = scenario.replace(/-slow$/, '');
  const slow = scenario.endsWith('-slow');
  const dir = path.join(outDir, scenario);
  fs.mkdirSync(dir, { recursive: true });
  const logFile = path.join(dir, 'service.log');
  const errFile = path.join(dir, 'errors.log');
  const svc = await startService({
    entry: ENTRY,
    logFile,
    env: {
      SHUTDOWN_TIMEOUT_MS: String(SHUTDOWN_TIMEOUT_MS),
      READINESS_DELAY_MS: String(READINESS_DELAY_MS),
      ERROR_LOG_FILE: errFile,
      ACCESS_LOG: 'true',
      LOG_LEVEL: 'info',
      ...(slow
        ? {
            HANDLER_MODULE: path.join(ROOT, 'bench/faults/slow-handler.mjs'),
            SLOW_HANDLER_CORE: pathToFileURL(path.join(path.dirname(ENTRY), 'index.js')).href,
          }
        : {}),
    },
  });
  const load = startLoad(mode, svc.appPort, dir);
  await sleep(AFTER_S * 1000);
  if (load.child.exitCode !== null) throw new Error(`${mode}: the load client exited early: ${load.child.stderrTail()}`);

  const sigtermAt = now();
  svc.child.kill('SIGTERM');
  const exit = await waitExit(svc.child, READINESS_DELAY_MS + SHUTDOWN_TIMEOUT_MS + 5_000);
  const exitedAt = now();
  if (exit === null) svc.child.kill('SIGKILL');
  await sleep(AFTER_EXIT_MS);
  load.child.kill('SIGINT');
  if ((await waitExit(load.child, 10_000)) === null) {
    load.child.kill('SIGKILL');
    await waitExit(load.child, 5_000);
  }
  await sleep(50);

  const log = readServiceLog(logFile);
  const errors = readErrorLog(errFile);
  const res = load.collect();
  if (!res.ok) return { mode: scenario, checks: [{ name: 'load client result', pass: false, detail: res.problem }], facts: {} };

  const byMsg = (pred) => log.lifecycle.find((r) => pred(r.msg ?? ''));
  const started = byMsg((m) => m.includes('shutdown started'));
  const draining = byMsg((m) => m === 'draining connections');
  const complete = byMsg((m) => m === 'shutdown complete');
  const exitMs = exitedAt - sigtermAt;

  const accepted = log.accessed;
  const lost = [...accepted.keys()].filter((id) => !res.received.has(id));
  const unlogged = [...res.received.keys()].filter((id) => !accepted.has(id));
  const non2xxReceived = [...res.received.entries()].filter(([, s]) => !(s >= 200 && s < 300));
  const non2xxLogged = [...accepted.entries()].filter(([, s]) => !(s >= 200 && s < 300));

  const checks = [];
  const check = (name, pass, detail) => checks.push({ name, pass, detail });
  check('exit code 0', exit !== null && exit.code === 0, exit === null ? 'still running: killed' : `code ${exit.code}, signal ${exit.signal}`);
  check(`exit within SHUTDOWN_TIMEOUT_MS (${SHUTDOWN_TIMEOUT_MS} ms)`, exitMs <= READINESS_DELAY_MS + SHUTDOWN_TIMEOUT_MS, `${fmtMs(exitMs)} after SIGTERM`);
  check('"shutdown complete" logged', complete !== undefined, complete ? 'yes' : `no; errors: ${errors.slice(0, 3).join(' | ')}`);
  check(
    'no non-2xx response received',
    non2xxReceived.length === 0,
    `${non2xxReceived.length}${non2xxReceived.length ? `: ${JSON.stringify(non2xxReceived.slice(0, 5))}` : ''} (access log: ${non2xxLogged.length} non-2xx)`,
  );
  check(
    'every accepted request answered completely',
    lost.length === 0,
    `${accepted.size} accepted (access records), ${lost.length} not received${lost.length ? `: ${lost.slice(0, 10).join(' ')}` : ''}`,
  );
  check('every response received was logged', unlogged.length === 0, `${unlogged.length}${unlogged.length ? `: ${unlogged.slice(0, 10).join(' ')}` : ''}`);
  check('no error record', errors.length === 0, errors.length === 0 ? 'error log empty' : `${errors.length}: ${errors.slice(0, 3).join(' | ')}`);

  const facts = {
    loadCommand: load.command,
    accepted: accepted.size,
    received: res.received.size,
    written: res.written,
    closeResponses: res.closeResponses,
    connectionsAtDrain: draining?.connectionsOpen ?? null,
    exitMs,
    drainMs: complete && draining ? complete.time - draining.time : null,
    signalToStartMs: started ? started.time - sigtermAt : null,
    exit,
    rps: log.acceptedBeforeSigterm(sigtermAt) / AFTER_S,
  };

  if (mode === 'wrk') {
    const e = res.errors;
    const unaccepted = res.written - accepted.size;
    check('no wrk timeout', e.timeout === 0, `timeout ${e.timeout}`);
    check(
      'read errors only on requests the server never read',
      res.received.size === accepted.size && lost.length === 0,
      `read ${e.read}: each a request written on a keep-alive connection the server closed without reading it (its id is in no access record)`,
    );
    check(
      'each connection open at drain ended with Connection: close or an unread request',
      res.closeResponses + e.read === facts.connectionsAtDrain,
      `${res.closeResponses} Connection: close + ${e.read} read errors, ${facts.connectionsAtDrain} connections at drain`,
    );
    if (STRICT) check('SIGTERM_STRICT: wrk socket errors read = 0', e.read === 0, res.socketErrorsLine);
    Object.assign(facts, {
      socketErrorsLine: res.socketErrorsLine,
      wrkErrors: e,
      wrkRequests: res.wrkRequests,
      unaccepted,
    });
  } else {
    const c = res.client;
    const unansweredBefore = c.unanswered.filter((u) => u.closedAt < sigtermAt);
    const unansweredLogged = c.unanswered.filter((u) => accepted.has(u.id));
    const refusedCodes = Object.keys(c.connectErrors);
    const otherConnectErrors = refusedCodes.filter((k) => k !== 'ECONNREFUSED');
    check('no partial response', c.partial.length === 0, `${c.partial.length}${c.partial.length ? `: ${JSON.stringify(c.partial.slice(0, 5))}` : ''}`);
    check('X-Request-Id echoed on every response', c.idMismatch.length === 0, `${c.idMismatch.length} mismatches`);
    check('no unanswered request before SIGTERM', unansweredBefore.length === 0, `${unansweredBefore.length}`);
    check(
      'unanswered requests were never read (no access record)',
      unansweredLogged.length === 0,
      `${c.unanswered.length} unanswered, ${unansweredLogged.length} of them logged`,
    );
    check(
      'connections refused only after SIGTERM',
      c.firstConnectErrorAt === null || c.firstConnectErrorAt >= sigtermAt,
      `first refusal ${c.firstConnectErrorAt === null ? 'none' : fmtMs(c.firstConnectErrorAt - sigtermAt)} after SIGTERM`,
    );
    check(
      'each connection open at drain ended with Connection: close or an unread request',
      c.connectionClose + c.unanswered.length === facts.connectionsAtDrain,
      `${c.connectionClose} Connection: close + ${c.unanswered.length} unanswered, ${facts.connectionsAtDrain} connections at drain`,
    );
    check('no connect error other than ECONNREFUSED', otherConnectErrors.length === 0, JSON.stringify(c.connectErrors));
    if (STRICT) check('SIGTERM_STRICT: no unanswered request', c.unanswered.length === 0, `${c.unanswered.length}`);
    const hows = {};
    for (const u of c.unanswered) hows[u.how] = (hows[u.how] ?? 0) + 1;
    Object.assign(facts, {
      unanswered: c.unanswered.length,
      unansweredHow: hows,
      unansweredWrittenAfterSigtermMs: c.unanswered.length
        ? [Math.min(...c.unanswered.map((u) => u.sentAt - sigtermAt)), Math.max(...c.unanswered.map((u) => u.sentAt - sigtermAt))]
        : null,
      unansweredClosedAfterSigtermMs: c.unanswered.length
        ? [Math.min(...c.unanswered.map((u) => u.closedAt - sigtermAt)), Math.max(...c.unanswered.map((u) => u.closedAt - sigtermAt))]
        : null,
      abandoned: c.abandoned.length,
      refused: c.connectErrors.ECONNREFUSED ?? 0,
      firstRefusalMs: c.firstConnectErrorAt === null ? null : c.firstConnectErrorAt - sigtermAt,
      lastOkMs: c.lastOkAt === null ? null : c.lastOkAt - sigtermAt,
    });
  }
  if (slow) check('busy connections got Connection: close', res.closeResponses > 0, `${res.closeResponses} responses with Connection: close`);
  return { mode: scenario, checks, facts };
}

function report(results, outDir, meta) {
  const lines = [];
  lines.push(`# SIGTERM under load — ${meta.date}`, '');
  lines.push(
    `Service: \`${meta.entry}\`, ${CONNECTIONS} keep-alive connections, SIGTERM after ${AFTER_S} s of load, ` +
      `SHUTDOWN_TIMEOUT_MS=${SHUTDOWN_TIMEOUT_MS}, READINESS_DELAY_MS=${READINESS_DELAY_MS}; machine: ${meta.machine}; ` +
      `load average ${meta.loadBefore} before, ${meta.loadAfter} after.`,
    '',
  );
  for (const r of results) {
    const f = r.facts;
    lines.push(`## ${r.mode}`, '');
    if (f.loadCommand) lines.push(`\`${f.loadCommand}\``, '');
    if (r.mode.startsWith('wrk') && f.wrkErrors) {
      lines.push(`- wrk: ${f.wrkRequests} responses; \`${f.socketErrorsLine}\``);
      lines.push(
        `- requests written by wrk ${f.written}, accepted by the server (access records) ${f.accepted}, ` +
          `complete responses received ${f.received} (with \`Connection: close\`: ${f.closeResponses})`,
      );
      lines.push(
        `- not accepted: ${f.unaccepted} = ${f.wrkErrors.read} read errors (request in flight on a connection the ` +
          `drain closed) + ${f.wrkErrors.write} write errors (reconnects refused after the listener closed, or a write ` +
          `to a connection already closed) + requests wrk generated but never wrote`,
      );
    }
    if (r.mode.startsWith('precise') && f.unanswered !== undefined) {
      lines.push(`- requests written ${f.written}, accepted ${f.accepted}, complete 2xx received ${f.received}, with \`Connection: close\`: ${f.closeResponses}`);
      lines.push(
        `- unanswered (connection closed before any response byte, never read by the server): ${f.unanswered} ` +
          `${JSON.stringify(f.unansweredHow)}, written ${f.unansweredWrittenAfterSigtermMs?.map((x) => x.toFixed(1)).join('…') ?? '–'} ms ` +
          `after SIGTERM, closed ${f.unansweredClosedAfterSigtermMs?.map((x) => x.toFixed(1)).join('…') ?? '–'} ms after`,
      );
      lines.push(
        `- last 2xx ${fmtMs(f.lastOkMs)} after SIGTERM; first refused connect ${fmtMs(f.firstRefusalMs)} after; ` +
          `${f.refused} refused connects (retried every 10 ms per connection until the client stopped)`,
      );
    }
    lines.push(`- load before the signal: ${Math.round(f.rps)} requests/s (access records in the first ${AFTER_S} s)`);
    lines.push(
      `- connections open at drain: ${f.connectionsAtDrain ?? '–'}; drain took ${fmtMs(f.drainMs)}; ` +
        `service exited ${fmtMs(f.exitMs)} after SIGTERM with ${f.exit ? `code ${f.exit.code}` : 'no exit (killed)'}`,
      '',
    );
    lines.push('| check | result | detail |', '| --- | --- | --- |');
    for (const c of r.checks) lines.push(`| ${c.name} | ${c.pass ? 'pass' : '**FAIL**'} | ${c.detail.replace(/\|/g, '\\|')} |`);
    lines.push('');
  }
  const pass = results.every((r) => r.checks.every((c) => c.pass));
  lines.push(`**Verdict: ${pass ? 'PASS' : 'FAIL'}**${STRICT ? ' (strict)' : ''}`, '');
  const text = lines.join('\n');
  fs.writeFileSync(path.join(outDir, 'summary.md'), text);
  fs.writeFileSync(path.join(outDir, 'summary.json'), JSON.stringify({ meta, results }, null, 2));
  return { text, pass };
}

async function main() {
  const date = new Date();
  const outDir = path.join(ROOT, 'bench/out', `sigterm-${stamp(date)}`);
  fs.mkdirSync(outDir, { recursive: true });
  const os = await import('node:os');
  const meta = {
    date: date.toISOString(),
    entry: path.relative(ROOT, ENTRY) || ENTRY,
    machine: `${os.cpus().length} cores, Linux ${os.release()}, Node ${process.version}`,
    loadBefore: os
      .loadavg()
      .map((x) => x.toFixed(2))
      .join(' '),
    loadAfter: null,
  };
  const results = [];
  for (const mode of MODES) {
    if (!/^(wrk|precise)(-slow)?$/.test(mode)) throw new Error(`unknown mode ${mode} (wrk, precise, wrk-slow, precise-slow)`);
    console.error(`sigterm: ${mode}: ${CONNECTIONS} connections, SIGTERM after ${AFTER_S} s`);
    results.push(await runMode(mode, outDir));
  }
  meta.loadAfter = os
    .loadavg()
    .map((x) => x.toFixed(2))
    .join(' ');
  const { text, pass } = report(results, outDir, meta);
  console.log(text);
  console.log(`written to ${path.relative(ROOT, outDir)}/summary.md`);
  process.exitCode = pass ? 0 : 1;
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
