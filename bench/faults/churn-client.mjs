// Connection churn for the soak (bench/soak.mjs): opens short-lived connections to
// 127.0.0.1:<port> beside wrk's keep-alive load, cycling through kinds that end a connection in
// every way a server meets in production, and checks how each one ended.
//
//   node bench/faults/churn-client.mjs <port> <result.json> [connectionsPerSecond=100] [maxSeconds=3600]
//
// Kinds (one connection each, in turn):
//   close       GET / with Connection: close          -> 200, then the server closes
//   pipelined   two GETs in one write, the second with Connection: close -> 200 + 200, close
//   idle        GET / keep-alive, then silence         -> 200, closed at the keep-alive timeout
//   empty       connect, send nothing, half-close      -> closed, nothing sent back
//   short-body  POST /echo announcing 100 bytes, 50 sent, half-close -> 400, close
//   bad-length  Content-Length: -1                     -> 400, close
//   abort       GET /, then reset at once (client gone before the response)  -> anything
//   half-head   part of a head, reset 100–500 ms later -> anything
// A connection still open 15 s after it started counts as "hung" (a failure). Results: per kind,
// how many ended how, and the unexpected ones. Stops on SIGINT and writes the JSON.
import fs from 'node:fs';
import net from 'node:net';

const [portArg, outFile, rateArg, maxArg] = process.argv.slice(2);
const port = Number(portArg);
const rate = Number(rateArg ?? 100);
const maxSeconds = Number(maxArg ?? 3600);
if (!(port > 0) || !outFile) {
  console.error('usage: churn-client.mjs <port> <result.json> [connectionsPerSecond] [maxSeconds]');
  process.exit(2);
}

const HOST = `Host: 127.0.0.1:${port}\r\n`;
const GET = `GET / HTTP/1.1\r\n${HOST}\r\n`;
const GET_CLOSE = `GET / HTTP/1.1\r\n${HOST}Connection: close\r\n\r\n`;

/** Each kind: what it writes once connected, and what a correct ending looks like. */
const KINDS = {
  close: { start: (s) => s.write(GET_CLOSE), expect: ['200/EOF'] },
  pipelined: { start: (s) => s.write(GET + GET_CLOSE), expect: ['200+200/EOF'] },
  idle: { start: (s) => s.write(GET), expect: ['200/EOF'] },
  empty: { start: (s) => s.end(), expect: ['none/EOF'] },
  'short-body': {
    start: (s) => s.end(`POST /echo HTTP/1.1\r\n${HOST}Content-Type: application/json\r\nContent-Length: 100\r\n\r\n${'{"a":1}'.padEnd(50)}`),
    expect: ['400/EOF'],
  },
  'bad-length': { start: (s) => s.write(`POST /echo HTTP/1.1\r\n${HOST}Content-Length: -1\r\n\r\n`), expect: ['400/EOF'] },
  abort: {
    start: (s) => {
      s.write(GET);
      s.resetAndDestroy();
    },
    expect: null,
  },
  'half-head': {
    start: (s) => {
      s.write(`GET / HTTP/1.1\r\n${HOST}X-Partial:`);
      setTimeout(() => s.resetAndDestroy(), 100 + Math.floor(Math.random() * 400));
    },
    expect: null,
  },
};
const KIND_NAMES = Object.keys(KINDS);

const result = { started: 0, finished: 0, open: 0, maxOpen: 0, kinds: {}, unexpected: [] };
for (const k of KIND_NAMES) result.kinds[k] = {};
let stopping = false;
const live = new Set();

function one(kind) {
  const s = net.connect({ host: '127.0.0.1', port });
  live.add(s);
  result.started++;
  result.open++;
  result.maxOpen = Math.max(result.maxOpen, result.open);
  const chunks = [];
  let connected = false;
  let eof = false;
  let error = null;
  let hung = false;
  const t0 = Date.now();
  const deadline = setTimeout(() => {
    hung = true;
    s.destroy();
  }, 15_000);
  s.on('connect', () => {
    connected = true;
    KINDS[kind].start(s);
  });
  s.on('data', (c) => chunks.push(c));
  s.on('end', () => {
    eof = true;
  });
  s.on('error', (e) => {
    error = e;
  });
  s.on('close', () => {
    clearTimeout(deadline);
    live.delete(s);
    result.open--;
    if (stopping && !eof && error === null) return; // cut by the stop itself
    result.finished++;
    const text = Buffer.concat(chunks).toString('latin1');
    const statuses = [...text.matchAll(/HTTP\/1\.[01] (\d{3}) /g)].map((m) => m[1]);
    const end = hung ? 'hung' : !connected ? `connect-${error?.code ?? 'error'}` : eof ? 'EOF' : (error?.code ?? 'closed');
    const outcome = `${statuses.join('+') || 'none'}/${end}`;
    const counts = result.kinds[kind];
    counts[outcome] = (counts[outcome] ?? 0) + 1;
    const expect = KINDS[kind].expect;
    const bad = hung || !connected || (expect !== null && !expect.includes(outcome));
    if (bad && result.unexpected.length < 50) result.unexpected.push({ kind, outcome, ms: Date.now() - t0 });
    if (bad) result.unexpectedCount = (result.unexpectedCount ?? 0) + 1;
  });
}

let next = 0;
const perTick = Math.max(1, Math.round(rate / 10));
const ticker = setInterval(() => {
  for (let i = 0; i < perTick; i++) one(KIND_NAMES[next++ % KIND_NAMES.length]);
}, 100);

function stop() {
  if (stopping) return;
  stopping = true;
  clearInterval(ticker);
  // Let the connections in progress end on their own (up to the idle kind's keep-alive
  // timeout), so that each is judged; then cut what is left.
  const deadline = Date.now() + 12_000;
  const wait = setInterval(() => {
    if (live.size === 0 || Date.now() > deadline) {
      clearInterval(wait);
      result.cutAtStop = live.size;
      for (const s of live) s.destroy();
      setTimeout(() => {
        fs.writeFileSync(outFile, JSON.stringify(result, null, 1));
        process.exit(0);
      }, 50);
    }
  }, 100);
}

process.on('SIGINT', stop);
process.on('SIGTERM', stop);
setTimeout(stop, maxSeconds * 1000);
