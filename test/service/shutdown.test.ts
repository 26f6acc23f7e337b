import { afterEach, describe, expect, it } from 'vitest';
import { get, RawClient, request, tryConnect } from '../harness/client.js';
import { type ServiceChild, startService } from '../fixtures/service/child.js';

const HANDLER = './test/fixtures/service/test-handler.mjs';

let child: ServiceChild | null = null;
afterEach(async () => {
  await child?.stop();
  child = null;
});

/** Resolves 'refused' (any connect error) or 'connected' for one connection attempt. */
async function connects(port: number): Promise<'refused' | 'connected'> {
  return (await tryConnect(port)) === 'connected' ? 'connected' : 'refused';
}

async function inFlight(c: ServiceChild): Promise<number> {
  const text = (await request(c.metricsPort, 'GET', '/metrics')).body.toString();
  return Number(/http_requests_in_flight\{handler="TestHandler"\} (\d+)/.exec(text)![1]);
}

describe('SIGTERM drains the service', () => {
  it('completes requests in flight, closes keep-alive connections, refuses new ones, exits 0', async () => {
    // A keep-alive timeout far beyond the test: only the drain can close the idle connection.
    child = await startService({ HANDLER_MODULE: HANDLER, KEEP_ALIVE_TIMEOUT_MS: '60000' });
    const port = child.appPort;
    const busy = await Promise.all(Array.from({ length: 5 }, () => RawClient.connect(port)));
    const idle = await RawClient.connect(port);
    get(idle, port, '/ok');
    expect((await idle.response()).headers.connection).toBeUndefined(); // kept alive
    // In flight until the test says so: each handler waits for a body sent only once the drain
    // has begun (not a /slow request that had to outlast the test's own steps).
    for (const c of busy) c.send(`POST /gate HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nContent-Length: 3\r\n\r\n`);
    while ((await inFlight(child)) < 5) await new Promise((r) => setTimeout(r, 20));

    child.signal('SIGTERM');
    // Logged in the turn that begins the drain (lifecycle.ts), so the bodies below arrive after it.
    await child.waitFor((x) => x.msg === 'draining connections');
    // The idle keep-alive connection is closed by the drain, the listener no longer accepts.
    await idle.closedByServer(10_000);
    expect(await connects(port)).toBe('refused');

    for (const c of busy) c.send('abc');
    const responses = await Promise.all(busy.map((c) => c.response()));
    for (const r of responses) {
      expect(r.status).toBe(200);
      expect(r.headers.connection).toBe('close');
      expect(r.body.toString()).toBe('3\n');
    }
    await Promise.all(busy.map((c) => c.closedByServer()));
    const { code } = await child.exited;
    expect(code).toBe(0);
    const done = await child.waitFor((x) => x.msg === 'shutdown complete');
    expect(done.level).toBe(30);
    expect(
      child
        .access()
        .filter((x) => x.req.url === '/gate')
        .map((x) => x.res.statusCode),
    ).toEqual([200, 200, 200, 200, 200]);
    expect(child.stderr).toEqual([]);
  });

  it('SIGINT does the same', async () => {
    child = await startService();
    child.signal('SIGINT');
    expect((await child.exited).code).toBe(0);
    const started = await child.waitFor((x) => typeof x.msg === 'string' && x.msg.includes('shutdown started'));
    expect(started.signal).toBe('SIGINT');
    await child.waitFor((x) => x.msg === 'shutdown complete');
  });

  it('answers /readyz 503 from the first signal and keeps serving during READINESS_DELAY_MS', async () => {
    // 5 s: the checks below must all fall inside the delay, even on a busy machine.
    child = await startService({ READINESS_DELAY_MS: '5000' });
    expect((await request(child.metricsPort, 'GET', '/readyz')).status).toBe(200);
    const t0 = performance.now();
    child.signal('SIGTERM');
    await child.waitFor((x) => typeof x.msg === 'string' && x.msg.includes('shutdown started'));
    const ready = await request(child.metricsPort, 'GET', '/readyz');
    expect([ready.status, ready.body.toString()]).toEqual([503, 'shutting down\n']);
    expect((await request(child.metricsPort, 'GET', '/healthz')).status).toBe(200);
    expect((await request(child.appPort, 'GET', '/')).status).toBe(200); // traffic still routed here is served
    expect((await child.exited).code).toBe(0);
    // The child's delay starts after t0; the 100 ms allow for its timer clock (libuv's cached,
    // whole-millisecond loop time), which is not this process's performance.now().
    expect(performance.now() - t0).toBeGreaterThanOrEqual(4_900);
  });
});

describe('a shutdown that cannot finish exits 1', () => {
  it('when SHUTDOWN_TIMEOUT_MS runs out, logging the connections cut', async () => {
    child = await startService({ HANDLER_MODULE: HANDLER, SHUTDOWN_TIMEOUT_MS: '500' });
    const c = await RawClient.connect(child.appPort);
    get(c, child.appPort, '/hang');
    while ((await inFlight(child)) < 1) await new Promise((r) => setTimeout(r, 20));
    const t0 = performance.now();
    child.signal('SIGTERM');
    const { code } = await child.exited;
    expect(code).toBe(1);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(450);
    const cut = await child.waitFor((x) => x.msg === 'shutdown timeout: 1 connection(s) cut', 'stderr');
    expect([cut.level, cut.listener, cut.connectionsCut]).toEqual([50, 'app', 1]);
    const summary = await child.waitFor((x) => typeof x.msg === 'string' && x.msg.startsWith('shutdown timed out after 500 ms'), 'stderr');
    expect(summary.connectionsCut).toBe(1);
    expect(child.stdout.some((x) => x.msg === 'shutdown complete')).toBe(false);
    await c.closedByServer();
  });

  it('on a second signal, at once, logging the connections cut', async () => {
    // A readiness delay (20 s) far longer than the bound below: only the second signal can end it.
    child = await startService({ HANDLER_MODULE: HANDLER, READINESS_DELAY_MS: '20000' });
    const c = await RawClient.connect(child.appPort);
    get(c, child.appPort, '/hang');
    while ((await inFlight(child)) < 1) await new Promise((r) => setTimeout(r, 20));
    child.signal('SIGTERM');
    await child.waitFor((x) => typeof x.msg === 'string' && x.msg.includes('shutdown started'));
    const t0 = performance.now();
    child.signal('SIGINT');
    const { code } = await child.exited;
    expect(code).toBe(1);
    expect(performance.now() - t0).toBeLessThan(10_000);
    const rec = await child.waitFor((x) => x.signal === 'SIGINT' && x.level === 50, 'stderr');
    expect(rec.msg).toBe('second signal SIGINT: exiting now, 1 connection(s) cut');
    expect(rec.connectionsCut).toBe(1);
  });
});

describe('a crash', () => {
  it('is logged as fatal, the pending access records are written, the exit code is 1', async () => {
    child = await startService({ HANDLER_MODULE: HANDLER });
    expect((await request(child.appPort, 'GET', '/crash')).status).toBe(200);
    const { code } = await child.exited;
    expect(code).toBe(1);
    const fatal = await child.waitFor((x) => x.level === 60, 'stderr');
    expect(fatal.msg).toBe('uncaught exception');
    expect(fatal.err.message).toBe('crash outside a request');
    expect(child.access().map((x) => x.req.url)).toEqual(['/crash']);
  });
});
