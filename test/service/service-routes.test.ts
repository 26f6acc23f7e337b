import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { get, RawClient, request, requestBytes } from '../harness/client.js';
import { type ServiceChild, startService } from '../fixtures/service/child.js';

const HANDLER = './test/fixtures/service/route-handler.mjs';

let child: ServiceChild | null = null;
afterEach(async () => {
  await child?.stop();
  child = null;
});

/** The label sets of the app's request-duration series. */
async function series(c: ServiceChild): Promise<string[]> {
  const text = (await request(c.metricsPort, 'GET', '/metrics')).body.toString();
  return [...text.matchAll(/^http_request_duration_seconds_count\{([^}]*handler="Routed"[^}]*)\}/gm)].map((m) => m[1]!).sort();
}

/** Sends `paths` as GETs on one keep-alive connection and reads every response. */
async function getAll(c: ServiceChild, paths: readonly string[]): Promise<number[]> {
  const client = await RawClient.connect(c.appPort);
  const statuses: number[] = [];
  for (const p of paths) {
    get(client, c.appPort, p);
    statuses.push((await client.response()).status);
  }
  client.close();
  return statuses;
}

const randomPath = (): string => `/${randomBytes(6).toString('hex')}/${randomBytes(3).toString('base64url')}`;

describe('the route label (a RouteHandler through HANDLER_MODULE)', () => {
  it('labels metrics and access records with the pattern, or "unmatched"; random paths add no series', async () => {
    child = await startService({ HANDLER_MODULE: HANDLER });
    expect(await getAll(child, ['/', '/users/1', '/users/2', '/nope', '/..'])).toEqual([200, 200, 200, 404, 400]);
    const before = await series(child);
    expect(before).toEqual([
      'method="GET",status_code="200",handler="Routed",route="/"',
      'method="GET",status_code="200",handler="Routed",route="/users/:id"',
      'method="GET",status_code="400",handler="Routed",route="unmatched"',
      'method="GET",status_code="404",handler="Routed",route="unmatched"',
    ]);
    const paths = Array.from({ length: 400 }, (_, i) => (i % 4 === 0 ? `/users/${randomBytes(4).toString('hex')}` : randomPath()));
    const statuses = await getAll(child, paths);
    expect(statuses.filter((s) => s === 200)).toHaveLength(100);
    expect(statuses.filter((s) => s === 404)).toHaveLength(300);
    expect(await series(child)).toEqual(before);

    await child.waitFor(() => child!.access().length >= 405);
    const routes = child.access().map((r) => r.route as string);
    expect(new Set(routes)).toEqual(new Set(['/', '/users/:id', 'unmatched']));
    expect(routes.slice(0, 5)).toEqual(['/', '/users/:id', '/users/:id', 'unmatched', 'unmatched']);
  });

  it('labels a request the server refused "unmatched", never with the previous request\'s route', async () => {
    child = await startService({ HANDLER_MODULE: HANDLER, MAX_HEADERS: '5' });
    const refusals = [
      'GET /users/2 HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n', // refused in parseRequest()
      `GET /users/${'x'.repeat(70_000)} HTTP/1.1\r\nHost: a\r\n\r\n`, // 414: never reaches parseRequest()
      `GET /users/3 HTTP/1.1\r\nHost: a\r\n${'X: y\r\n'.repeat(8)}\r\n`, // 431: neither
    ];
    for (const bad of refusals) {
      const c = await RawClient.connect(child.appPort);
      get(c, child.appPort, '/users/1');
      expect((await c.response()).status).toBe(200);
      c.send(bad);
      await c.response();
      c.close();
    }
    // Pipelined in one read, the two share a requestStart: the route is keyed on requestNumber.
    const c = await RawClient.connect(child.appPort);
    c.send(Buffer.concat([requestBytes(child.appPort, 'GET', '/users/4'), Buffer.from(refusals[2]!)]));
    expect((await c.response()).status).toBe(200);
    expect((await c.response()).status).toBe(431);
    c.close();
    await child.waitFor(() => child!.access().length === 8);
    expect(child.access().map((r) => [r.res.statusCode, r.route])).toEqual([
      [200, '/users/:id'],
      [400, 'unmatched'],
      [200, '/users/:id'],
      [414, 'unmatched'],
      [200, '/users/:id'],
      [431, 'unmatched'],
      [200, '/users/:id'],
      [431, 'unmatched'],
    ]);
  });

  it('keeps the route of a matched request whose body the route refused (413, maxBodyBytes 50)', async () => {
    child = await startService({ HANDLER_MODULE: HANDLER });
    const r = await request(child.appPort, 'POST', '/users', { 'Content-Type': 'application/json' }, JSON.stringify({ name: 'x'.repeat(80) }));
    expect([r.status, r.headers.connection]).toEqual([413, 'close']);
    const rec = await child.waitFor((x) => x.msg === 'request completed');
    expect([rec.res.statusCode, rec.route]).toEqual([413, '/users']);
  });

  it("answers a route method's exception with a problem+json 500 that holds nothing of it; the error record has it, the label the route", async () => {
    child = await startService({ HANDLER_MODULE: HANDLER });
    const r = await request(child.appPort, 'GET', '/boom/1');
    expect([r.status, r.headers['content-type'], r.headers.connection]).toEqual([500, 'application/problem+json', 'close']);
    expect(JSON.parse(r.body.toString())).toEqual({
      type: 'about:blank',
      title: 'Internal Server Error',
      status: 500,
      detail: 'Server got itself in trouble',
      instance: '/boom/1',
    });
    const err = await child.waitFor((x) => x.msg === 'handler error', 'stderr');
    expect(err.err.message).toBe('route 1 failed: the password is SECRET-ROUTE-4');
    expect(err.err.stack).toMatch(/at ServiceHandler\.boom \(.*route-handler\.mjs:\d+:\d+\)/);
    const rec = await child.waitFor((x) => x.msg === 'request completed');
    expect([rec.res.statusCode, rec.route]).toEqual([500, '/boom/:n']);
    expect(await series(child)).toEqual(['method="GET",status_code="500",handler="Routed",route="/boom/:n"']);
  });
});
