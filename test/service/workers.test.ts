/**
 * WORKERS > 1: the built entry point runs as a node:cluster primary with worker processes
 * (child processes, real sockets on 127.0.0.1, ports chosen by the OS).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { availableCores, cgroupCpuQuota, parseCfs, parseCpuMax } from '../../src/service/cluster-cores.js';
import { monotonicOnly, sumMetrics } from '../../src/service/cluster-metrics.js';
import { restartDelayMs } from '../../src/service/cluster-primary.js';
import { loadConfig } from '../../src/service/config.js';
import { get, RawClient, request } from '../harness/client.js';
import { runMain, type ServiceChild, startService } from '../fixtures/service/child.js';

const HANDLER = './test/fixtures/workers/pid-handler.mjs';

let child: ServiceChild | null = null;
afterEach(async () => {
  // Kills the primary; its workers exit when their IPC channel closes.
  await child?.stop();
  child = null;
});

async function pidOf(port: number): Promise<number> {
  const r = await request(port, 'GET', '/pid');
  expect(r.status).toBe(200);
  return Number(r.body.toString());
}

/** A keep-alive connection and the pid of the worker that serves it. */
async function pinned(port: number): Promise<{ c: RawClient; pid: number }> {
  const c = await RawClient.connect(port);
  get(c, port, '/pid');
  const r = await c.response();
  return { c, pid: Number(r.body.toString()) };
}

/** Counter and histogram samples of an exposition text, by sample line (name + labels). */
function monotonicSamples(text: string): Map<string, number> {
  const kinds = new Map<string, string>();
  for (const m of text.matchAll(/^# TYPE (\S+) (\S+)$/gm)) kinds.set(m[1]!, m[2]!);
  const out = new Map<string, number>();
  for (const m of text.matchAll(/^([a-zA-Z_:][\w:]*)(\{[^}]*\})? (\S+)$/gm)) {
    const name = m[1]!;
    const base = name.replace(/_(bucket|sum|count)$/, '');
    const kind = kinds.get(name) ?? kinds.get(base);
    if (kind === 'counter' || kind === 'histogram') out.set(name + (m[2] ?? ''), Number(m[3]));
  }
  return out;
}

async function scrape(c: ServiceChild): Promise<string> {
  const r = await request(c.metricsPort, 'GET', '/metrics');
  expect(r.status).toBe(200);
  return r.body.toString();
}

function appRequests(text: string): number {
  return [...text.matchAll(/^http_request_duration_seconds_count\{[^}]*handler="PidHandler"[^}]*\} (\S+)$/gm)].reduce((n, m) => n + Number(m[1]), 0);
}

/** The app's requests in flight, summed over the workers. */
function inFlight(text: string): number {
  return [...text.matchAll(/^http_requests_in_flight\{[^}]*handler="PidHandler"[^}]*\} (\S+)$/gm)].reduce((n, m) => n + Number(m[1]), 0);
}

/**
 * Scrapes until `ok(text)` holds (at most `timeoutMs`), returning the last text. The primary
 * gives each worker 1 s to answer, then uses that worker's previous values: on a busy machine a
 * single scrape may be a little behind.
 */
async function scrapeUntil(c: ServiceChild, ok: (text: string) => boolean, timeoutMs = 10_000): Promise<string> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const text = await scrape(c);
    if (ok(text) || performance.now() >= deadline) return text;
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Everything the service wrote, for a failure message. */
function outputOf(c: ServiceChild): string {
  return `stdout:\n${c.stdout.map((r) => r.raw).join('\n')}\nstderr:\n${c.stderr.map((r) => r.raw).join('\n')}`;
}

/** A POST that its worker answers (with its pid) only once the test sends the one-byte body. */
function postGate(c: RawClient, port: number): void {
  c.send(`POST /gate HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nContent-Length: 1\r\n\r\n`);
}

