// Mass expiry: COUNT connections whose request heads all time out in the same sweep, while a
// normal client keeps sending requests. Reports the longest the server's event loop was held
// (monitorEventLoopDelay, 1 ms resolution) and the normal client's worst latency.
//   npm run build && taskset -c 0 node bench/mass-expiry.mjs [COUNT=10000] [HEADERS_TIMEOUT_MS=2000]
// The slow connections live in a child process (test/helpers/load-clients.mjs), the normal client
// in a second one, both moved to core 1 when `taskset` is there, so this process holds the server
// alone on core 0. Not part of `npm run bench`: its figure is a latency bound, recorded in
// docs/performance.md; test/http/slow-clients.test.ts checks the same from inside one process.
import { fork, spawnSync } from 'node:child_process';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { connect } from 'node:net';

if (process.argv[2] === '--probe') await probe(Number(process.argv[3]));
else await main();

/** Moves a child process to core 1 (the clients' core), if taskset is installed. */
function toCore1(child) {
  spawnSync('taskset', ['-pc', '1', String(child.pid)], { stdio: 'ignore' });
}

/** The normal client: one Connection: close request after another until told to stop. */
async function probe(port) {
  const times = [];
  let stop = false;
  process.on('message', (m) => {
    if (m.cmd === 'stop') stop = true;
  });
  while (!stop) {
    const t0 = performance.now();
    await new Promise((resolve) => {
      const s = connect(port, '127.0.0.1', () => s.end('GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n'));
      s.on('data', () => {});
      s.on('close', resolve);
      s.on('error', resolve);
    });
    times.push(performance.now() - t0);
    await new Promise((r) => setTimeout(r, 1));
  }
  times.sort((a, b) => a - b);
  const round = (x) => Math.round(x * 10) / 10;
  process.send({ type: 'probed', n: times.length, maxMs: round(times.at(-1)), p99Ms: round(times[Math.floor(times.length * 0.99)]) }, () => process.exit(0));
}

async function main() {
  const { BaseHTTPRequestHandler, HTTPServer } = await import('../dist/index.js');
  const COUNT = Number(process.argv[2] ?? 10_000);
  const HEADERS_TIMEOUT_MS = Number(process.argv[3] ?? 2_000);

  class Hello extends BaseHTTPRequestHandler {
    protocolVersion = 'HTTP/1.1';
    do_GET() {
      this.sendResponse(200);
      this.sendHeader('Content-Length', 3);
      this.endHeaders();
      this.wfile.write('ok\n');
    }
    logMessage() {}
  }

  const server = new HTTPServer(['127.0.0.1', 0], Hello);
  server.headersTimeoutMs = HEADERS_TIMEOUT_MS;
  server.requestQueueSize = 4_096;
  await server.ready;
  const loop = server.serveForever();
  const port = server.serverAddress[1];

  function ask(child, msg, type) {
    return new Promise((resolve) => {
      const on = (m) => {
        if (m.type === type) {
          child.off('message', on);
          resolve(m);
        }
      };
      child.on('message', on);
      child.send(msg);
    });
  }

  const loadClients = fileURLToPath(new URL('../test/helpers/load-clients.mjs', import.meta.url));
  const slow = fork(loadClients, [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  toCore1(slow);
  const opened = await ask(slow, { cmd: 'open', mode: 'slow-header', port, count: COUNT, intervalMs: 1_000, batch: 500, together: true }, 'opened');
  const firstBytes = performance.now();

  // The normal client: one Connection: close request after another, in its own process.
  const prober = fork(fileURLToPath(import.meta.url), ['--probe', String(port)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  toCore1(prober);
  // The first bytes of COUNT heads arrive in one burst (a test artifact, not expiry work): the
  // loop is watched from half the timeout on, well before the first expiry.
  await new Promise((r) => setTimeout(r, HEADERS_TIMEOUT_MS / 2));
  const delay = monitorEventLoopDelay({ resolution: 1 });
  delay.enable();
  while (server.activeConnections > 0 && performance.now() - firstBytes < HEADERS_TIMEOUT_MS * 3) {
    await new Promise((r) => setTimeout(r, 50));
  }
  delay.disable();
  const probed = await ask(prober, { cmd: 'stop' }, 'probed');
  const report = await ask(slow, { cmd: 'report' }, 'report');
  await ask(slow, { cmd: 'close' }, 'closed');
  await server.shutdown();
  server.serverClose();
  await loop;
  console.log(
    JSON.stringify({
      count: COUNT,
      opened: opened.opened,
      closed: report.closed,
      loopMaxMs: Math.round(delay.max / 1e5) / 10,
      loopP99Ms: Math.round(delay.percentile(99) / 1e5) / 10,
      probeRequests: probed.n,
      probeMaxMs: probed.maxMs,
      probeP99Ms: probed.p99Ms,
    }),
  );
  process.exit(0);
}
