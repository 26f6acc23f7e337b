import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { trace } from '@opentelemetry/api';
import { BasicTracerProvider } from '@opentelemetry/sdk-trace-base';
import { afterEach, describe, expect, it } from 'vitest';
import { doMethodNames, loadTracing } from '../../src/service/otel.js';
import { RawClient, request } from '../harness/client.js';
import { FIXTURES, runMain, type ServiceChild, startService } from '../fixtures/service/child.js';

// Issue 14, item 2: an optional OpenTelemetry server span per request.

const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const PARENT = '00f067aa0ba902b7';
const SERVER = 1; // SpanKind.SERVER
const ERROR = 2; // SpanStatusCode.ERROR

interface SpanJson {
  name: string;
  kind: number;
  traceId: string;
  spanId: string;
  traceFlags: number;
  parentSpanId: string | null;
  attributes: Record<string, unknown>;
  status: number;
}

let child: ServiceChild | null = null;
afterEach(async () => {
  await child?.stop();
  child = null;
});

async function spans(c: ServiceChild): Promise<SpanJson[]> {
  const r = await request(c.appPort, 'GET', '/spans');
  return (JSON.parse(r.body.toString()) as SpanJson[]).filter((s) => s.attributes['url.path'] !== '/spans');
}

describe('loadTracing', () => {
  it('is null when the API cannot be loaded, and while no provider is registered', async () => {
    expect(await loadTracing(() => Promise.reject(new Error('Cannot find package')))).toBeNull();
    expect(await loadTracing()).toBeNull();
  });

  it('gives a tracer once a provider is registered', async () => {
    trace.setGlobalTracerProvider(new BasicTracerProvider());
    try {
      const tracing = await loadTracing();
      expect(tracing).not.toBeNull();
      expect(typeof tracing!.tracer.startSpan).toBe('function');
    } finally {
      trace.disable();
    }
    expect(await loadTracing()).toBeNull();
  });

  it('finds the do_X methods of a handler class and its ancestors', () => {
    class A {
      do_GET(): void {}
      other(): void {}
    }
    class B extends A {
      do_POST(): void {}
    }
    expect(doMethodNames(B).sort()).toEqual(['do_GET', 'do_POST']);
  });
});

