import { EventEmitter } from 'node:events';
import type { Worker } from 'node:cluster';
import { Registry } from 'prom-client';
import { describe, expect, test } from 'vitest';
import { ClusterMetrics } from '../../src/service/cluster-metrics.js';

// The cluster primary asks each worker for its metrics. A worker that dies between the primary's
// isConnected() check and the write makes the write fail with EPIPE; node then calls the send's
// callback, or, without one, emits 'error' on the worker — which nothing handled, so the primary
// died of an uncaught exception in the middle of a scrape (seen in workers.test.ts, "never shows a
// counter going backwards across a worker kill", 1 run in 20). The fake worker below fails its
// writes exactly as node's child_process does.

class DeadOnWrite extends EventEmitter {
  readonly id = 7;
  isConnected(): boolean {
    return true;
  }
  send(_message: unknown, ...rest: unknown[]): boolean {
    const callback = rest.find((x) => typeof x === 'function') as ((err: Error | null) => void) | undefined;
    const ex = Object.assign(new Error('write EPIPE'), { code: 'EPIPE', errno: -32, syscall: 'write' });
    if (callback !== undefined) process.nextTick(callback, ex);
    else process.nextTick(() => this.emit('error', ex)); // no listener: an uncaught exception
    return false;
  }
}

describe('ClusterMetrics and a worker that died', () => {
  test('a failed write to a worker settles its request at once, with no uncaught error', async () => {
    const metrics = new ClusterMetrics([new Registry()], 5_000);
    const worker = new DeadOnWrite();
    metrics.track(worker as unknown as Worker);
    const uncaught: unknown[] = [];
    const onUncaught = (e: unknown): void => void uncaught.push(e);
    process.on('uncaughtException', onUncaught);
    try {
      const started = performance.now();
      await metrics.refresh();
      // Settled by the write's failure, not by the 5 s answer timeout.
      expect(performance.now() - started).toBeLessThan(4_000);
      await new Promise((resolve) => setImmediate(resolve));
      expect(uncaught).toEqual([]);
      expect(worker.listenerCount('error')).toBe(0);
    } finally {
      process.off('uncaughtException', onUncaught);
    }
  });
});
