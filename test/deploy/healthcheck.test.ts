/**
 * dist/service/healthcheck.js, the image's HEALTHCHECK command: exit 0 only on a 200 from
 * /healthz on METRICS_PORT, else exit 1 with one line on stderr.
 */
import { spawn } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import { type AddressInfo, createServer as createNetServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, expect, test } from 'vitest';

const script = fileURLToPath(new URL('../../dist/service/healthcheck.js', import.meta.url));

let server: Server;
let port: number;
let seen: string[];
let status: number;

beforeEach(async () => {
  seen = [];
  status = 200;
  server = createServer((req, res) => {
    seen.push(`${req.method} ${req.url}`);
    if (req.url === '/hang') return; // never answers
    res.writeHead(req.url === '/healthz' || req.url === '/readyz' ? status : 404).end('x');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});
afterEach(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

function run(env: Record<string, string>, args: string[] = []): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const base = { ...process.env };
    delete base.HOST;
    delete base.METRICS_PORT;
    const p = spawn(process.execPath, [script, ...args], { env: { ...base, ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    p.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
    p.on('error', reject);
    p.on('close', (code) => resolve({ code, stderr }));
  });
}

test('exits 0 when /healthz answers 200', async () => {
  const r = await run({ METRICS_PORT: String(port) });
  expect(r).toEqual({ code: 0, stderr: '' });
  expect(seen).toEqual(['GET /healthz']);
});

test('a wildcard HOST is probed on 127.0.0.1; an empty METRICS_PORT takes the default', async () => {
  expect((await run({ METRICS_PORT: String(port), HOST: '0.0.0.0' })).code).toBe(0);
  expect((await run({ METRICS_PORT: String(port), HOST: '::' })).code).toBe(0);
  expect((await run({ METRICS_PORT: String(port), HOST: '127.0.0.1' })).code).toBe(0);
  const r = await run({ METRICS_PORT: '', HOST: '127.0.0.1' });
  // the default port 9464, not ours (something else on this host may answer there)
  expect(seen).toHaveLength(3);
  if (r.code !== 0) expect(r.stderr).toContain('http://127.0.0.1:9464/healthz');
});

test('exits 1 on another status, naming it', async () => {
  status = 503;
  const r = await run({ METRICS_PORT: String(port) });
  expect(r.code).toBe(1);
  expect(r.stderr).toMatch(/^healthcheck: GET http:\/\/127\.0\.0\.1:\d+\/healthz -> 503\n$/);
});

test('a path argument probes that path', async () => {
  const r = await run({ METRICS_PORT: String(port) }, ['/readyz']);
  expect(r.code).toBe(0);
  expect(seen).toEqual(['GET /readyz']);
});

test('exits 1 when nothing listens', async () => {
  const probe = createNetServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const closed = (probe.address() as AddressInfo).port;
  await new Promise((resolve) => probe.close(resolve));
  const r = await run({ METRICS_PORT: String(closed) });
  expect(r.code).toBe(1);
  expect(r.stderr).toMatch(/ECONNREFUSED/);
});

test('exits 1 when the answer does not come in time', async () => {
  const t0 = performance.now();
  const r = await run({ METRICS_PORT: String(port), HEALTHCHECK_TIMEOUT_MS: '300' }, ['/hang']);
  expect(r.code).toBe(1);
  expect(r.stderr).toMatch(/no answer within 300 ms/); // the variable was used, not the 2 s default
  // It gave up rather than hanging (the bound includes starting node on a busy machine).
  expect(performance.now() - t0).toBeLessThan(20_000);
});

test('exits 1 on an invalid METRICS_PORT without sending anything', async () => {
  const r = await run({ METRICS_PORT: '70000' });
  expect(r.code).toBe(1);
  expect(r.stderr).toMatch(/METRICS_PORT="70000" is not an integer in 1\.\.65535/);
  expect(seen).toEqual([]);
});
