// Micro-benchmark behind src/socketserver/buffer-slice.ts (`copyBytes`) and the socket writer's
// `instanceof Uint8Array ? length : byteLength`: what reading `byteLength`, and calling `set`
// as a method or through `call`, cost on a Buffer in optimized code (node 20 / V8 11.3 reads a
// method or `byteLength` from a Buffer through a generic LoadIC; `length` is inlined).
// Run: taskset -c 0 node bench/micro/buffer-loads.mjs
// Prints ns per call, best of 5 rounds of 2e7 calls, each case in a fresh process.
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const CASES = ['byteLength', 'length', 'instanceof ? length : byteLength', 'dst.set(src, 3)', 'copyBytes.call(dst, src, 3)'];

if (process.argv[2] === undefined) {
  for (const name of CASES) process.stdout.write(execFileSync(process.execPath, [fileURLToPath(import.meta.url), name], { encoding: 'utf8' }));
} else {
  const name = process.argv[2];
  const copyBytes = Uint8Array.prototype.set;
  const dst = Buffer.alloc(64);
  const src = Buffer.from('abcdefgh');
  class Holder {
    constructor(d) {
      this.d = d;
    }
    byteLength() {
      return this.d.byteLength;
    }
    length() {
      return this.d.length;
    }
    folded() {
      const d = this.d;
      return d instanceof Uint8Array ? d.length : d.byteLength;
    }
    setMethod() {
      dst.set(src, 3);
      return 1;
    }
    setCall() {
      copyBytes.call(dst, src, 3);
      return 1;
    }
  }
  const h = new Holder(Buffer.from('hello world'));
  const f = {
    byteLength: () => h.byteLength(),
    length: () => h.length(),
    'instanceof ? length : byteLength': () => h.folded(),
    'dst.set(src, 3)': () => h.setMethod(),
    'copyBytes.call(dst, src, 3)': () => h.setCall(),
  }[name];
  const run = (n) => {
    let s = 0;
    for (let i = 0; i < n; i++) s += f();
    return s;
  };
  for (let k = 0; k < 200; k++) run(1e4);
  let best = Infinity;
  for (let r = 0; r < 5; r++) {
    const t = process.hrtime.bigint();
    run(2e7);
    best = Math.min(best, Number(process.hrtime.bigint() - t) / 2e7);
  }
  console.log(`${name}: ${best.toFixed(2)} ns`);
}
