import { Registry, Counter } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { MetricsHandler } from '../../src/index.js';
import { request } from '../harness/client.js';
import { startServer } from '../harness/server.js';

async function serve(Handler: typeof MetricsHandler): Promise<number> {
  return (await startServer(Handler)).port;
}

class Quiet extends MetricsHandler {
  override logMessage(): void {}
}

describe('MetricsHandler as a library class', () => {
  it('serves the registry a subclass names, with its content type', async () => {
    const registry = new Registry();
    new Counter({ name: 'demo_total', help: 'A demo counter.', registers: [registry] }).inc(3);
    class Metrics extends Quiet {
      override registry = registry;
    }
    const port = await serve(Metrics);
    const r = await request(port, 'GET', '/metrics');
    expect(r.status).toBe(200);
    expect(r.headers['content-type']).toBe(registry.contentType);
    expect(r.headers['cache-control']).toBe('no-store');
    expect(r.body.toString()).toBe('# HELP demo_total A demo counter.\n# TYPE demo_total counter\ndemo_total 3\n');
    const head = await request(port, 'HEAD', '/metrics');
    expect([head.status, Number(head.headers['content-length']), head.body.length]).toEqual([200, r.body.length, 0]);
  });

  it('answers 404 on /metrics without a registry, and serves the probes', async () => {
    const port = await serve(Quiet);
    expect((await request(port, 'GET', '/metrics')).status).toBe(404);
    expect((await request(port, 'GET', '/healthz')).body.toString()).toBe('ok\n');
    expect((await request(port, 'GET', '/readyz')).body.toString()).toBe('ready\n');
  });

  it('takes its paths and readiness from the subclass', async () => {
    let ready = true;
    class Custom extends Quiet {
      override registry = new Registry();
      override metricsPath = '/internal/metrics';
      override readinessPath = '/ready';
      override isReady(): boolean {
        return ready;
      }
    }
    const port = await serve(Custom);
    expect((await request(port, 'GET', '/internal/metrics')).status).toBe(200);
    expect((await request(port, 'GET', '/metrics')).status).toBe(404);
    expect((await request(port, 'GET', '/ready')).status).toBe(200);
    ready = false;
    const r = await request(port, 'GET', '/ready');
    expect([r.status, r.body.toString()]).toEqual([503, 'shutting down\n']);
  });

  it('answers 500 when the registry fails', async () => {
    class Broken extends Quiet {
      override registry = { contentType: 'text/plain', metrics: () => Promise.reject(new Error('collector failed')) };
    }
    const { port, server } = await startServer(Broken); // a RecordingServer: handleError's errors in server.errors
    expect((await request(port, 'GET', '/metrics')).status).toBe(500);
    expect((server.errors[0] as Error).message).toBe('collector failed');
  });
});
