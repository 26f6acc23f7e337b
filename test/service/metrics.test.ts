import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Histogram, Registry } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import { ServiceMetrics } from '../../src/service/metrics.js';
import type { RejectReason } from '../../src/socketserver/error-catalogue.js';
import { DURATION_BUCKETS, MAX_ROUTES, SIZE_BUCKETS } from '../../src/service/request-stats.js';
import { RawClient, request } from '../harness/client.js';
import { type ServiceChild, startService } from '../fixtures/service/child.js';

/** The text block of one metric family in an exposition. */
function family(text: string, name: string): string {
  return text
    .split('\n')
    .filter((l) => l.startsWith(`${name}_`) || l.startsWith(`${name}{`) || l.startsWith(`${name} `) || l === `# TYPE ${name} histogram`)
    .join('\n');
}

describe('ServiceMetrics (in process)', () => {
  it('prints the same histograms as prom-client’s own observe() would', async () => {
    const m = new ServiceMetrics({ defaultMetrics: false });
    const stats = m.listener('AppHandler', () => 3);
    const reference = new Registry();
    const labelNames = ['method', 'status_code', 'handler', 'route'];
    const refDuration = new Histogram({ name: 'http_request_duration_seconds', help: 'x', labelNames, buckets: [...DURATION_BUCKETS], registers: [reference] });
    const refReq = new Histogram({ name: 'http_request_size_bytes', help: 'x', labelNames, buckets: [...SIZE_BUCKETS], registers: [reference] });
    const refRes = new Histogram({ name: 'http_response_size_bytes', help: 'x', labelNames, buckets: [...SIZE_BUCKETS], registers: [reference] });
    const samples: Array<[string | null, number | null, string, number, number, number]> = [
      ['GET', 200, '/', 0.0001, 80, 150],
      ['GET', 200, '/', 0.0005, 80, 150], // exactly on a bound: counted in it (le)
      // Each differs from the one before in one label only (observe() reuses the last series).
      ['HEAD', 200, '/', 0.0001, 80, 0],
      ['HEAD', 304, '/', 0.0001, 80, 0],
      ['HEAD', 304, '/users', 0.0001, 80, 0],
      ['GET', 200, '/users/:id', 0.003, 100, 70_000],
      ['GET', 404, 'unmatched', 0.02, 90, 500],
      ['POST', 201, '/users', 12, 2_000_000, 20],
      ['BREW', 418, 'unmatched', 0.5, 64, 64], // an unknown method: label "other"
      [null, 400, 'unmatched', 0.0002, 30, 400], // refused before the method was known
      ['GET', null, '/', 1, 50, 0], // nothing sent
    ];
    for (const [method, status, route, s, req, res] of samples) {
      stats.observe(method, status, route, s, req, res);
      const labels = {
        method: method !== null && ['GET', 'HEAD', 'POST'].includes(method) ? method : 'other',
        status_code: status === null ? 'other' : String(status),
        handler: 'AppHandler',
        route,
      };
      refDuration.observe(labels, s);
      refReq.observe(labels, req);
      refRes.observe(labels, res);
    }
    const ours = await m.registry.metrics();
    const theirs = await reference.metrics();
    for (const name of ['http_request_duration_seconds', 'http_request_size_bytes', 'http_response_size_bytes']) {
      const a = family(ours, name).split('\n').sort();
      const b = family(theirs, name).split('\n').sort();
      expect(a.length).toBeGreaterThan(8 * 3);
      expect(a).toEqual(b);
    }
    // A second scrape shows the same totals (rebuilt, not added again).
    expect(await m.registry.metrics()).toBe(ours);
  });

  it('reports in-flight requests, connections and rejections', async () => {
    const m = new ServiceMetrics({ defaultMetrics: false });
    const stats = m.listener('AppHandler', () => 7);
    stats.inFlight = 2;
    stats.connectionsAccepted = 11;
    stats.reject('bad_request');
    stats.reject('bad_request');
    stats.reject('timeout');
    const text = await m.registry.metrics();
    expect(text).toContain('http_requests_in_flight{handler="AppHandler"} 2');
    expect(text).toContain('http_connections_open{handler="AppHandler"} 7');
    expect(text).toContain('http_connections_accepted_total{handler="AppHandler"} 11');
    expect(text).toContain('http_requests_rejected_total{handler="AppHandler",reason="bad_request"} 2');
    expect(text).toContain('http_requests_rejected_total{handler="AppHandler",reason="timeout"} 1');
    stats.reject('timeout');
    expect(await m.registry.metrics()).toContain('http_requests_rejected_total{handler="AppHandler",reason="timeout"} 2');
  });

  it('keeps the label set bounded', async () => {
    const m = new ServiceMetrics({ defaultMetrics: false });
    const stats = m.listener('H');
    for (let i = 0; i < 1000; i++) stats.observe(`M${i}`, 200, 'unrouted', 0.001, 1, 1);
    for (let i = 0; i < 1000; i++) stats.observe('GET', 1000 + i, 'unrouted', 0.001, 1, 1);
    // Reasons are a closed union (the catalogue's RejectReason); a JavaScript subclass may still set any string.
    for (let i = 0; i < 200; i++) stats.reject(`reason_${i}` as RejectReason);
    expect(stats.series).toHaveLength(2); // other/200 and GET/other
    expect(stats.rejected.size).toBeLessThanOrEqual(65);
    // Route values come from route tables; past MAX_ROUTES of them the rest count as `other`.
    for (let i = 0; i < MAX_ROUTES + 500; i++) stats.observe('GET', 200, `/r${i}`, 0.001, 1, 1);
    expect(stats.series).toHaveLength(2 + (MAX_ROUTES - 1) + 1); // 'unrouted' was the first route value
    expect(stats.series.at(-1)!.labels.route).toBe('other');
    // A route past the cap given twice in a row (observe() reuses the last series): still `other`.
    const other = stats.series.at(-1)!.values[0]!; // the count (COUNT is the first value)
    stats.observe('GET', 200, '/past-the-cap', 0.001, 1, 1);
    stats.observe('GET', 200, '/past-the-cap', 0.001, 1, 1);
    expect(stats.series).toHaveLength(2 + (MAX_ROUTES - 1) + 1);
    expect(stats.series.at(-1)!.values[0]).toBe(other + 2);
  });

  it('uses its own registry, never the global one', async () => {
    const { register } = await import('prom-client');
    const before = await register.metrics();
    const m = new ServiceMetrics();
    m.listener('X').observe('GET', 200, 'unrouted', 0.1, 1, 1);
    expect(await register.metrics()).toBe(before);
    expect(await m.registry.metrics()).toContain('process_cpu_user_seconds_total');
  });
});

