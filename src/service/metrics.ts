/**
 * The service's Prometheus metrics: a registry of its own (never prom-client's global one, so two
 * services in one process, or tests, never collide), Node's default metrics, and the HTTP
 * metrics of each listener.
 *
 * The HTTP metrics are recorded per request into {@link RequestStats} (typed arrays, no labels
 * hashed) and moved into the prom-client metrics by their `collect()` hooks, which prom-client
 * calls on each scrape. Every scrape rebuilds them from the running totals, so nothing is
 * counted twice and nothing is lost between scrapes.
 *
 * | metric | type | labels |
 * |---|---|---|
 * | `http_request_duration_seconds` | histogram | method, status_code, handler, route |
 * | `http_request_size_bytes` | histogram | method, status_code, handler, route |
 * | `http_response_size_bytes` | histogram | method, status_code, handler, route |
 * | `http_requests_in_flight` | gauge | handler |
 * | `http_connections_open` | gauge | handler |
 * | `http_connections_accepted_total` | counter | handler |
 * | `http_requests_rejected_total` | counter | handler, reason |
 * | `log_lines_dropped_total` | counter | — |
 *
 * `http_request_duration_seconds` carries exemplars (the trace id of each bucket's latest
 * request) in the OpenMetrics exposition only (`openMetrics()`, `open-metrics.ts`); the plain
 * text format (`metrics()`) is prom-client's, unchanged.
 */
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { MetricsJson } from './cluster-metrics.js';
import type { MetricsSource } from './metrics-handler.js';
import { openMetricsText } from './open-metrics.js';
import { DURATION_BUCKETS, type ExemplarRow, type HistogramRow, RequestStats, SIZE_BUCKETS } from './request-stats.js';

/** The parts of prom-client's histogram state that `fillHistogram` writes (prom-client 15). */
interface HistogramEntry {
  labels: object;
  bucketValues: Record<number, number>;
  sum: number;
  count: number;
}

/**
 * Replaces a prom-client histogram's data with `rows`: `zero()` creates each label set through
 * the public API, then its bucket counts, sum and count are set (prom-client keeps per-bucket,
 * non-cumulative counts and accumulates them when it prints). Tested against prom-client's own
 * output in test/service/metrics.test.ts.
 */
function fillHistogram(histogram: Histogram<string>, bounds: readonly number[], rows: readonly HistogramRow[]): void {
  histogram.reset();
  const byLabels = new Map<object, HistogramRow>();
  for (const row of rows) {
    histogram.zero(row.labels);
    byLabels.set(row.labels, row);
  }
  const state = (histogram as unknown as { hashMap: Record<string, HistogramEntry> }).hashMap;
  for (const entry of Object.values(state)) {
    const row = byLabels.get(entry.labels);
    if (row === undefined) continue;
    for (let i = 0; i < bounds.length; i++) entry.bucketValues[bounds[i]!] = row.buckets[i]!;
    entry.sum = row.sum;
    entry.count = row.count;
  }
}

/**
 * The registry and the per-listener counters it reads at scrape time. A {@link MetricsSource}:
 * `MetricsHandler` serves it in either format.
 */
export class ServiceMetrics implements MetricsSource {
  /** The registry `/metrics` serves. */
  readonly registry: Registry;
  readonly #stats: RequestStats[] = [];
  /** Log lines lost to a failed stdout (`Logs.linesDropped`), read at scrape time. */
  logLinesDropped: () => number = () => 0;

  constructor(options: { defaultMetrics?: boolean } = {}) {
    const registry = new Registry();
    this.registry = registry;
    if (options.defaultMetrics !== false) collectDefaultMetrics({ register: registry });
    const all = this.#stats;
    const labelNames = ['method', 'status_code', 'handler', 'route'] as const;

    const histogram = (name: string, help: string, buckets: readonly number[], which: Parameters<RequestStats['rows']>[0]): void => {
      new Histogram({
        name,
        help,
        labelNames,
        buckets: [...buckets],
        registers: [registry],
        collect() {
          fillHistogram(
            this,
            buckets,
            all.flatMap((s) => s.rows(which)),
          );
        },
      });
    };
    histogram('http_request_duration_seconds', 'Time from the complete request head to the complete response, in seconds.', DURATION_BUCKETS, 'duration');
    histogram('http_request_size_bytes', 'Bytes of each request read (head and body).', SIZE_BUCKETS, 'requestSize');
    histogram('http_response_size_bytes', 'Bytes of each response written (status line, headers, body).', SIZE_BUCKETS, 'responseSize');

    new Gauge({
      name: 'http_requests_in_flight',
      help: 'Requests received whose response is not complete yet.',
      labelNames: ['handler'],
      registers: [registry],
      collect() {
        for (const s of all) this.set({ handler: s.handler }, s.inFlight);
      },
    });
    new Gauge({
      name: 'http_connections_open',
      help: 'Client connections open now.',
      labelNames: ['handler'],
      registers: [registry],
      collect() {
        for (const s of all) this.set({ handler: s.handler }, s.connectionsOpen());
      },
    });
    new Counter({
      name: 'http_connections_accepted_total',
      help: 'Client connections accepted.',
      labelNames: ['handler'],
      registers: [registry],
      collect() {
        this.reset();
        for (const s of all) this.inc({ handler: s.handler }, s.connectionsAccepted);
      },
    });
    const self = this;
    new Counter({
      name: 'log_lines_dropped_total',
      help: 'Log lines (access records, info records) lost because stdout failed for good (EPIPE, EBADF); a full pipe blocks instead.',
      registers: [registry],
      collect() {
        this.reset();
        this.inc(self.logLinesDropped());
      },
    });
    new Counter({
      name: 'http_requests_rejected_total',
      help: 'Requests (or connections) refused by the server before the handler saw them, by reason.',
      labelNames: ['handler', 'reason'],
      registers: [registry],
      collect() {
        this.reset();
        for (const s of all) for (const [reason, n] of s.rejected) this.inc({ handler: s.handler, reason }, n);
      },
    });
  }

  /** The plain text format's content type (prom-client's). */
  get contentType(): string {
    return this.registry.contentType;
  }

  /** The plain text exposition: prom-client's, as it always was. */
  metrics(): Promise<string> {
    return this.registry.metrics();
  }

  /** The OpenMetrics exposition, with exemplars on `http_request_duration_seconds`. */
  async openMetrics(): Promise<string> {
    const json = (await this.registry.getMetricsAsJSON()) as MetricsJson;
    return openMetricsText(json, this.exemplars());
  }

  /** Each duration bucket's latest request, over every listener (scrape time). */
  exemplars(): ExemplarRow[] {
    return this.#stats.flatMap((s) => s.exemplarRows());
  }

  /**
   * The counters of a new listener whose handler class is `handler`; `connectionsOpen` is read
   * at scrape time. Two listeners with the same handler name share their counters.
   */
  listener(handler: string, connectionsOpen?: () => number): RequestStats {
    const existing = this.#stats.find((s) => s.handler === handler);
    if (existing !== undefined) return existing;
    const stats = new RequestStats(handler, connectionsOpen);
    this.#stats.push(stats);
    return stats;
  }
}