describe('WORKERS config', () => {
  it('exits 78 naming WORKERS for a bad value', () => {
    for (const bad of ['abc', '0', '65', '-1', '2.5']) {
      const r = runMain({ WORKERS: bad, PORT: '0', METRICS_PORT: '0', HOST: '127.0.0.1' });
      expect(r.status).toBe(78);
      expect(r.stderr).toBe(`config error: WORKERS=${JSON.stringify(bad)}: expected an integer from 1 to 64, or "auto"\n`);
    }
  });

  it('parses 1..64, default 1, and auto as the available cores', () => {
    const cfg = (w?: string) => {
      const r = loadConfig(w === undefined ? {} : { WORKERS: w });
      if (!r.ok) throw new Error(r.problems.join('\n'));
      return r.config.WORKERS;
    };
    expect([cfg(), cfg(''), cfg('1'), cfg('64'), cfg(' 3 ')]).toEqual([1, 1, 1, 64, 3]);
    expect(cfg('auto')).toBe(Math.min(64, availableCores()));
    expect(cfg('AUTO')).toBeGreaterThanOrEqual(1);
  });

  it('auto: the available parallelism capped by the cgroup quota', () => {
    expect(parseCpuMax('max 100000\n')).toBeNull();
    expect(parseCpuMax('150000 100000\n')).toBe(1.5);
    expect(parseCfs('-1', '100000')).toBeNull();
    expect(parseCfs('200000\n', '100000\n')).toBe(2);
    expect(availableCores(8, null)).toBe(8);
    expect(availableCores(8, 1.5)).toBe(2);
    expect(availableCores(2, 4)).toBe(2);
    expect(availableCores(8, 0.25)).toBe(1);
    expect(cgroupCpuQuota('/nonexistent')).toBeNull();
  });

  it('restarts back off from 100 ms, doubling, up to 10 s', () => {
    expect([0, 1, 2, 3, 6, 7, 8, 50].map(restartDelayMs)).toEqual([100, 200, 400, 800, 6400, 10_000, 10_000, 10_000]);
  });

  it('keeps only counters and histograms of a dead worker and sums them by labels', () => {
    const counter = (v: number) => ({ name: 'c_total', help: 'h', type: 'counter', aggregator: 'sum', values: [{ labels: { a: '1' }, value: v }] });
    const gauge = { name: 'g', help: 'h', type: 'gauge', aggregator: 'sum', values: [{ labels: {}, value: 5 }] };
    const kept = monotonicOnly([counter(2), gauge] as never);
    expect(kept.map((m) => m.name)).toEqual(['c_total']);
    const sum = sumMetrics(kept, [counter(3)] as never);
    expect(sum[0]!.values).toEqual([{ labels: { a: '1' }, value: 5 }]);
  });
});

describe('WORKERS=1', () => {
  it('runs without a cluster: the process that logs the startup line serves', async () => {
    child = await startService({ HANDLER_MODULE: HANDLER });
    const line = child.stdout.find((r) => typeof r.msg === 'string' && r.msg.startsWith('listening on'))!;
    expect(line.workers).toBeUndefined();
    expect(line.settings.WORKERS).toBe(1);
    expect(await pidOf(child.appPort)).toBe(child.proc.pid);
  });
});

