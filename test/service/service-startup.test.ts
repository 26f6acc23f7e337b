import { spawnSync } from 'node:child_process';
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { request } from '../harness/client.js';
import { runMain, type ServiceChild, startService } from '../fixtures/service/child.js';

let child: ServiceChild | null = null;
afterEach(async () => {
  await child?.stop();
  child = null;
});

describe('the entry point starts', () => {
  it('logs one startup line with both real addresses and the settings', async () => {
    child = await startService({ LOG_LEVEL: 'info', MAX_BODY_BYTES: '1000' });
    const line = child.stdout[0]!;
    expect(child.stdout).toHaveLength(1);
    expect(line.level).toBe(30);
    expect(line.msg).toBe(`listening on http://127.0.0.1:${child.appPort} (AppHandler), metrics on http://127.0.0.1:${child.metricsPort}`);
    expect(child.appPort).toBeGreaterThan(0);
    expect(child.metricsPort).toBeGreaterThan(0);
    expect(child.appPort).not.toBe(child.metricsPort);
    expect(line.handler).toBe('AppHandler');
    expect(line.settings).toMatchObject({ PORT: 0, METRICS_PORT: 0, MAX_BODY_BYTES: 1000, MAX_CONNECTIONS: 'unlimited', PROTOCOL_VERSION: 'HTTP/1.1' });
    expect((await request(child.appPort, 'GET', '/')).status).toBe(200);
    expect(child.stderr).toEqual([]);
  });

  it('applies the server settings: MAX_BODY_BYTES', async () => {
    child = await startService({ MAX_BODY_BYTES: '10', HANDLER_MODULE: './test/fixtures/service/test-handler.mjs' });
    expect((await request(child.appPort, 'POST', '/', {}, '0123456789')).status).toBe(200);
    expect((await request(child.appPort, 'POST', '/', {}, '0123456789a')).status).toBe(413);
  });

  it('speaks PROTOCOL_VERSION', async () => {
    child = await startService({ PROTOCOL_VERSION: 'HTTP/1.0' });
    const r = await request(child.appPort, 'GET', '/');
    expect([r.version, r.status]).toEqual(['HTTP/1.0', 200]);
    const m = await request(child.metricsPort, 'GET', '/healthz');
    expect([m.version, m.status]).toEqual(['HTTP/1.0', 200]);
    await child.stop();
    child = await startService();
    expect((await request(child.appPort, 'GET', '/')).version).toBe('HTTP/1.1');
    expect((await request(child.metricsPort, 'GET', '/healthz')).version).toBe('HTTP/1.1');
  });

  it('listens with a backlog of LISTEN_BACKLOG', async (ctx) => {
    if (spawnSync('ss', ['-V']).error !== undefined) {
      ctx.skip(); // iproute2's ss is not installed
      return;
    }
    child = await startService({ LISTEN_BACKLOG: '300' });
    const out = spawnSync('ss', ['-ltnH', `sport = :${child.appPort}`], { encoding: 'utf8' }).stdout.trim();
    // LISTEN  Recv-Q  Send-Q(=backlog)  local  peer
    expect(Number(out.split(/\s+/)[2])).toBe(Math.min(300, somaxconn()));
  });

  it('serves on IPv6 and prints the address in brackets', async () => {
    child = await startService({ HOST: '::1' });
    expect(child.stdout[0]!.app).toBe(`http://[::1]:${child.appPort}`);
  });

  it('exits 1 with a fatal record when a port is taken', async () => {
    const blocker = net.createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
    const port = (blocker.address() as net.AddressInfo).port;
    const r = runMain({ HOST: '127.0.0.1', PORT: String(port), METRICS_PORT: '0' });
    blocker.close();
    expect(r.status).toBe(1);
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- a parsed log record, its fields checked one by one below
    const rec = JSON.parse(r.stderr.trim()) as Record<string, any>;
    expect(rec.level).toBe(60);
    expect(rec.msg).toBe(`cannot listen on 127.0.0.1 (PORT ${port}, METRICS_PORT 0): EADDRINUSE`);
    expect(rec.err.code).toBe('EADDRINUSE');
  });
});

function somaxconn(): number {
  const r = spawnSync('cat', ['/proc/sys/net/core/somaxconn'], { encoding: 'utf8' });
  return Number(r.stdout.trim()) || 4096;
}
