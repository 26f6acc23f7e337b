#!/usr/bin/env node
// Long fuzz run (issue 6 item 2): a million mutated requests against the BUILT server (dist/),
// each on its own connection over 127.0.0.1, from the engine that test/conformance/fuzz.test.ts uses.
// The server runs in a child process, so a crash is seen as the child's exit, and its
// connection count and memory are read over IPC between batches.
//
//   npm run build && node scripts/fuzz-long.mjs [--cases 1000000] [--seed 6] [--concurrency 64]
//                                               [--batch 20000] [--max-minutes 60]
//
// Prints one progress line per batch and a final summary (JSON, then a markdown table row for
// docs/security.md). Exit code 0 when every case was answered or closed, the server never
// crashed, no non-HTTP error reached handleError and no connection was left open; else 1.
import { fork } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { fuzz } from '../test/helpers/fuzz-engine.mjs';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const DIST = `${ROOT}dist/index.js`;

function arg(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  return i === -1 ? fallback : Number(process.argv[i + 1]);
}

// ---- the server side (this same file, forked with --server) ---------------------------------

async function serve() {
  const { HTTPServer, BaseHTTPRequestHandler } = await import(pathToFileURL(DIST).href);
  class Handler extends BaseHTTPRequestHandler {
    protocolVersion = 'HTTP/1.1';
    logMessage() {}
    async serve() {
      const body = await this.readBody();
      const text = Buffer.from(`${this.command} ${this.path} ${body.length}`, 'latin1');
      this.sendResponse(200);
      this.sendHeader('Content-Type', 'text/plain');
      this.sendHeader('Content-Length', String(text.length));
      this.endHeaders();
      if (this.command !== 'HEAD') this.wfile.write(text);
    }
  }
  for (const m of ['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'CONNECT', 'TRACE']) {
    Handler.prototype[`do_${m}`] = Handler.prototype.serve;
  }
  const faults = { httpErrors: 0, other: 0, samples: [] };
  class Server extends HTTPServer {
    handleError(_request, _address, error) {
      if (typeof error?.status === 'number') {
        faults.httpErrors++;
      } else {
        faults.other++;
        if (faults.samples.length < 5) faults.samples.push(String(error?.stack ?? error));
      }
    }
  }
  const server = new Server(['127.0.0.1', 0], Handler);
  Object.assign(server, { headersTimeoutMs: 2_000, keepAliveTimeoutMs: 2_000, requestTimeoutMs: 3_000, requestQueueSize: 1_024 });
  await server.ready;
  void server.serveForever();
  process.on('message', (msg) => {
    if (msg.cmd === 'stats') {
      const m = process.memoryUsage();
      process.send({ type: 'stats', active: server.activeConnections, rssMiB: m.rss / 1_048_576, heapMiB: m.heapUsed / 1_048_576, faults });
    } else if (msg.cmd === 'stop') {
      void server.shutdown().then(() => {
        server.serverClose();
        process.exit(0);
      });
    }
  });
  process.send({ type: 'ready', port: server.serverAddress[1] });
}

// ---- the client side -------------------------------------------------------------------------

function ask(child, cmd, type) {
  return new Promise((resolve, reject) => {
    const onMessage = (m) => {
      if (m.type !== type) return;
      child.off('message', onMessage);
      child.off('exit', onExit);
      resolve(m);
    };
    const onExit = (code, signal) => reject(new Error(`server process exited (code ${code}, signal ${signal})`));
    child.on('message', onMessage);
    child.once('exit', onExit);
    if (cmd !== null) child.send({ cmd });
  });
}

async function waitIdle(child, timeoutMs) {
  const end = performance.now() + timeoutMs;
  for (;;) {
    const s = await ask(child, 'stats', 'stats');
    if (s.active === 0 || performance.now() > end) return s;
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function main() {
  const total = arg('cases', 1_000_000);
  const seed = arg('seed', 6);
  const concurrency = arg('concurrency', 64);
  const batch = arg('batch', 20_000);
  const maxMs = arg('max-minutes', 60) * 60_000;
  if (!existsSync(DIST)) {
    console.error(`fuzz-long: ${DIST} not found; run \`npm run build\` first`);
    process.exit(2);
  }
  const child = fork(fileURLToPath(import.meta.url), ['--server'], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  let crashed = null;
  let stopping = false;
  child.once('exit', (code, signal) => {
    if (!stopping) crashed ??= { code, signal };
  });
  const { port } = await ask(child, null, 'ready');
  const started = performance.now();
  const totals = { cases: 0, closed: 0, reset: 0, timeout: 0, bytesSent: 0, bytesReceived: 0, maxMs: 0, firstAnswer: {}, timeouts: [] };
  let peakRss = 0;
  let b = 0;
  console.log(`fuzz-long: ${total} cases, seed ${seed}, concurrency ${concurrency}, server on 127.0.0.1:${port} (dist)`);
  while (totals.cases < total && performance.now() - started < maxMs && crashed === null) {
    const count = Math.min(batch, total - totals.cases);
    const batchSeed = seed * 1_000_003 + b;
    const s = await fuzz({ port, seed: batchSeed, count, concurrency, timeoutMs: 5_000 });
    for (const k of ['cases', 'closed', 'reset', 'timeout', 'bytesSent', 'bytesReceived']) totals[k] += s[k];
    totals.maxMs = Math.max(totals.maxMs, s.maxMs);
    for (const [k, v] of Object.entries(s.firstAnswer)) totals.firstAnswer[k] = (totals.firstAnswer[k] ?? 0) + v;
    for (const t of s.timeouts) if (totals.timeouts.length < 20) totals.timeouts.push({ batchSeed, ...t });
    if (crashed !== null) break;
    const st = await ask(child, 'stats', 'stats');
    peakRss = Math.max(peakRss, st.rssMiB);
    const secs = (performance.now() - started) / 1000;
    console.log(
      `batch ${b} (seed ${batchSeed}): ${totals.cases} cases, ${Math.round(totals.cases / secs)}/s, timeouts ${totals.timeout}, ` +
        `server active ${st.active}, rss ${st.rssMiB.toFixed(1)} MiB, heap ${st.heapMiB.toFixed(1)} MiB, non-HTTP errors ${st.faults.other}`,
    );
    b++;
  }
  const elapsedS = (performance.now() - started) / 1000;
  let final = null;
  if (crashed === null) final = await waitIdle(child, 10_000);
  const summary = {
    date: new Date().toISOString(),
    node: process.version,
    seed,
    requested: total,
    ...totals,
    elapsedS: Math.round(elapsedS),
    ratePerS: Math.round(totals.cases / elapsedS),
    serverCrashed: crashed,
    serverActiveAtEnd: final?.active ?? null,
    serverPeakRssMiB: Math.round(peakRss * 10) / 10,
    serverFinalRssMiB: final === null ? null : Math.round(final.rssMiB * 10) / 10,
    handleErrorHttp: final?.faults.httpErrors ?? null,
    handleErrorOther: final?.faults.other ?? null,
    handleErrorSamples: final?.faults.samples ?? [],
  };
  const ok = crashed === null && totals.timeout === 0 && summary.serverActiveAtEnd === 0 && summary.handleErrorOther === 0 && totals.cases === total;
  if (crashed === null) {
    stopping = true;
    const exited = new Promise((r) => child.once('exit', r));
    child.send({ cmd: 'stop' });
    await exited;
  }
  console.log(JSON.stringify(summary, null, 2));
  console.log(
    `\n| ${summary.date.slice(0, 10)} | ${totals.cases} | ${seed} | ${summary.elapsedS} s (${summary.ratePerS}/s) | ` +
      `${totals.timeout} | ${crashed === null ? 'no' : 'YES'} | ${summary.serverActiveAtEnd} | ${summary.handleErrorOther} | ` +
      `${summary.serverPeakRssMiB} MiB | ${ok ? 'pass' : 'FAIL'} |`,
  );
  process.exit(ok ? 0 : 1);
}

if (process.argv.includes('--server')) await serve();
else await main();
