import { EventEmitter } from 'node:events';
import type { Worker } from 'node:cluster';
import { Registry } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import { TraceContext } from '../../src/http/trace-context.js';
import { MetricsHandler } from '../../src/index.js';
import { OPENMETRICS_CONTENT_TYPE, prefersOpenMetrics } from '../../src/service/metrics-handler.js';
import { ClusterMetrics } from '../../src/service/cluster-metrics.js';
import { ServiceMetrics } from '../../src/service/metrics.js';
import { latestExemplars } from '../../src/service/open-metrics.js';
import { get, RawClient, request } from '../harness/client.js';
import { startServer } from '../harness/server.js';
import { type ServiceChild, startService } from '../fixtures/service/child.js';

// Issue 14, item 3: exemplars on http_request_duration_seconds in the OpenMetrics exposition
// only; the plain text format unchanged.

/** What Prometheus 2.42 sends (scrape/scrape.go, acceptHeader). */
const PROMETHEUS_ACCEPT = 'application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1';
const TRACE_A = '4bf92f3577b34da6a3ce929d0e0e4736';
const TRACE_B = '5bf92f3577b34da6a3ce929d0e0e4737';
const EXEMPLAR = /^http_request_duration_seconds_bucket\{([^}]*)\} \d+ # \{trace_id="([0-9a-f]{32})",span_id="([0-9a-f]{16})"\} (\S+) (\S+)$/gm;

/** The exemplars of an OpenMetrics text: labels, trace id, span id, value, timestamp. */
function exemplars(text: string): Array<{ labels: string; traceId: string; spanId: string; value: number; timestamp: number }> {
  return [...text.matchAll(EXEMPLAR)].map((m) => ({ labels: m[1]!, traceId: m[2]!, spanId: m[3]!, value: Number(m[4]), timestamp: Number(m[5]) }));
}

function record(m: ServiceMetrics, status: number, seconds: number, traceId: string, spanId = '00f067aa0ba902b7'): void {
  const stats = m.listener('AppHandler');
  stats.observe('GET', status, 'unrouted', seconds, 80, 100);
  stats.exemplar(new TraceContext(traceId, spanId, '01', null), performance.now());
}

describe('exemplars in process', () => {
  it('leaves the plain text format byte for byte as without them, before and after an OpenMetrics scrape', async () => {
    const plain = new ServiceMetrics({ defaultMetrics: false });
    const withExemplars = new ServiceMetrics({ defaultMetrics: false });
    for (const m of [plain, withExemplars]) {
      m.listener('AppHandler').connectionsAccepted = 2;
      m.listener('AppHandler').reject('timeout');
    }
    plain.listener('AppHandler').observe('GET', 200, 'unrouted', 0.0008, 80, 100);
    plain.listener('AppHandler').observe('GET', 404, 'unrouted', 12, 80, 100);
    record(withExemplars, 200, 0.0008, TRACE_A);
    record(withExemplars, 404, 12, TRACE_B);
    const before = await withExemplars.metrics();
    expect(before).toBe(await plain.metrics());
    expect(before).not.toContain('trace_id');
    await withExemplars.openMetrics();
    expect(await withExemplars.metrics()).toBe(before); // counters keep their `_total` names
    expect(withExemplars.contentType).toBe('text/plain; version=0.0.4; charset=utf-8');
  });

  it('puts each bucket’s latest request on that bucket, with a timestamp that stays put', async () => {
    const m = new ServiceMetrics({ defaultMetrics: false });
    const t0 = Date.now() / 1000;
    record(m, 200, 0.0008, TRACE_A);
    record(m, 200, 0.0009, TRACE_B, 'b7ad6b7169203331'); // same bucket, later: replaces A
    record(m, 200, 0.003, TRACE_A);
    record(m, 404, 12, TRACE_B); // beyond the last bound: the +Inf bucket
    const text = await m.openMetrics();
    expect(text.endsWith('# EOF\n')).toBe(true);
    expect(text).toContain('# TYPE http_connections_accepted counter\nhttp_connections_accepted_total{handler="AppHandler"} 0');
    const found = exemplars(text);
    expect(found.map(({ labels, traceId, spanId, value }) => [labels, traceId, spanId, value])).toEqual([
      ['le="0.001",method="GET",status_code="200",handler="AppHandler",route="unrouted"', TRACE_B, 'b7ad6b7169203331', 0.0009],
      ['le="0.005",method="GET",status_code="200",handler="AppHandler",route="unrouted"', TRACE_A, '00f067aa0ba902b7', 0.003],
      ['le="+Inf",method="GET",status_code="404",handler="AppHandler",route="unrouted"', TRACE_B, '00f067aa0ba902b7', 12],
    ]);
    for (const e of found) expect(Math.abs(e.timestamp - t0)).toBeLessThan(5);
    await new Promise((r) => setTimeout(r, 20));
    expect(exemplars(await m.openMetrics())).toEqual(found);
  });

  it('merges exemplar sets keeping the latest per bucket', () => {
    const labels = { method: 'GET', status_code: '200', handler: 'H' };
    const row = (traceId: string, le: number | '+Inf', timestampMs: number) => ({ labels, le, traceId, spanId: '00f067aa0ba902b7', seconds: 0.001, timestampMs });
    const merged = latestExemplars([
      [row(TRACE_A, 0.001, 10), row(TRACE_A, '+Inf', 30)],
      [row(TRACE_B, 0.001, 20), row(TRACE_B, '+Inf', 5)],
    ]);
    expect(merged.map((r) => [r.le, r.traceId])).toEqual([
      [0.001, TRACE_B],
      ['+Inf', TRACE_A],
    ]);
  });
});

