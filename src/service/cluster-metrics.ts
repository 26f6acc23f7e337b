/**
 * Metrics of a cluster: each worker answers the primary's requests with its own registry's
 * values (`getMetricsAsJSON()`), the primary sums them with prom-client's
 * `AggregatorRegistry.aggregate()` and serves the result on its metrics listener.
 *
 * Counters never go backwards in what the primary serves: every answer a worker gives is kept
 * as that worker's "last values"; a worker that does not answer in time is counted with its
 * last values; when a worker exits, the counters and histograms of its last values (not its
 * gauges) are added for good to a "retired" set that every later scrape includes. A worker is
 * thus always counted exactly once: live (its last answer) or retired. What a dead worker
 * counted after its last answer is lost (the primary also asks every `pollMs`, 5 s by default,
 * so that is at most a few seconds of counts), but nothing that was ever served goes away.
 *
 * Exemplars: `AggregatorRegistry` drops them (prometheus/client_js#740), so each answer also
 * carries the worker's exemplars (each duration bucket's latest request), kept like its last
 * values (a dead worker's join the retired set); the OpenMetrics exposition shows, per bucket,
 * the latest exemplar of all workers (`open-metrics.ts`).
 */
import type { Worker } from 'node:cluster';
import { AggregatorRegistry, type MetricObjectWithValues, type MetricValue, Registry } from 'prom-client';
import type { MetricsSource } from './metrics-handler.js';
import { latestExemplars, openMetricsText } from './open-metrics.js';
import type { ExemplarRow } from './request-stats.js';

/** One registry's values, as `Registry.getMetricsAsJSON()` returns them. */
export type MetricsJson = MetricObjectWithValues<MetricValue<string>>[];

const REQUEST = 'basehttp:metrics-request';
const ANSWER = 'basehttp:metrics-answer';

interface MetricsRequest {
  readonly type: typeof REQUEST;
  readonly id: number;
}
interface MetricsAnswer {
  readonly type: typeof ANSWER;
  readonly id: number;
  readonly metrics: MetricsJson;
  /** The worker's exemplars (absent from a worker of an older build). */
  readonly exemplars?: ExemplarRow[];
}

function isMessage<T extends { type: string }>(m: unknown, type: T['type']): m is T {
  return typeof m === 'object' && m !== null && (m as { type?: unknown }).type === type;
}

/**
 * In a worker: registers the worker's registries with `AggregatorRegistry.setRegistries()`
 * (never the global registry) and answers the primary's metrics requests with their values
 * and `exemplars()`.
 */
export function answerMetricsRequests(registries: readonly Registry[], exemplars: () => ExemplarRow[] = () => []): void {
  AggregatorRegistry.setRegistries([...registries]);
  process.on('message', (message: unknown) => {
    if (!isMessage<MetricsRequest>(message, REQUEST)) return;
    void Promise.all(registries.map((r) => r.getMetricsAsJSON())).then((all) => {
      const answer: MetricsAnswer = { type: ANSWER, id: message.id, metrics: all.flat() as MetricsJson, exemplars: exemplars() };
      // The callback takes a failed write (the primary gone): no 'error' event, no crash.
      if (process.connected) process.send?.(answer, undefined, undefined, ignoreSendError);
    });
  });
}

/** A worker's answer that could not be written: the primary is gone, nothing is left to tell. */
function ignoreSendError(): void {}

function labelKey(v: MetricValue<string>): string {
  const labels = v.labels as Record<string, unknown>;
  const keys = Object.keys(labels).sort();
  return `${(v as { metricName?: string }).metricName ?? ''}|${keys.map((k) => `${k}=${String(labels[k])}`).join(',')}`;
}

/** Adds `b`'s values to `a`'s, by metric name and label set (synchronous; counters and histograms). */
export function sumMetrics(a: MetricsJson, b: MetricsJson): MetricsJson {
  const byName = new Map<string, { metric: MetricObjectWithValues<MetricValue<string>>; values: Map<string, MetricValue<string>> }>();
  for (const metric of [...a, ...b]) {
    let entry = byName.get(metric.name);
    if (entry === undefined) {
      entry = { metric, values: new Map() };
      byName.set(metric.name, entry);
    }
    for (const v of metric.values) {
      const key = labelKey(v);
      const prev = entry.values.get(key);
      entry.values.set(key, prev === undefined ? { ...v } : { ...prev, value: prev.value + v.value });
    }
  }
  return [...byName.values()].map(({ metric, values }) => ({ ...metric, values: [...values.values()] }));
}

/** The counters and histograms of `metrics` (what is kept of a dead worker). */
export function monotonicOnly(metrics: MetricsJson): MetricsJson {
  return metrics.filter((m) => String(m.type) === 'counter' || String(m.type) === 'histogram');
}

/** What the primary serves on `/metrics`: the sum over live workers, retired workers and its own registries. */
export class ClusterMetrics implements MetricsSource {
  readonly contentType: string = Registry.PROMETHEUS_CONTENT_TYPE;
  /** Last values of each live worker, by `worker.id`. */
  readonly #last = new Map<number, MetricsJson>();
  /** Exemplars of each live worker's last answer, and of the retired workers. */
  readonly #lastExemplars = new Map<number, ExemplarRow[]>();
  #retiredExemplars: ExemplarRow[] = [];
  readonly #workers = new Map<number, Worker>();
  #retired: MetricsJson = [];
  /** Open requests by request id: the worker asked and how to settle the request. */
  readonly #pending = new Map<number, { workerId: number; done: (answer: MetricsAnswer | null) => void }>();
  #nextId = 1;
  readonly #own: readonly Registry[];
  readonly #ownExemplars: () => ExemplarRow[];
  readonly #timeoutMs: number;
  #poll: NodeJS.Timeout | null = null;

