/**
 * Issue 14: a real Prometheus (Debian's `prometheus` package, 2.42 here; `.ci/run` installs it)
 * scrapes the built service with the flags and scrape config that docker-compose.yml ships, and
 * its API shows the trace id of a request as an exemplar. Skipped only when the `prometheus`
 * binary is absent.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { request } from '../harness/client.js';
import { ROOT, type ServiceChild, startService } from '../fixtures/service/child.js';

const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const hasPrometheus = spawnSync('prometheus', ['--version'], { encoding: 'utf8' }).error === undefined;

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

let child: ServiceChild | null = null;
let prometheus: ChildProcess | null = null;
let dir: string | null = null;
afterEach(async () => {
  if (prometheus !== null && prometheus.exitCode === null) {
    const exited = new Promise((r) => prometheus!.once('exit', r));
    prometheus.kill('SIGTERM');
    await exited;
  }
  prometheus = null;
  await child?.stop();
  child = null;
  if (dir !== null) rmSync(dir, { recursive: true, force: true });
  dir = null;
});

describe('Prometheus stores the service’s exemplars', () => {
  it.skipIf(!hasPrometheus).each(['1', '2'])(
    'WORKERS=%s: shows a request’s trace id in /api/v1/query_exemplars',
    async (workers) => {
      // The flags of docker-compose.yml's prometheus service.
      const compose = parse(readFileSync(join(ROOT, 'docker-compose.yml'), 'utf8')) as { services: { prometheus: { command: string[] } } };
      const flags = compose.services.prometheus.command;
      expect(flags).toContain('--enable-feature=exemplar-storage');
      // deploy/prometheus/prometheus.yml, pointed at this test's service, scraping every second.
      const config = parse(readFileSync(join(ROOT, 'deploy/prometheus/prometheus.yml'), 'utf8')) as {
        global: Record<string, string>;
        scrape_configs: Array<{ job_name: string; static_configs: Array<{ targets: string[] }> }>;
      };
      child = await startService({ WORKERS: workers });
      config.global.scrape_interval = '1s';
      config.global.scrape_timeout = '1s';
      const job = config.scrape_configs.find((j) => j.job_name === 'basehttp')!;
      job.static_configs[0]!.targets = [`127.0.0.1:${child.metricsPort}`];
      config.scrape_configs = [job];
      dir = mkdtempSync(join(tmpdir(), 'basehttp-prometheus-'));
      writeFileSync(join(dir, 'prometheus.yml'), stringify(config));

      const r = await request(child.appPort, 'GET', '/', { traceparent: `00-${TRACE}-00f067aa0ba902b7-01` });
      expect(r.status).toBe(200);
      const rec = await child.waitFor((x) => x.msg === 'request completed' && x.requestId === r.headers['x-request-id']);

      const port = await freePort();
      const args = flags
        .filter((f) => !f.startsWith('--config.file=') && !f.startsWith('--storage.tsdb.path='))
        .concat([
          `--config.file=${join(dir, 'prometheus.yml')}`,
          `--storage.tsdb.path=${join(dir, 'data')}`,
          `--web.listen-address=127.0.0.1:${port}`,
          '--log.level=warn',
        ]);
      prometheus = spawn('prometheus', args, { stdio: ['ignore', 'ignore', 'pipe'] });
      let stderr = '';
      prometheus.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));

      const query = new URLSearchParams({
        query: 'http_request_duration_seconds_bucket{job="basehttp"}',
        start: String(Date.now() / 1000 - 600),
        end: String(Date.now() / 1000 + 600),
      });
      const deadline = Date.now() + 60_000;
      let last = '';
      for (;;) {
        expect(prometheus.exitCode, stderr).toBeNull();
        try {
          const res = await fetch(`http://127.0.0.1:${port}/api/v1/query_exemplars?${query}`);
          last = await res.text();
          // 503 "Service Unavailable" (plain text) while Prometheus starts up: poll again
          if (res.ok) {
            const body = JSON.parse(last) as {
              status: string;
              data: Array<{ seriesLabels: Record<string, string>; exemplars: Array<{ labels: Record<string, string>; value: string }> }>;
            };
            const found = body.data?.flatMap((s) => s.exemplars.filter((e) => e.labels.trace_id === TRACE).map((e) => ({ series: s.seriesLabels, e })));
            if (found !== undefined && found.length > 0) {
              expect(found[0]!.e.labels.span_id).toBe(rec.span_id);
              expect(found[0]!.series).toMatchObject({ job: 'basehttp', method: 'GET', status_code: '200', handler: 'AppHandler' });
              break;
            }
          }
        } catch (e) {
          if (!(e instanceof TypeError)) throw e; // fetch failed: not listening yet
        }
        if (Date.now() > deadline) throw new Error(`no exemplar with trace id ${TRACE} in Prometheus within 60 s; last answer: ${last}\n${stderr}`);
        await new Promise((res) => setTimeout(res, 500));
      }
    },
    90_000,
  );
});