describe('server spans of the built service', () => {
  it('continues the traceparent, is active while do_X runs (across an await) and names the logs’ and the exemplar’s ids', async () => {
    child = await startService({ HANDLER_MODULE: './test/fixtures/service/otel-handler.mjs' });
    expect((await child.waitFor((x) => typeof x.msg === 'string' && x.msg.startsWith('listening on'))).openTelemetry).toBe(true);
    const r = await request(child.appPort, 'GET', '/active?x=1', { traceparent: `00-${TRACE}-${PARENT}-01`, tracestate: 'rojo=1' });
    expect(r.status).toBe(200);
    const seen = JSON.parse(r.body.toString()) as {
      active: { traceId: string; spanId: string } | null;
      traceContext: { traceId: string; spanId: string; traceFlags: string };
    };
    const rec = await child.waitFor((x) => x.msg === 'request completed' && x.requestId === r.headers['x-request-id']);
    // Scraped before GET /spans, whose own exemplar may take the same bucket.
    const om = await request(child.metricsPort, 'GET', '/metrics', { Accept: 'application/openmetrics-text' });
    const all = await spans(child);
    const server = all.find((s) => s.kind === SERVER)!;
    expect(server).toMatchObject({
      name: 'GET',
      traceId: TRACE,
      parentSpanId: PARENT,
      traceFlags: 1,
      attributes: { 'http.request.method': 'GET', 'url.path': '/active', 'http.response.status_code': 200 },
    });
    expect(server.attributes['http.route']).toBeUndefined();
    expect(seen.active).toMatchObject({ traceId: TRACE, spanId: server.spanId });
    expect(seen.traceContext).toEqual({ traceId: TRACE, spanId: server.spanId, traceFlags: '01' });
    expect([rec.trace_id, rec.span_id, rec.trace_flags]).toEqual([TRACE, server.spanId, '01']);
    // The exemplar names the span too.
    expect(om.body.toString()).toMatch(new RegExp(`^http_request_duration_seconds_bucket\\{[^}]*\\} \\d+ # \\{trace_id="${TRACE}",span_id="${server.spanId}"\\}`, 'm'));
    const childSpan = all.find((s) => s.name === 'child work')!;
    expect([childSpan.traceId, childSpan.parentSpanId]).toEqual([TRACE, server.spanId]);
  });

  it('names the span METHOD route when the handler matched a route, sets http.route, and one span for HEAD via do_GET', async () => {
    child = await startService({ HANDLER_MODULE: './test/fixtures/service/otel-handler.mjs' });
    await request(child.appPort, 'GET', '/users/42');
    await request(child.appPort, 'HEAD', '/users/7');
    const server = (await spans(child)).filter((s) => s.kind === SERVER);
    expect(server.map((s) => [s.name, s.attributes['http.route'], s.attributes['http.request.method'], s.attributes['url.path']])).toEqual([
      ['GET /users/:id', '/users/:id', 'GET', '/users/42'],
      ['HEAD /users/:id', '/users/:id', 'HEAD', '/users/7'],
    ]);
    // A fresh trace for requests without traceparent: the span is a root, the log has its ids.
    expect(server[0]!.parentSpanId).toBeNull();
    const rec = await child.waitFor((x) => x.msg === 'request completed' && x.req?.url === '/users/42');
    expect([rec.trace_id, rec.span_id]).toEqual([server[0]!.traceId, server[0]!.spanId]);
  });

  it('is off without a registered provider, though @opentelemetry/api is installed (a devDependency here)', async () => {
    child = await startService({ HANDLER_MODULE: './test/fixtures/service/test-handler.mjs' });
    expect((await child.waitFor((x) => typeof x.msg === 'string' && x.msg.startsWith('listening on'))).openTelemetry).toBe(false);
    expect((await request(child.appPort, 'GET', '/ok')).status).toBe(200);
  });

  it('serves, with trace context in its records, when @opentelemetry/api cannot be resolved at all (not installed)', async () => {
    const hide = `--import=${join(FIXTURES, 'without-otel.mjs')}`;
    // The preload does hide it: a handler module that imports the API cannot load.
    const r = runMain({ PORT: '0', METRICS_PORT: '0', NODE_OPTIONS: hide, HANDLER_MODULE: './test/fixtures/service/otel-handler.mjs' });
    expect([r.status, r.stderr]).toEqual([78, expect.stringContaining("Cannot find package '@opentelemetry/api' (hidden by without-otel.mjs)")]);

    child = await startService({ NODE_OPTIONS: hide, HANDLER_MODULE: './test/fixtures/service/test-handler.mjs' });
    expect((await child.waitFor((x) => typeof x.msg === 'string' && x.msg.startsWith('listening on'))).openTelemetry).toBe(false);
    const ok = await request(child.appPort, 'GET', '/ok', { traceparent: `00-${TRACE}-${PARENT}-01` });
    expect(ok.status).toBe(200);
    const rec = await child.waitFor((x) => x.msg === 'request completed' && x.requestId === ok.headers['x-request-id']);
    expect(rec.trace_id).toBe(TRACE);
  });

  it('ends the span of a request that got no response, and gives the next request on the connection its own', async () => {
    child = await startService({ HANDLER_MODULE: './test/fixtures/service/otel-handler.mjs' });
    const c = await RawClient.connect(child.appPort);
    c.send('GET /silent HTTP/1.1\r\nHost: x\r\n\r\nGET /users/5 HTTP/1.1\r\nHost: x\r\n\r\n');
    expect((await c.response()).status).toBe(200); // the second request's answer
    c.close();
    const server = (await spans(child)).filter((s) => s.kind === SERVER);
    expect(server.map((s) => [s.attributes['url.path'], s.attributes['http.response.status_code'], s.attributes['error.type'], s.status])).toEqual([
      ['/silent', undefined, 'no_response', ERROR],
      ['/users/5', 200, undefined, 0],
    ]);
    expect(server[0]!.spanId).not.toBe(server[1]!.spanId);
  });

  it('marks a 5xx as an error and keeps 4xx unset', async () => {
    child = await startService({ HANDLER_MODULE: './test/fixtures/service/otel-handler.mjs' });
    expect((await request(child.appPort, 'GET', '/boom')).status).toBe(500);
    expect((await request(child.appPort, 'GET', '/nope')).status).toBe(404);
    const server = (await spans(child)).filter((s) => s.kind === SERVER);
    expect(server.map((s) => [s.attributes['url.path'], s.attributes['http.response.status_code'], s.attributes['error.type'], s.status])).toEqual([
      ['/boom', 500, '500', ERROR],
      ['/nope', 404, undefined, 0],
    ]);
  });

  it('with a preloaded setup (node --import) names the example RouteHandler’s spans by its routes', async () => {
    const spansFile = join(mkdtempSync(join(tmpdir(), 'basehttp-otel-')), 'spans.jsonl');
    child = await startService({ NODE_OPTIONS: `--import=${join(FIXTURES, 'otel-preload.mjs')}`, OTEL_SPANS_FILE: spansFile });
    expect((await child.waitFor((x) => typeof x.msg === 'string' && x.msg.startsWith('listening on'))).openTelemetry).toBe(true);
    const hello = await request(child.appPort, 'GET', '/hello/otel', { traceparent: `00-${TRACE}-${PARENT}-01` });
    expect(hello.status).toBe(200);
    expect((await request(child.appPort, 'GET', '/no/such/route')).status).toBe(404);
    const rec = await child.waitFor((x) => x.msg === 'request completed' && x.requestId === hello.headers['x-request-id']);
    const read = (): SpanJson[] =>
      existsSync(spansFile)
        ? readFileSync(spansFile, 'utf8')
            .trim()
            .split('\n')
            .map((l) => JSON.parse(l) as SpanJson)
        : [];
    for (let i = 0; i < 50 && read().length < 2; i++) await new Promise((r) => setTimeout(r, 20));
    const server = read().filter((s) => s.kind === SERVER);
    expect(server.map((s) => [s.name, s.attributes['http.route'], s.attributes['http.response.status_code']])).toEqual([
      ['GET /hello/:name', '/hello/:name', 200],
      ['GET', undefined, 404],
    ]);
    expect([rec.route, rec.trace_id, rec.span_id]).toEqual(['/hello/:name', TRACE, server[0]!.spanId]);
    expect(server[0]!.parentSpanId).toBe(PARENT);
  });
});