/** A cluster worker as the primary sees it, answering metrics requests with `metrics`' values and exemplars. */
class AnsweringWorker extends EventEmitter {
  constructor(
    readonly id: number,
    readonly metrics: ServiceMetrics,
  ) {
    super();
  }
  isConnected(): boolean {
    return true;
  }
  send(message: { id: number }, callback: (err: Error | null) => void): boolean {
    void this.metrics.registry.getMetricsAsJSON().then((values) => {
      callback(null);
      this.emit('message', { type: 'basehttp:metrics-answer', id: message.id, metrics: values, exemplars: this.metrics.exemplars() });
    });
    return true;
  }
}

describe('exemplars in the cluster primary', () => {
  it('shows each worker’s exemplars, and a retired worker’s after it exited', async () => {
    const [m1, m2] = [new ServiceMetrics({ defaultMetrics: false }), new ServiceMetrics({ defaultMetrics: false })];
    record(m1, 200, 0.0008, TRACE_A);
    record(m2, 404, 12, TRACE_B);
    const primary = new ClusterMetrics([]);
    const [w1, w2] = [new AnsweringWorker(1, m1), new AnsweringWorker(2, m2)];
    primary.track(w1 as unknown as Worker);
    primary.track(w2 as unknown as Worker);
    const shown = async (): Promise<string[]> => exemplars(await primary.openMetrics()).map((e) => `${e.traceId} ${e.value}`);
    const live = await shown();
    expect(live).toEqual([`${TRACE_A} 0.0008`, `${TRACE_B} 12`]);
    primary.retire(w1 as unknown as Worker);
    // Its series now comes from the retired set, after the live worker's.
    expect((await shown()).sort()).toEqual(live);
    // The plain format of the aggregate has none.
    expect(await primary.metrics()).not.toContain(' # {');
  });
});

