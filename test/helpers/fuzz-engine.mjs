// Mutation fuzzing engine shared by test/conformance/fuzz.test.ts (bounded, in npm test) and
// scripts/fuzz-long.mjs (a million cases against dist/). Plain JavaScript so that both a vitest
// file and a standalone node script can import it. Deterministic for a given seed.
import { connect } from 'node:net';
import { setDeadline } from './deadline.mjs';

/** Valid requests the mutations start from (latin1 strings). */
export const SEEDS = [
  'GET / HTTP/1.1\r\nHost: example.com\r\n\r\n',
  'GET /path/to?q=1&r=%20 HTTP/1.1\r\nHost: example.com\r\nUser-Agent: fuzz\r\nAccept: */*\r\n\r\n',
  'GET /old HTTP/1.0\r\nConnection: keep-alive\r\n\r\n',
  'POST /form HTTP/1.1\r\nHost: example.com\r\nContent-Type: text/plain\r\nContent-Length: 5\r\n\r\nhello',
  'POST /chunked HTTP/1.1\r\nHost: example.com\r\nTransfer-Encoding: chunked\r\n\r\n5;ext=1\r\nhello\r\n6\r\n world\r\n0\r\nX-Trailer: t\r\n\r\n',
  'PUT /put HTTP/1.1\r\nHost: example.com\r\nExpect: 100-continue\r\nContent-Length: 3\r\n\r\nabc',
  'HEAD /head HTTP/1.1\r\nHost: example.com\r\nConnection: close\r\n\r\n',
  'OPTIONS * HTTP/1.1\r\nHost: example.com\r\n\r\n',
  'GET http://example.com/abs HTTP/1.1\r\nHost: example.com\r\n\r\n',
  'DELETE /item/7 HTTP/1.1\r\nHost: example.com:8080\r\nConnection: keep-alive\r\n\r\n',
  'GET /lf HTTP/1.1\nHost: example.com\n\n',
  'GET /09\r\n',
];

/** Seeds that keep the connection open and carry a status line in their answer (for pipelining). */
export const PIPELINE_SEEDS = SEEDS.filter((s) => s.includes('HTTP/1.1\r\n') && !s.includes('close') && !s.includes('Expect'));

const INTERESTING_BYTES = [0x0d, 0x0a, 0x00, 0x20, 0x09, 0x3a, 0x3b, 0x3d, 0x2c, 0x22, 0x30, 0x66, 0x46, 0x2d, 0x2b, 0x7f, 0xff, 0x0b, 0x0c, 0x2f, 0x3f, 0x25, 0x80];

const INSERTS = [
  '\r',
  '\n',
  '\r\n',
  '\r\n\r\n',
  '\0',
  ' ',
  '\t',
  ':',
  ';',
  '=',
  ',',
  '"',
  '\r\n ',
  '\r\n\t',
  'chunked',
  'Content-Length: ',
  'Transfer-Encoding: chunked\r\n',
  'Content-Length: 3\r\n',
  'Host: other\r\n',
  'Connection: close\r\n',
  'Expect: 100-continue\r\n',
  'Upgrade: websocket\r\n',
  '999999999999',
  '-1',
  '0x10',
  'HTTP/1.1',
  'HTTP/2.0',
  'HTTP/0.9',
  '0\r\n\r\n',
  'GET / HTTP/1.1\r\n',
  'ffffffffffffffff',
  '%00',
  '\xc0\xaf',
  ' HTTP/1.1\r\n',
];

const NUMBERS = ['0', '00000000005', '-1', '+5', '4294967296', '18446744073709551616', '9007199254740993', '1e3', 'ffffffff', ' 5', '5 ', '0x5', '5,5', ''];

/** mulberry32: a small, fast, seedable PRNG. Returns a function giving floats in [0, 1). */
export function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const int = (rand, n) => Math.floor(rand() * n);
const pick = (rand, arr) => arr[int(rand, arr.length)];
const bytes = (s) => Buffer.from(s, 'latin1');

/** The mutation operators, by name (each takes and returns a Buffer). */
export const MUTATIONS = {
  flip(rand, b) {
    if (b.length === 0) return b;
    const out = Buffer.from(b);
    out[int(rand, b.length)] = rand() < 0.5 ? pick(rand, INTERESTING_BYTES) : int(rand, 256);
    return out;
  },
  bitflip(rand, b) {
    if (b.length === 0) return b;
    const out = Buffer.from(b);
    const i = int(rand, b.length);
    out[i] = out[i] ^ (1 << int(rand, 8));
    return out;
  },
  insert(rand, b) {
    const at = int(rand, b.length + 1);
    return Buffer.concat([b.subarray(0, at), bytes(pick(rand, INSERTS)), b.subarray(at)]);
  },
  remove(rand, b) {
    if (b.length === 0) return b;
    const at = int(rand, b.length);
    return Buffer.concat([b.subarray(0, at), b.subarray(at + 1 + int(rand, 8))]);
  },
  duplicate(rand, b) {
    if (b.length === 0) return b;
    const from = int(rand, b.length);
    const piece = b.subarray(from, from + 1 + int(rand, 24));
    const at = int(rand, b.length + 1);
    return Buffer.concat([b.subarray(0, at), piece, b.subarray(at)]);
  },
  truncate(rand, b) {
    return b.subarray(0, int(rand, b.length + 1));
  },
  number(rand, b) {
    const s = b.toString('latin1');
    const runs = [...s.matchAll(/[0-9a-fA-F]+/g)];
    if (runs.length === 0) return b;
    const m = pick(rand, runs);
    return bytes(s.slice(0, m.index) + pick(rand, NUMBERS) + s.slice(m.index + m[0].length));
  },
  lineEnding(rand, b) {
    const s = b.toString('latin1');
    const ends = [...s.matchAll(/\r\n|\n/g)];
    if (ends.length === 0) return b;
    const m = pick(rand, ends);
    return bytes(s.slice(0, m.index) + pick(rand, ['\n', '\r', '\r\r\n', '\n\r', '\r\n\r\n', '']) + s.slice(m.index + m[0].length));
  },
  caseSwap(rand, b) {
    if (b.length === 0) return b;
    const out = Buffer.from(b);
    const at = int(rand, b.length);
    for (let i = at; i < Math.min(b.length, at + 8); i++) {
      const c = out[i];
      if ((c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a)) out[i] = c ^ 0x20;
    }
    return out;
  },
};