  /**
   * @param own the primary's own registries (e.g. its metrics listener's HTTP metrics)
   * @param timeoutMs how long a scrape waits for a worker's answer before using its last values
   * @param ownExemplars the primary's own exemplars
   */
  constructor(own: readonly Registry[], timeoutMs = 1_000, ownExemplars: () => ExemplarRow[] = () => []) {
    this.#own = own;
    this.#timeoutMs = timeoutMs;
    this.#ownExemplars = ownExemplars;
  }

  /** Starts counting `worker` (call right after `cluster.fork()`). */
  track(worker: Worker): void {
    this.#workers.set(worker.id, worker);
    this.#last.set(worker.id, []);
    this.#lastExemplars.set(worker.id, []);
    worker.on('message', (message: unknown) => {
      if (!isMessage<MetricsAnswer>(message, ANSWER)) return;
      const pending = this.#pending.get(message.id);
      if (pending === undefined) return;
      this.#pending.delete(message.id);
      pending.done(message);
    });
    // A worker that dies does not answer: settle its requests now rather than at the timeout.
    const abandon = (): void => {
      for (const [id, p] of this.#pending) {
        if (p.workerId !== worker.id) continue;
        this.#pending.delete(id);
        p.done(null);
      }
    };
    worker.on('disconnect', abandon);
    worker.on('exit', abandon);
  }

  /** `worker` exited: its last counters and histograms join the retired set, its gauges go. */
  retire(worker: Worker): void {
    const last = this.#last.get(worker.id);
    if (last === undefined) return;
    this.#last.delete(worker.id);
    this.#workers.delete(worker.id);
    this.#retired = sumMetrics(this.#retired, monotonicOnly(last));
    this.#retiredExemplars = latestExemplars([this.#retiredExemplars, this.#lastExemplars.get(worker.id) ?? []]);
    this.#lastExemplars.delete(worker.id);
  }

  /** Asks every worker each `pollMs` (unref'd), so a crash loses little. */
  startPolling(pollMs = 5_000): void {
    this.#poll = setInterval(() => void this.refresh(), pollMs);
    this.#poll.unref();
  }

  stopPolling(): void {
    if (this.#poll !== null) clearInterval(this.#poll);
    this.#poll = null;
  }

  /** Asks every live worker for its values; a worker's answer replaces its last values. */
  async refresh(): Promise<void> {
    await Promise.all(
      [...this.#workers.values()].map(async (worker) => {
        const answer = await this.#ask(worker);
        if (answer !== null && this.#last.has(worker.id)) {
          this.#last.set(worker.id, answer.metrics);
          this.#lastExemplars.set(worker.id, answer.exemplars ?? []);
        }
      }),
    );
  }

  /** The aggregated registry: live workers' last values + retired + the primary's own. */
  async registry(): Promise<Registry> {
    return (await this.#snapshot()).registry;
  }

  /** The aggregated registry and the latest exemplar per bucket, read at the same moment. */
  async #snapshot(): Promise<{ registry: Registry; exemplars: ExemplarRow[] }> {
    await this.refresh();
    const own = (await Promise.all(this.#own.map((r) => r.getMetricsAsJSON()))) as MetricsJson[];
    // Read after the last await: each worker is counted once, live or retired.
    const parts: MetricsJson[] = [...this.#last.values(), this.#retired, ...own].filter((p) => p.length > 0);
    const exemplars = latestExemplars([...this.#lastExemplars.values(), this.#retiredExemplars, this.#ownExemplars()]);
    return { registry: AggregatorRegistry.aggregate(parts as never), exemplars };
  }

  async metrics(): Promise<string> {
    return (await this.registry()).metrics();
  }

  /** The OpenMetrics exposition of the aggregate, with the workers' exemplars. */
  async openMetrics(): Promise<string> {
    const { registry, exemplars } = await this.#snapshot();
    return openMetricsText((await registry.getMetricsAsJSON()) as MetricsJson, exemplars);
  }

  #ask(worker: Worker): Promise<MetricsAnswer | null> {
    if (!worker.isConnected()) return Promise.resolve(null);
    const id = this.#nextId++;
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.#pending.delete(id);
        resolve(null);
      }, this.#timeoutMs);
      const done = (answer: MetricsAnswer | null): void => {
        this.#pending.delete(id);
        clearTimeout(timer);
        resolve(answer);
      };
      this.#pending.set(id, { workerId: worker.id, done });
      try {
        // With a callback, a failed write (EPIPE: the worker died between isConnected() and the
        // write) is reported to it; without one node emits 'error' on the worker, which nothing
        // handles, and the primary died of an uncaught exception (test/service/cluster-metrics-send.test.ts).
        worker.send({ type: REQUEST, id } satisfies MetricsRequest, (err) => {
          if (err !== null) done(null);
        });
      } catch {
        done(null);
      }
    });
  }
}
