/**
 * The cluster primary (`WORKERS` > 1): forks the workers, which serve the app on one shared
 * port (node:cluster hands them the connections), serves the metrics listener itself with the
 * workers' aggregated metrics, restarts crashed workers, and drains them all on SIGTERM/SIGINT.
 *
 * - Port: with `PORT=0` the primary picks a free port once and gives that concrete port to every
 *   worker (and to every replacement), so the port never changes while the primary lives.
 * - Restarts: a worker that exits while the primary is not shutting down is replaced after
 *   100 ms, doubling per consecutive crash up to 10 s; the delay resets when the worker that
 *   died had been up 30 s. Each restart is logged (error stream). A worker that dies before
 *   every first worker listened (a bind error…) stops the primary with exit 1.
 * - Readiness: `/readyz` is 200 while at least one worker listens and shutdown has not begun.
 * - Shutdown: the state machine of `shutdown.ts`, as in a single process, with the workers'
 *   steps. First signal: `/readyz` 503, `READINESS_DELAY_MS`, SIGTERM to every worker (each drains
 *   through `shutdown()`), wait for all of them, close the metrics listener, "shutdown complete",
 *   exit 0. Exit 1 if a worker's drain failed (exit code ≠ 0) or the workers did not all exit
 *   within `SHUTDOWN_TIMEOUT_MS` + `DRAIN_GRACE_MS` + `WORKER_EXIT_GRACE_MS` (5 s: then they are
 *   killed), or on a second signal (the workers are killed at once).
 */
import cluster, { type Worker } from 'node:cluster';
import net from 'node:net';
import { Counter } from 'prom-client';
import { ClusterMetrics } from './cluster-metrics.js';
import type { Config } from './config.js';
import type { Logs } from './logger.js';
import { metricsListener, processIds } from './metrics-listener.js';
import { ServiceMetrics } from './metrics.js';
import type { ServiceServer } from './service-server.js';
import { listenUrl, serverSettings } from './service.js';
import { type Cut, type DrainFailure, Shutdown, type ShutdownSteps, type ShutdownTimers, watchdogGraceMs } from './shutdown.js';
import { appScheme } from './tls-config.js';

/** The environment variable that tells a forked process it is a worker of this primary. */
export const WORKER_ENV = 'BASEHTTP_CLUSTER_WORKER';

export const RESTART_MIN_MS = 100;
export const RESTART_MAX_MS = 10_000;
export const RESTART_RESET_AFTER_MS = 30_000;

/** Delay before the `n`-th consecutive restart (n = 0, 1, …): 100 ms doubling, at most 10 s. */
export function restartDelayMs(n: number): number {
  return Math.min(RESTART_MAX_MS, RESTART_MIN_MS * 2 ** Math.min(n, 30));
}