const MUTATION_NAMES = Object.keys(MUTATIONS);

/** Applies 1-4 random mutations to `input`. */
export function mutate(rand, input) {
  let b = input;
  const n = 1 + int(rand, 4);
  for (let i = 0; i < n; i++) b = MUTATIONS[pick(rand, MUTATION_NAMES)](rand, b);
  return b;
}

/** Splits `b` into 1-5 writes at random points. */
export function split(rand, b) {
  if (b.length < 2 || rand() < 0.6) return [b];
  const cuts = new Set();
  const n = 1 + int(rand, 4);
  for (let i = 0; i < n; i++) cuts.add(1 + int(rand, b.length - 1));
  const points = [0, ...[...cuts].sort((x, y) => x - y), b.length];
  const out = [];
  for (let i = 0; i < points.length - 1; i++) out.push(b.subarray(points[i], points[i + 1]));
  return out;
}

/**
 * One fuzz case: a mutated seed, sometimes with a valid request pipelined behind it (a canary:
 * whatever the server made of the mutated bytes, it must either answer it or close), split into
 * writes at random points.
 */
export function makeCase(rand) {
  let b = mutate(rand, bytes(pick(rand, SEEDS)));
  if (rand() < 0.5) b = Buffer.concat([b, bytes(pick(rand, PIPELINE_SEEDS))]);
  return split(rand, b);
}

/**
 * Sends `writes` on a fresh connection, half-closes, and waits until the server closes.
 * Resolves { ending: 'close' | 'reset' | 'timeout', bytes, head (first 16 bytes received), ms,
 * error }. Never rejects on socket errors.
 */
export function exchange(port, writes, timeoutMs = 5000, host = '127.0.0.1') {
  return new Promise((resolve) => {
    const start = performance.now();
    let received = 0;
    let head = '';
    let error = null;
    let done = false;
    const socket = connect({ port, host });
    const finish = (ending) => {
      if (done) return;
      done = true;
      cancel();
      resolve({ ending, bytes: received, head, ms: performance.now() - start, error });
    };
    // A deadline, not a plain timer: after a stall of this process, a close that already arrived
    // is seen before the connection is called hanging (deadline.mjs).
    const cancel = setDeadline(() => {
      socket.destroy();
      finish('timeout');
    }, timeoutMs);
    socket.on('data', (d) => {
      if (head.length < 16) head += d.subarray(0, 16 - head.length).toString('latin1');
      received += d.length;
    });
    socket.on('error', (e) => {
      error = e.code ?? e.message;
    });
    socket.on('close', () => finish(error === null ? 'close' : 'reset'));
    socket.once('connect', () => {
      let i = 0;
      const next = () => {
        if (socket.destroyed) return;
        if (i >= writes.length) {
          socket.end();
          return;
        }
        socket.write(writes[i++]);
        // A separate tick per write so that the pieces can arrive in separate reads.
        if (i < writes.length) setImmediate(next);
        else socket.end();
      };
      next();
    });
  });
}

/** Classifies the start of an answer: the status code, 'bare' (HTTP/0.9 body), or 'none'. */
export function firstAnswer(head) {
  if (head.length === 0) return 'none';
  const m = /^HTTP\/\d\.\d (\d{3})/.exec(head);
  return m === null ? 'bare' : m[1];
}

/** Runs `count` cases from `seed` with `concurrency` connections in flight; returns a summary. */
export async function fuzz({ port, seed, count, concurrency = 64, timeoutMs = 5000, onCase }) {
  const rand = prng(seed);
  const summary = { cases: 0, closed: 0, reset: 0, timeout: 0, bytesSent: 0, bytesReceived: 0, maxMs: 0, firstAnswer: {}, timeouts: [] };
  let issued = 0;
  const worker = async () => {
    while (issued < count) {
      const index = issued++;
      const writes = makeCase(rand);
      const r = await exchange(port, writes, timeoutMs);
      summary.cases++;
      summary.bytesSent += writes.reduce((n, w) => n + w.length, 0);
      summary.bytesReceived += r.bytes;
      summary.maxMs = Math.max(summary.maxMs, r.ms);
      const key = firstAnswer(r.head);
      summary.firstAnswer[key] = (summary.firstAnswer[key] ?? 0) + 1;
      if (r.ending === 'close') summary.closed++;
      else if (r.ending === 'reset') summary.reset++;
      else {
        summary.timeout++;
        if (summary.timeouts.length < 20) summary.timeouts.push({ index, input: Buffer.concat(writes).toString('latin1') });
      }
      onCase?.(index, writes, r);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return summary;
}