describe('WORKERS=2', () => {
  it('spreads requests over both workers; the primary serves the probes and aggregated metrics', async () => {
    child = await startService({ HANDLER_MODULE: HANDLER, WORKERS: '2' });
    const line = child.stdout.find((r) => typeof r.msg === 'string' && r.msg.startsWith('listening on'))!;
    expect(line.pid).toBe(child.proc.pid);
    expect(line.workers).toHaveLength(2);
    expect(child.appPort).toBeGreaterThan(0);
    const pids = new Set<number>();
    for (let i = 0; i < 20; i++) pids.add(await pidOf(child.appPort));
    expect([...pids].sort()).toEqual([...(line.workers as number[])].sort());
    expect(pids.has(child.proc.pid!)).toBe(false);
    // The access records come from the workers (pino's pid field).
    await child.waitFor(() => child!.access().length >= 20);
    expect(new Set(child.access().map((r) => r.pid))).toEqual(pids);

    expect((await request(child.metricsPort, 'GET', '/healthz')).status).toBe(200);
    expect((await request(child.metricsPort, 'GET', '/readyz')).status).toBe(200);
    const text = await scrapeUntil(child, (t) => appRequests(t) === 20);
    expect(appRequests(text)).toBe(20); // summed over both workers
    expect(text).toMatch(/^cluster_worker_restarts_total 0$/m);
    expect(child.stderr).toEqual([]);
  });

  it('replaces a killed worker; requests in flight on the other worker complete', async () => {
    child = await startService({ HANDLER_MODULE: HANDLER, WORKERS: '2' });
    const workers = child.stdout.find((r) => typeof r.msg === 'string' && r.msg.startsWith('listening on'))!.workers as number[];
    // Keep-alive connections pinned to each worker (a connection stays on the worker that accepted it).
    const conns: Array<{ c: RawClient; pid: number }> = [];
    for (let i = 0; i < 40 && new Set(conns.map((x) => x.pid)).size < 2; i++) conns.push(await pinned(child.appPort));
    for (let i = 0; i < 4; i++) conns.push(await pinned(child.appPort));
    const victim = workers[0]!;
    const survivor = workers[1]!;
    const onSurvivor = conns.filter((x) => x.pid === survivor);
    const onVictim = conns.filter((x) => x.pid === victim);
    expect(onSurvivor.length).toBeGreaterThan(0);
    expect(onVictim.length).toBeGreaterThan(0);

    // The victim's requests outlast any test (cut by the kill); the survivor's wait for a body
    // sent only after the victim is gone, so they are in flight across the kill.
    for (const { c, pid } of conns) {
      if (pid === victim) get(c, child.appPort, '/slow?ms=60000');
      else postGate(c, child.appPort);
    }
    const results = conns.map(({ c, pid }) =>
      c.response(false, 30_000).then(
        (r) => ({ pid, status: r.status, body: r.body.toString() }),
        () => ({ pid, status: 0, body: '' }),
      ),
    );
    expect(inFlight(await scrapeUntil(child, (t) => inFlight(t) === conns.length))).toBe(conns.length);
    process.kill(victim, 'SIGKILL');

    const restart = await child.waitFor((r) => typeof r.msg === 'string' && r.msg.startsWith(`worker ${victim} exited`), 'stderr', 20_000);
    for (const { c } of onSurvivor) c.send('x');
    const done = await Promise.all(results);
    for (const r of done.filter((x) => x.pid === survivor)) expect(r).toEqual({ pid: survivor, status: 200, body: `${survivor}\n` });
    for (const r of done.filter((x) => x.pid === victim)) expect(r.status).toBe(0); // cut with its process
    for (const { c } of conns) c.close();

    expect(restart.level).toBe(50);
    expect(restart.signal).toBe('SIGKILL');
    expect(restart.restartInMs).toBe(100);
    const started = await child.waitFor((r) => typeof r.replaced === 'number' && r.replaced === victim, 'stderr', 20_000);
    const replacement = started.worker as number;
    expect(workers).not.toContain(replacement);
    // The replacement serves: within a bounded number of requests it answers one.
    await child.waitFor((r) => r.pid === replacement && typeof r.msg === 'string' && r.msg.includes('listening on'), 'stdout', 20_000);
    const seen = new Set<number>();
    for (let i = 0; i < 40 && !seen.has(replacement); i++) seen.add(await pidOf(child.appPort));
    expect(seen.has(replacement)).toBe(true);
    expect(seen.has(victim)).toBe(false);
    expect((await request(child.metricsPort, 'GET', '/readyz')).status).toBe(200);
    expect(await scrape(child)).toMatch(/^cluster_worker_restarts_total 1$/m);
  }, 60_000);

  it('never shows a counter going backwards across a worker kill', async () => {
    child = await startService({ HANDLER_MODULE: HANDLER, WORKERS: '2' });
    const c = child;
    const workers = c.stdout.find((r) => typeof r.msg === 'string' && r.msg.startsWith('listening on'))!.workers as number[];
    for (let i = 0; i < 30; i++) await pidOf(c.appPort);
    const before = await scrapeUntil(c, (t) => appRequests(t) === 30);
    expect(appRequests(before)).toBe(30);

    // Scrape continuously while a worker is killed, replaced, and traffic goes on.
    const scrapes: string[] = [before];
    let stop = false;
    const scraper = (async () => {
      while (!stop || scrapes.length < 12) scrapes.push(await scrape(c));
    })();
    process.kill(workers[0]!, 'SIGKILL');
    await c.waitFor((r) => typeof r.replaced === 'number', 'stderr');
    for (let i = 0; i < 20; i++) await pidOf(c.appPort);
    stop = true;
    await scraper;
    scrapes.push(await scrape(c));

    expect(scrapes.length).toBeGreaterThan(12);
    let prev = monotonicSamples(scrapes[0]!);
    for (const text of scrapes.slice(1)) {
      const next = monotonicSamples(text);
      for (const [sample, value] of prev) {
        expect.soft(next.get(sample), sample).toBeGreaterThanOrEqual(value);
      }
      prev = next;
    }
    // The dead worker's requests are still counted: at least the 30 before plus the 20 after.
    expect(appRequests(scrapes.at(-1)!)).toBeGreaterThanOrEqual(50);
  });

  it('SIGTERM: /readyz 503, the workers drain requests in flight, the primary exits 0', async () => {
    child = await startService({ HANDLER_MODULE: HANDLER, WORKERS: '2', READINESS_DELAY_MS: '500' });
    const workers = child.stdout.find((r) => typeof r.msg === 'string' && r.msg.startsWith('listening on'))!.workers as number[];
    const conns: Array<{ c: RawClient; pid: number }> = [];
    for (let i = 0; i < 40 && new Set(conns.map((x) => x.pid)).size < 2; i++) conns.push(await pinned(child.appPort));
    // In flight until the drain has begun in both workers: each waits for a body sent after it.
    for (const { c } of conns) postGate(c, child.appPort);
    const results = Promise.all(conns.map(({ c }) => c.response(false, 30_000)));
    expect(inFlight(await scrapeUntil(child, (t) => inFlight(t) === conns.length))).toBe(conns.length);

    child.signal('SIGTERM');
    const primary = child.proc.pid;
    await child.waitFor((r) => r.pid === primary && typeof r.msg === 'string' && r.msg.includes('shutdown started'));
    expect((await request(child.metricsPort, 'GET', '/readyz')).status).toBe(503);
    expect((await request(child.metricsPort, 'GET', '/healthz')).status).toBe(200);
    for (const w of workers) await child.waitFor((r) => r.pid === w && r.msg === 'draining connections', 'stdout', 20_000);
    for (const { c } of conns) c.send('x');

    const responses = await results;
    for (const [i, r] of responses.entries()) {
      expect(r.status).toBe(200);
      expect(r.headers.connection).toBe('close');
      expect(r.body.toString()).toBe(`${conns[i]!.pid}\n`);
    }
    expect(new Set(conns.map((x) => x.pid))).toEqual(new Set(workers));
    expect((await child.exited).code, outputOf(child)).toBe(0);
    const done = await child.waitFor((r) => r.pid === primary && r.msg === 'shutdown complete');
    expect(done.level).toBe(30);
    for (const w of workers) await child.waitFor((r) => r.pid === w && r.msg === 'shutdown complete');
    expect(child.stderr).toEqual([]);
  }, 60_000);
});
