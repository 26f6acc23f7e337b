/**
 * The OpenMetrics exposition with exemplars, for scrapers that ask for it
 * (`Accept: application/openmetrics-text`).
 *
 * prom-client prints OpenMetrics and exemplars, but only from a registry whose content type is
 * OpenMetrics, and that registry's `metrics()` renames counters in place (drops `_total` from
 * the metric object's `name`): switching the service's registry between the two formats would
 * change the plain text format of every later scrape. So the plain format keeps its own registry,
 * untouched, and the OpenMetrics text is printed by prom-client from a throw-away OpenMetrics
 * registry over a snapshot of the values (`getMetricsAsJSON()`, as `AggregatorRegistry` does),
 * with each duration bucket's latest request attached as its exemplar.
 *
 * Exemplar labels: `trace_id` and `span_id` (39 characters of the 128 OpenMetrics allows);
 * value: the request's duration in seconds; timestamp: when it ended.
 */
import { type OpenMetricsContentType, Registry } from 'prom-client';
import type { MetricsJson } from './cluster-metrics.js';
import type { ExemplarRow } from './request-stats.js';

/** The metric whose buckets carry exemplars. */
export const EXEMPLAR_METRIC = 'http_request_duration_seconds';

/** Identifies a bucket of one series: the labels but `le`, sorted, then `le`. */
export function bucketKey(labels: Readonly<Record<string, unknown>>, le: unknown): string {
  let key = '';
  for (const name of Object.keys(labels).sort()) if (name !== 'le') key += `${name}=${String(labels[name])}\u0000`;
  return `${key}le=${String(le)}`;
}

/** One exemplar per bucket: the latest (by timestamp) of every set given. */
export function latestExemplars(sets: ReadonlyArray<readonly ExemplarRow[]>): ExemplarRow[] {
  const latest = new Map<string, ExemplarRow>();
  for (const rows of sets) {
    for (const row of rows) {
      const key = bucketKey(row.labels, row.le);
      const seen = latest.get(key);
      if (seen === undefined || row.timestampMs > seen.timestampMs) latest.set(key, row);
    }
  }
  return [...latest.values()];
}

/** The OpenMetrics text of `metrics` (a registry's `getMetricsAsJSON()`), with `exemplars` attached. */
export async function openMetricsText(metrics: MetricsJson, exemplars: readonly ExemplarRow[]): Promise<string> {
  const byBucket = new Map<string, ExemplarRow>();
  for (const row of exemplars) byBucket.set(bucketKey(row.labels, row.le), row);
  const bucketName = `${EXEMPLAR_METRIC}_bucket`;
  const registry = new Registry<OpenMetricsContentType>();
  registry.setContentType(Registry.OPENMETRICS_CONTENT_TYPE);
  for (const metric of metrics) {
    let values = metric.values;
    if (metric.name === EXEMPLAR_METRIC && byBucket.size > 0) {
      values = values.map((v) => {
        const labels = v.labels as Record<string, unknown>;
        const row = (v as { metricName?: string }).metricName === bucketName ? byBucket.get(bucketKey(labels, labels.le)) : undefined;
        if (row === undefined) return v;
        const exemplar = { labelSet: { trace_id: row.traceId, span_id: row.spanId }, value: row.seconds, timestamp: row.timestampMs / 1000 };
        return { ...v, exemplar } as typeof v;
      });
    }
    // prom-client appends `_total` to an OpenMetrics counter's samples itself.
    const name = String(metric.type) === 'counter' ? metric.name.replace(/_total$/, '') : metric.name;
    const data = { ...metric, name, values };
    registry.registerMetric({ name, type: metric.type, help: metric.help, get: () => data } as never);
  }
  return registry.metrics();
}