describe('/metrics, /healthz, /readyz of the built entry point', () => {
  let child: ServiceChild | null = null;
  afterEach(async () => {
    await child?.stop();
    child = null;
  });

  it('serves the registry with its content type, GET and HEAD', async () => {
    child = await startService();
    for (let i = 0; i < 3; i++) await request(child.appPort, 'GET', '/');
    await request(child.appPort, 'POST', '/echo', { 'Content-Type': 'application/json' }, '{"a":1}');
    const r = await request(child.metricsPort, 'GET', '/metrics');
    expect(r.status).toBe(200);
    expect(r.headers['content-type']).toBe('text/plain; version=0.0.4; charset=utf-8');
    const text = r.body.toString();
    expect(text).toContain('http_request_duration_seconds_count{method="GET",status_code="200",handler="AppHandler",route="/"} 3');
    expect(text).toContain('http_request_duration_seconds_count{method="POST",status_code="200",handler="AppHandler",route="/echo"} 1');
    expect(text).toMatch(/http_request_size_bytes_sum\{method="POST",status_code="200",handler="AppHandler",route="\/echo"\} \d+/);
    expect(text).toContain('http_connections_accepted_total{handler="AppHandler"} 4');
    expect(text).toContain('http_connections_accepted_total{handler="MetricsHandler"} 1');
    expect(text).toContain('http_requests_in_flight{handler="MetricsHandler"} 1'); // this very scrape
    expect(text).toContain('http_requests_in_flight{handler="AppHandler"} 0');
    expect(text).toContain('process_resident_memory_bytes');
    expect(text).toContain('nodejs_eventloop_lag_seconds');
    const head = await request(child.metricsPort, 'HEAD', '/metrics');
    expect(head.status).toBe(200);
    expect(head.headers['content-type']).toBe('text/plain; version=0.0.4; charset=utf-8');
    expect(Number(head.headers['content-length'])).toBeGreaterThan(1000);
    expect((await request(child.metricsPort, 'GET', '/metrics?x=1')).status).toBe(200);
  });

  it('never labels by raw path', async () => {
    child = await startService();
    for (const p of ['/a', '/b', '/c/d?e=f', '/hello/x']) await request(child.appPort, 'GET', p);
    const text = (await request(child.metricsPort, 'GET', '/metrics')).body.toString();
    expect(text).not.toMatch(/\/c\/d|hello\/x|path=/);
    expect(text).toContain('http_request_duration_seconds_count{method="GET",status_code="404",handler="AppHandler",route="unmatched"} 3');
  });

  it('counts refused requests by reason and open connections', async () => {
    child = await startService({ MAX_HEADERS: '5' });
    const c = await RawClient.connect(child.appPort);
    expect((await request(child.appPort, 'GET', '/x'.repeat(40_000))).status).toBe(414);
    expect((await request(child.appPort, 'GET', '/', Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`X-H${i}`, 'v'])))).status).toBe(431);
    const bad = await RawClient.connect(child.appPort);
    bad.send('BROKEN\x01 / HTTP/1.1\r\nHost: x\r\n\r\n');
    expect((await bad.response()).status).toBe(400);
    bad.close();
    const text = (await request(child.metricsPort, 'GET', '/metrics')).body.toString();
    expect(text).toContain('http_requests_rejected_total{handler="AppHandler",reason="uri_too_long"} 1');
    expect(text).toContain('http_requests_rejected_total{handler="AppHandler",reason="headers_too_large"} 1');
    expect(text).toContain('http_requests_rejected_total{handler="AppHandler",reason="bad_request"} 1');
    expect(text).toMatch(/http_connections_open\{handler="AppHandler"\} [1-4]\n/); // `c` at least
    c.close();
  });

  it('counts connections refused over MAX_CONNECTIONS', async () => {
    child = await startService({ MAX_CONNECTIONS: '1' });
    const first = await RawClient.connect(child.appPort);
    const second = await RawClient.connect(child.appPort);
    expect((await second.response()).status).toBe(503);
    const text = (await request(child.metricsPort, 'GET', '/metrics')).body.toString();
    expect(text).toContain('http_requests_rejected_total{handler="AppHandler",reason="too_many_connections"} 1');
    first.close();
    second.close();
  });

  it('passes promtool check metrics', async (ctx) => {
    const which = spawnSync('promtool', ['--version'], { encoding: 'utf8' });
    if (which.error !== undefined) {
      ctx.skip(); // promtool (Debian package prometheus) is not installed
      return;
    }
    child = await startService();
    await request(child.appPort, 'GET', '/');
    await request(child.appPort, 'GET', '/nope');
    const bad = await RawClient.connect(child.appPort);
    bad.send('BROKEN\x01 / HTTP/1.1\r\nHost: x\r\n\r\n');
    await bad.response();
    bad.close();
    const text = (await request(child.metricsPort, 'GET', '/metrics')).body.toString();
    const dir = mkdtempSync(join(tmpdir(), 'basehttp-metrics-'));
    const promtool = (exposition: string): { status: number | null; output: string } => {
      const file = join(dir, 'metrics.txt');
      writeFileSync(file, exposition);
      const r = spawnSync('sh', ['-c', `promtool check metrics < ${file}`], { encoding: 'utf8' });
      return { status: r.status, output: r.stdout + r.stderr };
    };
    // prom-client's default metrics name three gauges `*_total`; promtool's lint flags exactly
    // those (kept: dashboards for Node.js expect these names). Everything else lints clean.
    const PROM_CLIENT_GAUGES = ['nodejs_active_handles_total', 'nodejs_active_requests_total', 'nodejs_active_resources_total'];
    const full = promtool(text);
    expect(full.output.trim().split('\n').sort()).toEqual(PROM_CLIENT_GAUGES.map((n) => `${n} non-counter metrics should not have "_total" suffix`));
    const withoutThem = text
      .split('\n')
      .filter((l) => !PROM_CLIENT_GAUGES.some((n) => l.startsWith(n) || l.startsWith(`# HELP ${n} `) || l.startsWith(`# TYPE ${n} `)))
      .join('\n');
    expect(withoutThem).toContain('http_request_duration_seconds_bucket');
    expect(withoutThem).toContain('http_requests_rejected_total{handler="AppHandler",reason="bad_request"} 1');
    expect(promtool(withoutThem)).toEqual({ status: 0, output: '' });
  });

  it('answers probes: /healthz 200, /readyz 200, anything else 404, other methods 501', async () => {
    child = await startService();
    const h = await request(child.metricsPort, 'GET', '/healthz');
    expect([h.status, h.body.toString()]).toEqual([200, 'ok\n']);
    const r = await request(child.metricsPort, 'GET', '/readyz');
    expect([r.status, r.body.toString()]).toEqual([200, 'ready\n']);
    expect((await request(child.metricsPort, 'HEAD', '/readyz')).status).toBe(200);
    expect((await request(child.metricsPort, 'GET', '/')).status).toBe(404);
    expect((await request(child.metricsPort, 'GET', '/metricsx')).status).toBe(404);
    expect((await request(child.metricsPort, 'POST', '/metrics', {}, '')).status).toBe(501);
  });
});
