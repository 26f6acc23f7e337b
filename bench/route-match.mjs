// Micro-benchmark of RouteHandler's per-request lookup, outside any server (not part of
// `npm run bench`): canonicalize() on an already canonical path, RouteTable.find() for a static,
// a :param and a * route, and the JSON body's second length measurement that sendJson() avoids.
//
//   npm run build && node bench/route-match.mjs
//
// Prints ns per call, best of 5 runs of 2 000 000 calls each.
import { canonicalize } from '../dist/http/canonical-path.js';
import { compileRoutes } from '../dist/http/route-table.js';

const noop = () => undefined;
const proto = { list: noop, get: noop, posts: noop, file: noop, me: noop, health: noop };
const table = compileRoutes(
  'Bench',
  {
    'GET /healthz': 'health',
    'GET /users': 'list',
    'GET /users/me': 'me',
    'GET /users/:id': 'get',
    'GET /users/:id/posts/:post': 'posts',
    'GET /files/*': 'file',
  },
  proto,
);

const N = 2_000_000;
const values = [];
function time(name, fn) {
  let best = Infinity;
  for (let round = 0; round < 5; round++) {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < N; i++) fn(i);
    best = Math.min(best, Number(process.hrtime.bigint() - t0) / N);
  }
  console.log(`${name.padEnd(52)} ${best.toFixed(1).padStart(6)} ns`);
}

const paths = ['/users/42', '/users/43', '/users/44', '/users/45'];
let sink = 0;
time('canonicalize(/users/42/posts/7) (already canonical)', () => {
  sink += canonicalize('/users/42/posts/7').length;
});
time('canonicalize(//users/./42) (rebuilt)', () => {
  sink += canonicalize('//users/./42').length;
});
time('find GET /healthz (static Map)', () => {
  sink += table.find('GET', '/healthz', values) === null ? 0 : 1;
});
time('find GET /users/:id', (i) => {
  sink += table.find('GET', paths[i & 3], values) === null ? 0 : 1;
});
time('find GET /users/:id/posts/:post', () => {
  sink += table.find('GET', '/users/42/posts/7', values) === null ? 0 : 1;
});
time('find GET /files/* (3 segments deep)', () => {
  sink += table.find('GET', '/files/a/b/c.txt', values) === null ? 0 : 1;
});
time('find GET /nope/x (no route)', () => {
  sink += table.find('GET', '/nope/x', values) === null ? 0 : 1;
});
const json = JSON.stringify({ id: '42' });
time('Buffer.byteLength of {"id":"42"} (what sendJson saves)', () => {
  sink += Buffer.byteLength(json);
});
if (sink === 0) console.log('');
