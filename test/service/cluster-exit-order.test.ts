import cluster, { type Worker } from 'node:cluster';
import { EventEmitter } from 'node:events';
import { afterEach, describe, expect, test, vi } from 'vitest';
import { ClusterPrimary } from '../../src/service/cluster-primary.js';
import { loadConfig } from '../../src/service/config.js';
import { Logs } from '../../src/service/logger.js';

// Node removes a worker from `cluster.workers` only once its process has exited AND its IPC
// channel has disconnected, whichever comes last. When a draining worker's 'exit' comes before
// its 'disconnect', the map still holds it (and maybe the other gone workers) at the last 'exit'.
// The primary used to finish its drain only when that map was empty at an 'exit': it then waited
// for the watchdog and exited 1 with "workers did not drain … 0 killed" (workers.test.ts, "SIGTERM:
// … the primary exits 0", about 1 run in 5 on a busy machine). These fake workers make that order
// happen every time: no timing involved.

class FakeWorker extends EventEmitter {
  static #next = 1000;
  readonly id = FakeWorker.#next++;
  readonly signals: string[] = [];
  readonly process = { pid: 40_000 + this.id, kill: (signal: string): boolean => (this.signals.push(signal), true) };
  isConnected(): boolean {
    return false;
  }
  send(): boolean {
    return false;
  }
}

afterEach(() => {
  vi.restoreAllMocks();
  cluster.removeAllListeners('listening');
  cluster.removeAllListeners('exit');
  for (const id of Object.keys(cluster.workers ?? {})) delete cluster.workers![id];
});

describe('the cluster primary drains workers whose exit comes before their disconnect', () => {
  test('exits 0 once every worker exited, though cluster.workers still lists them', async () => {
    const workers: FakeWorker[] = [];
    vi.spyOn(cluster, 'fork').mockImplementation(() => {
      const w = new FakeWorker();
      workers.push(w);
      cluster.workers![w.id] = w as unknown as Worker; // as node does at fork
      return w as unknown as Worker;
    });
    const result = loadConfig({
      HOST: '127.0.0.1',
      PORT: '0',
      METRICS_PORT: '0',
      WORKERS: '2',
      READINESS_DELAY_MS: '0',
      SHUTDOWN_TIMEOUT_MS: '100',
      LOG_LEVEL: 'silent',
    });
    if (!result.ok) throw new Error(result.problems.join('\n'));
    let exited: (code: number) => void = () => {};
    const exitCode = new Promise<number>((resolve) => (exited = resolve));
    const primary = new ClusterPrimary(result.config, 'FakeHandler', new Logs({ level: 'silent', accessLog: false, errorLogFile: null }), (code) => exited(code));

    const started = primary.start();
    await vi.waitFor(() => expect(workers).toHaveLength(2));
    for (const w of workers) cluster.emit('listening', w, { address: '127.0.0.1', port: 1, addressType: 4 });
    await started;
    expect(primary.ready).toBe(true);

    const done = primary.shutdown('SIGTERM');
    await vi.waitFor(() => expect(workers.map((w) => w.signals)).toEqual([['SIGTERM'], ['SIGTERM']]));
    // Both processes exit; neither IPC channel has disconnected yet, so node keeps both listed.
    for (const w of workers) cluster.emit('exit', w, 0, null);
    expect(Object.keys(cluster.workers!)).toHaveLength(2);
    expect(primary.workerPids).toEqual([]);

    // The drain finishes on those exits (the watchdog would say 1 after SHUTDOWN_TIMEOUT_MS + 5 s).
    expect(await exitCode).toBe(0);
    await done;
    expect(workers.every((w) => !w.signals.includes('SIGKILL'))).toBe(true);
  });
});
