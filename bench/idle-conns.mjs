// Client for the "RSS with 10 000 idle keep-alive connections" scenario.
//   node bench/idle-conns.mjs PORT COUNT SERVER_PID
// Opens COUNT connections to 127.0.0.1:PORT (at most CONCURRENCY connecting at once, so the
// listen backlog never overflows), sends one keep-alive GET /hello on each, waits until every
// one has a complete 200 response (Content-Length body read), then reads the server's VmRSS
// from /proc/SERVER_PID/status, prints one JSON line and exits (which closes them all).
// The harness runs it pinned to the wrk core. Bounded: gives up after DEADLINE_MS.
import fs from 'node:fs';
import net from 'node:net';

const [port, count, pid] = process.argv.slice(2).map(Number);
const CONCURRENCY = 200;
const DEADLINE_MS = 30_000; // 10 000 connections take a few seconds on a healthy server
const REQUEST = `GET /hello HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n\r\n`;

const sockets = [];
let ok = 0;
let failed = 0;
let closedEarly = 0;
let started = 0;
let settled = 0;
const t0 = Date.now();

function rssKb() {
  const m = /^VmRSS:\s+(\d+) kB$/m.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) : null;
}

function finish(reason) {
  const line = {
    ok,
    failed,
    closedEarly,
    open: sockets.filter((s) => !s.destroyed).length,
    rssKb: reason === 'done' ? rssKb() : null,
    elapsedMs: Date.now() - t0,
    deadlineMs: DEADLINE_MS,
    reason,
  };
  process.stdout.write(`${JSON.stringify(line)}\n`, () => process.exit(reason === 'done' ? 0 : 1));
}

/** One connection: send, read a complete response, then keep the socket open and idle. */
function open() {
  started++;
  const socket = net.connect(port, '127.0.0.1');
  sockets.push(socket);
  let buf = Buffer.alloc(0);
  let done = false;
  const settle = (good) => {
    if (done) return;
    done = true;
    if (good) ok++;
    else failed++;
    settled++;
    if (started < count) open();
    else if (settled === count) finish(failed === 0 ? 'done' : 'failures');
  };
  socket.on('connect', () => socket.write(REQUEST));
  socket.on('data', (chunk) => {
    if (done) return; // nothing more is expected on an idle connection
    buf = Buffer.concat([buf, chunk]);
    const end = buf.indexOf('\r\n\r\n');
    if (end === -1) return;
    const head = buf.subarray(0, end).toString('latin1');
    const length = /\r\ncontent-length:\s*(\d+)/i.exec(head);
    if (!/^HTTP\/1\.1 200 /.test(head) || !length) return settle(false);
    if (buf.length - end - 4 >= Number(length[1])) {
      buf = null;
      settle(true);
    }
    return undefined;
  });
  socket.on('error', () => settle(false));
  socket.on('close', () => {
    if (done) closedEarly++;
    settle(false);
  });
}

setTimeout(() => finish('deadline'), DEADLINE_MS).unref();
for (let i = 0; i < Math.min(CONCURRENCY, count); i++) open();
