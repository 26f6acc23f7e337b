import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

/** Runs a full garbage collection (twice, so finalisers' garbage goes too). */
export function collectGarbage(): void {
  gc();
  gc();
}

/** Process memory in MiB after a full collection. */
export interface MemorySample {
  readonly rssMiB: number;
  readonly heapUsedMiB: number;
  readonly externalMiB: number;
}

export function sampleMemory(): MemorySample {
  collectGarbage();
  const m = process.memoryUsage();
  const mib = (n: number): number => Math.round((n / 1_048_576) * 10) / 10;
  return { rssMiB: mib(m.rss), heapUsedMiB: mib(m.heapUsed), externalMiB: mib(m.external + m.arrayBuffers) };
}