describe('content negotiation', () => {
  it.each([
    [PROMETHEUS_ACCEPT, true],
    // Prometheus 3 (docker-compose.yml's image): escaping parameters, and protobuf first with native histograms on.
    [
      'application/openmetrics-text;version=1.0.0;escaping=allow-utf-8;q=0.5,application/openmetrics-text;version=0.0.1;q=0.4,text/plain;version=1.0.0;escaping=allow-utf-8;q=0.3,text/plain;version=0.0.4;q=0.2,*/*;q=0.1',
      true,
    ],
    [
      'application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited;q=0.6,application/openmetrics-text;version=1.0.0;escaping=allow-utf-8;q=0.5,application/openmetrics-text;version=0.0.1;q=0.4,text/plain;version=1.0.0;escaping=allow-utf-8;q=0.3,text/plain;version=0.0.4;q=0.2,*/*;q=0.1',
      true,
    ],
    ['application/openmetrics-text', true],
    ['application/openmetrics-text; version=0.0.1', true],
    ['application/openmetrics-text;version=1.0.0;q=0.5,text/plain;version=0.0.4;q=0.3', true],
    ['text/plain;q=0.9,application/openmetrics-text;q=0.5', false],
    ['application/openmetrics-text;version=2.0.0', false],
    ['application/openmetrics-text;q=0', false],
    ['*/*', false],
    ['text/plain', false],
    ['', false],
  ])('Accept %j → OpenMetrics %s', (accept, om) => {
    expect(prefersOpenMetrics(accept)).toBe(om);
  });

  it('MetricsHandler serves openMetrics() when the source has it and the scraper prefers it', async () => {
    const source = { contentType: 'text/plain; version=0.0.4; charset=utf-8', metrics: async () => 'plain\n', openMetrics: async () => 'om\n# EOF\n' };
    class M extends MetricsHandler {
      override registry = source;
      override logMessage(): void {}
    }
    const { port, close } = await startServer(M);
    try {
      const om = await request(port, 'GET', '/metrics', { Accept: PROMETHEUS_ACCEPT });
      expect([om.headers['content-type'], om.headers.vary, om.body.toString()]).toEqual([OPENMETRICS_CONTENT_TYPE, 'Accept', 'om\n# EOF\n']);
      const plain = await request(port, 'GET', '/metrics');
      expect([plain.headers['content-type'], plain.headers.vary, plain.body.toString()]).toEqual([source.contentType, 'Accept', 'plain\n']);
      const head = await request(port, 'HEAD', '/metrics', { Accept: 'application/openmetrics-text' });
      expect([head.headers['content-type'], head.headers['content-length'], head.body.length]).toEqual([OPENMETRICS_CONTENT_TYPE, '9', 0]);
    } finally {
      await close();
    }
  });
});

