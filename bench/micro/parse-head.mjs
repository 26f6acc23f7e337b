// Micro-benchmark of the head parse (issue 16): scanHead, the head decoded as latin-1, and
// parseHeaderLines into a new HTTPMessage, for wrk's request (`GET /hello` with one Host line),
// 16 heads per buffer as pipelined. The request line's own parse is not included.
// Run after `npm run build`:  taskset -c 0 node bench/micro/parse-head.mjs [dist dir]
// Prints ns per head for 5 rounds of 1.6 million heads (wall time).
import { fileURLToPath } from 'node:url';

const dist = process.argv[2] ?? fileURLToPath(new URL('../../dist', import.meta.url));
const { scanHead } = await import(`${dist}/http/head-scanner.js`);
const { parseHeaderLines, HeadInfo } = await import(`${dist}/http/header-parser.js`);
const { HTTPMessage } = await import(`${dist}/http/message.js`);
const { DEFAULT_LIMITS } = await import(`${dist}/http/limits.js`);
await import(`${dist}/socketserver/buffer-slice.js`);
const one = 'GET /hello HTTP/1.1\r\nHost: 127.0.0.1:19900\r\n\r\n';
const buf = Buffer.from(one.repeat(16), 'latin1');
const lines = new Int32Array(DEFAULT_LIMITS.maxHeaders + 3);
const info = new HeadInfo();
let sink = 0;
function run(n) {
  for (let k = 0; k < n; k++) {
    let start = 0;
    while (start < buf.length) {
      const end = scanHead(buf, start, DEFAULT_LIMITS, lines);
      const text = buf.latin1Slice(start, end);
      const headers = new HTTPMessage();
      const f = parseHeaderLines(buf, text, start, lines, headers, info, true);
      if (f !== null) throw new Error('fault');
      sink += headers.size;
      start = end;
    }
  }
}
run(20000);
for (let r = 0; r < 5; r++) {
  const t = process.hrtime.bigint();
  run(100000);
  const ns = Number(process.hrtime.bigint() - t) / 1600000;
  console.log(ns.toFixed(1), 'ns/request');
}