/** A free TCP port on `host` (bound and released at once). */
export function freePort(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen({ host, port: 0, exclusive: true }, () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

/** The primary process of a `WORKERS` > 1 service. */
export class ClusterPrimary {
  readonly #config: Config;
  readonly #logs: Logs;
  readonly #handlerName: string;
  readonly #exit: (code: number) => void;
  readonly own = new ServiceMetrics({ defaultMetrics: false });
  readonly metrics: ClusterMetrics;
  readonly metricsServer: ServiceServer;
  readonly #restarts: Counter<string>;
  #port = 0;
  readonly #listening = new Set<number>();
  /**
   * Ids of the workers whose process has not exited. Not `cluster.workers`: node removes a worker
   * from it only once both its process exited and its IPC channel disconnected, in either order,
   * so on the last 'exit' the map can still hold workers that are gone (the drain then never
   * finished and the watchdog exited 1 with "0 killed": workers.test.ts, 1 run in ~5 under load).
   */
  readonly #alive = new Set<number>();
  readonly #startedAt = new Map<number, number>();
  readonly #timers = new Set<NodeJS.Timeout>();
  #consecutive = 0;
  #announced = false;
  #drainFailed = false;
  #startFailed = false;
  /** Resolves when the last worker has exited during the shutdown. */
  #allExited: (() => void) | null = null;
  /** The shutdown state machine (`shutdown.ts`) with the workers' steps. */
  readonly lifecycle: Shutdown;

  constructor(config: Config, handlerName: string, logs: Logs, exit: (code: number) => void = (c) => process.exit(c), timers?: ShutdownTimers) {
    this.#config = config;
    this.#logs = logs;
    this.#handlerName = handlerName;
    this.#exit = exit;
    this.metrics = new ClusterMetrics([this.own.registry], undefined, () => this.own.exemplars());
    this.#restarts = new Counter({
      name: 'cluster_worker_restarts_total',
      help: 'Workers the cluster primary replaced after they exited unexpectedly.',
      registers: [this.own.registry],
    });

    this.metricsServer = metricsListener(config, logs, serverSettings(config), {
      registry: this.metrics,
      isReady: () => this.ready,
      metrics: this.own,
      shared: processIds(),
    });
    this.lifecycle = new Shutdown({
      steps: this.#steps(),
      log: logs.log,
      flushLogs: () => logs.flushSync(),
      readinessDelayMs: config.READINESS_DELAY_MS,
      shutdownTimeoutMs: config.SHUTDOWN_TIMEOUT_MS,
      watchdogGraceMs: watchdogGraceMs(config.WORKERS),
      exit,
      timers,
    });
  }

  /** True while at least one worker listens and shutdown has not begun (`/readyz`). */
  get ready(): boolean {
    return this.lifecycle.ready && this.#listening.size > 0;
  }

  /** Pids of the live workers. */
  get workerPids(): number[] {
    return Object.values(cluster.workers ?? {}).flatMap((w) => (w === undefined || w.process.pid === undefined || !this.#alive.has(w.id) ? [] : [w.process.pid]));
  }

  /**
   * Binds the metrics listener, picks the app port, forks the workers; resolves once every
   * worker listens (then logs the startup line). Rejects on a bind error of the metrics
   * listener; exits 1 if a worker dies before all listened.
   */
  async start(): Promise<void> {
    await this.metricsServer.ready;
    void this.metricsServer.serveForever();
    this.#port = this.#config.PORT === 0 ? await freePort(this.#config.HOST) : this.#config.PORT;
    const all = new Promise<void>((resolve) => {
      cluster.on('listening', (worker) => {
        this.#listening.add(worker.id);
        if (!this.#announced && this.#listening.size >= this.#config.WORKERS) {
          this.#announced = true;
          resolve();
        }
      });
    });
    cluster.on('exit', (worker, code, signal) => this.#exited(worker, code, signal));
    for (let i = 0; i < this.#config.WORKERS; i++) this.#fork();
    this.metrics.startPolling();
    await all;
    const app = listenUrl([this.#config.HOST, this.#port], appScheme(this.#config));
    const metrics = listenUrl(this.metricsServer.serverAddress);
    const c = this.#config;
    this.#logs.log.info(
      {
        app,
        metrics,
        handler: this.#handlerName,
        node: process.version,
        workers: this.workerPids,
        settings: { ...c, MAX_CONNECTIONS: Number.isFinite(c.MAX_CONNECTIONS) ? c.MAX_CONNECTIONS : 'unlimited' },
      },
      `listening on ${app} (${this.#handlerName}, ${c.WORKERS} workers), metrics on ${metrics}`,
    );
  }

  /** Wires SIGTERM and SIGINT. */
  install(): void {
    this.lifecycle.install();
  }

  #fork(): Worker {
    const worker = cluster.fork({ [WORKER_ENV]: '1', PORT: String(this.#port) });
    this.#alive.add(worker.id);
    this.#startedAt.set(worker.id, Date.now());
    this.metrics.track(worker);
    return worker;
  }

  #exited(worker: Worker, code: number | null, signal: string | null): void {
    this.#listening.delete(worker.id);
    this.#alive.delete(worker.id);
    this.metrics.retire(worker);
    const upMs = Date.now() - (this.#startedAt.get(worker.id) ?? Date.now());
    this.#startedAt.delete(worker.id);
    const pid = worker.process.pid;
    const how = signal !== null ? `signal ${signal}` : `exit code ${code}`;
    if (!this.lifecycle.ready) {
      if (code !== 0) {
        this.#drainFailed = true;
        this.#logs.log.error({ worker: pid, code, signal }, `worker ${pid} did not drain cleanly (${how})`);
      }
      if (this.#allExited !== null && this.#alive.size === 0) this.#allExited();
      return;
    }
    if (!this.#announced) {
      if (this.#startFailed) return; // the workers killed below
      this.#startFailed = true;
      this.#logs.log.fatal({ worker: pid, code, signal }, `worker ${pid} exited (${how}) before the service was listening`);
      this.#killAll();
      this.#logs.flushSync();
      this.#exit(1);
      return;
    }
    if (upMs >= RESTART_RESET_AFTER_MS) this.#consecutive = 0;
    const delayMs = restartDelayMs(this.#consecutive++);
    this.#logs.log.error({ worker: pid, code, signal, upMs, restartInMs: delayMs }, `worker ${pid} exited (${how}) after ${upMs} ms: restarting in ${delayMs} ms`);
    const timer = setTimeout(() => {
      this.#timers.delete(timer);
      if (!this.lifecycle.ready) return;
      const next = this.#fork();
      this.#restarts.inc();
      this.#logs.log.error({ worker: next.process.pid, replaced: pid }, `worker ${next.process.pid} started, replacing ${pid}`);
    }, delayMs);
    this.#timers.add(timer);
  }

  /** A signal arrived: begin the shutdown, or, if it had begun, kill the workers and exit 1. */
  signal(signal: NodeJS.Signals): void {
    this.lifecycle.signal(signal);
  }

  /** The shutdown sequence (see the module comment). */
  shutdown(reason: string): Promise<void> {
    return this.lifecycle.shutdown(reason);
  }

  /** The workers' side of the shutdown. */
  #steps(): ShutdownSteps {
    return {
      stopping: () => {
        for (const t of this.#timers) clearTimeout(t);
        this.#timers.clear();
      },
      startedFields: () => ({ workers: this.workerPids }),
      drain: async (): Promise<DrainFailure | null> => {
        const workers = Object.values(cluster.workers ?? {}).filter((w): w is Worker => w !== undefined && this.#alive.has(w.id));
        this.#logs.log.info({ workers: this.workerPids }, `draining ${workers.length} worker(s)`);
        if (workers.length > 0) {
          const exited = new Promise<void>((resolve) => (this.#allExited = resolve));
          for (const w of workers) w.process.kill('SIGTERM');
          await exited;
        }
        this.metrics.stopPolling();
        await this.metricsServer.shutdown();
        this.metricsServer.serverClose();
        return this.#drainFailed ? { fields: {}, msg: 'shutdown finished: a worker did not drain cleanly' } : null;
      },
      cut: (): Cut => {
        const pids = this.workerPids;
        this.#killAll();
        return { fields: { workersKilled: pids }, text: `${pids.length} worker(s) killed` };
      },
    };
  }

  #killAll(): void {
    for (const w of Object.values(cluster.workers ?? {})) if (w !== undefined && this.#alive.has(w.id)) w.process.kill('SIGKILL');
  }
}