describe('exemplars from the built service', () => {
  let child: ServiceChild | null = null;
  afterEach(async () => {
    await child?.stop();
    child = null;
  });

  it('WORKERS=1: the trace id of a request is an exemplar when Prometheus scrapes, absent from the plain format', async () => {
    child = await startService();
    const r = await request(child.appPort, 'GET', '/', { traceparent: `00-${TRACE_A}-00f067aa0ba902b7-01` });
    const rec = await child.waitFor((x) => x.msg === 'request completed' && x.requestId === r.headers['x-request-id']);
    const om = await request(child.metricsPort, 'GET', '/metrics', { Accept: PROMETHEUS_ACCEPT });
    expect(om.headers['content-type']).toBe(OPENMETRICS_CONTENT_TYPE);
    const text = om.body.toString();
    expect(text.endsWith('# EOF\n')).toBe(true);
    const mine = exemplars(text).filter((e) => e.traceId === TRACE_A);
    expect(mine).toHaveLength(1);
    expect(mine[0]!.spanId).toBe(rec.span_id);
    expect(mine[0]!.labels).toMatch(/method="GET",status_code="200",handler="AppHandler"/);
    expect(Math.abs(mine[0]!.value * 1000 - (rec.responseTime as number))).toBeLessThan(0.002);
    const plain = await request(child.metricsPort, 'GET', '/metrics');
    expect(plain.headers['content-type']).toBe('text/plain; version=0.0.4; charset=utf-8');
    expect(plain.body.toString()).not.toContain(' # {');
    expect(plain.body.toString()).toContain('http_request_duration_seconds_count{method="GET",status_code="200",handler="AppHandler",route="/"} 1');
  });

  it("WORKERS=1: a request without traceparent is its bucket's exemplar with the ids of its record (a fresh trace, kept as bytes)", async () => {
    child = await startService();
    const r = await request(child.appPort, 'GET', '/');
    const rec = await child.waitFor((x) => x.msg === 'request completed' && x.requestId === r.headers['x-request-id']);
    // More fresh traces than one random pool holds (682), so the first one's bytes would be
    // overwritten if anything still read them from the pool.
    const c = await RawClient.connect(child.appPort);
    for (let i = 0; i < 1000; i += 100) {
      for (let j = 0; j < 100; j++) get(c, child.appPort, '/other');
      for (let j = 0; j < 100; j++) await c.response();
    }
    c.close();
    const om = await request(child.metricsPort, 'GET', '/metrics', { Accept: PROMETHEUS_ACCEPT });
    const mine = exemplars(om.body.toString()).filter((e) => e.traceId === rec.trace_id);
    expect(mine.map((e) => e.spanId)).toEqual([rec.span_id]);
    expect(mine[0]!.labels).toMatch(/route="\/"/);
  });

  it('WORKERS=2: the primary serves the exemplars of both workers', async () => {
    child = await startService({ WORKERS: '2', HANDLER_MODULE: './test/fixtures/workers/pid-handler.mjs' });
    const port = child.appPort;
    // Two keep-alive connections served by different workers (node:cluster hands them out in turn).
    const pinned: Array<{ c: RawClient; pid: number }> = [];
    for (let i = 0; i < 10 && new Set(pinned.map((p) => p.pid)).size < 2; i++) {
      const c = await RawClient.connect(port);
      get(c, port, '/pid');
      pinned.push({ c, pid: Number((await c.response()).body.toString()) });
    }
    const a = pinned[0]!;
    const b = pinned.find((p) => p.pid !== a.pid)!;
    expect(b).toBeDefined();
    // The primary keeps a bucket's latest exemplar by wall-clock ms, which each worker works out
    // to about 1 ms: a pause keeps b's last /pid (same series, maybe same bucket) clearly earlier.
    await new Promise((r) => setTimeout(r, 20));
    get(a.c, port, '/pid', { traceparent: `00-${TRACE_A}-00f067aa0ba902b7-01` });
    expect(Number((await a.c.response()).body.toString())).toBe(a.pid);
    // Over 1 s: the 2.5 s bucket, which no quick request shares.
    get(b.c, port, '/slow?ms=1100', { traceparent: `00-${TRACE_B}-00f067aa0ba902b7-01` });
    expect(Number((await b.c.response()).body.toString())).toBe(b.pid);
    for (const p of pinned) p.c.close();
    const text = (await request(child.metricsPort, 'GET', '/metrics', { Accept: PROMETHEUS_ACCEPT })).body.toString();
    const found = exemplars(text);
    const ea = found.find((e) => e.traceId === TRACE_A);
    const eb = found.find((e) => e.traceId === TRACE_B);
    expect(ea?.labels).toMatch(/status_code="200",handler="PidHandler"/);
    expect(ea!.value).toBeLessThan(1);
    expect(eb?.labels).toMatch(/le="2.5"/);
    // Not >= 1.1: a timer fires up to ~1 ms before its delay by performance.now() (libuv's loop
    // time is cached), and a run measured 1.0999 s.
    expect(eb!.value).toBeGreaterThan(1);
    const spans = await Promise.all(
      [TRACE_A, TRACE_B].map(async (t) => (await child!.waitFor((x) => x.msg === 'request completed' && x.trace_id === t)).span_id as string),
    );
    expect([ea!.spanId, eb!.spanId]).toEqual(spans);
    // The plain format of the aggregate has none.
    expect((await request(child.metricsPort, 'GET', '/metrics')).body.toString()).not.toContain(' # {');
  });
});

describe('the OpenMetrics content type', () => {
  it("is prom-client's (MetricsHandler spells it out so that it loads no prom-client code)", () => {
    expect(OPENMETRICS_CONTENT_TYPE).toBe(Registry.OPENMETRICS_CONTENT_TYPE);
  });
});
