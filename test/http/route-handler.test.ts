import { beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { BaseHTTPError } from '../../src/socketserver/errors.js';
import { defineRoutes, HTTPError, RouteHandler, type RouteArgs, type RouteMethods, type StandardSchemaV1 } from '../../src/index.js';
import { RawClient } from '../harness/client.js';
import { announcesClose, header } from '../harness/response.js';
import { exchange, json, req } from '../helpers/routes.js';
import { type RunningServer, startServer } from '../harness/server.js';

const NewUser = z.object({ name: z.string().min(1), tags: z.array(z.string()).default([]) });
const Page = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(10),
  tag: z.union([z.string(), z.array(z.string())]).optional(),
});

/** A hand-written Standard Schema (no zod): an asynchronous check of an even-length string. */
const EvenString: StandardSchemaV1<unknown, string> = {
  '~standard': {
    version: 1,
    vendor: 'test',
    validate: async (value) =>
      typeof value === 'string' && value.length % 2 === 0 ? { value } : { issues: [{ message: 'want an even-length string', path: [{ key: 'x' }, 0] }] },
  },
};

const routes = defineRoutes({
  'GET /users': { call: 'list', query: Page },
  'GET /users/me': 'me',
  'GET /users/:id': 'get',
  'DELETE /users/:id': 'remove',
  'POST /users': { call: 'create', body: NewUser },
  'GET /files/*': 'file',
  'GET /boom': 'boom',
  'GET /async-boom': 'asyncBoom',
  'GET /status/:code': 'status',
  'GET /async/:n': 'later',
  'GET /guarded': 'guarded',
  'GET /raw': 'raw',
  'GET /nothing': 'nothing',
  'GET /twice': 'twice',
  'GET /chose-error': 'choseError',
  'PROPFIND /dav/:name': 'dav',
  'POST /even': { call: 'even', body: EvenString },
});
type Routes = typeof routes;

class Api extends RouteHandler implements RouteMethods<Routes> {
  static routes = routes;
  static seen: Array<string | null> = [];
  override protocolVersion = 'HTTP/1.1';
  override maxBodyBytes = 200;

  list({ query }: RouteArgs<Routes, 'list'>) {
    return { limit: query.limit, tag: query.tag ?? null };
  }
  me() {
    return { me: true };
  }
  get({ params, query }: RouteArgs<Routes, 'get'>) {
    Api.seen.push(this.route);
    if (params.id === '0') throw new HTTPError(404, 'no user 0');
    return { id: params.id, query };
  }
  remove({ params }: RouteArgs<Routes, 'remove'>) {
    return { removed: params.id };
  }
  create({ body }: RouteArgs<Routes, 'create'>) {
    this.sendJson(201, { created: body.name, tags: body.tags });
  }
  file({ params }: RouteArgs<Routes, 'file'>) {
    return { rest: params['*'] };
  }
  boom(): never {
    throw new Error('secret: the database password is hunter2');
  }
  async asyncBoom(): Promise<never> {
    await new Promise((r) => setTimeout(r, 1));
    throw new Error('secret: the async password is hunter3');
  }
  status({ params }: RouteArgs<Routes, 'status'>): never {
    throw new HTTPError(Number(params.code), 'chosen');
  }
  async later({ params }: RouteArgs<Routes, 'later'>) {
    await new Promise((r) => setTimeout(r, 5));
    if (params.n === '0') throw new HTTPError(409, 'later conflict');
    return { n: Number(params.n) };
  }
  guarded() {
    throw new HTTPError(401, 'token required', { headers: { 'WWW-Authenticate': 'Bearer' } });
  }
  raw() {
    this.sendResponse(200);
    this.sendHeader('Content-Length', 3);
    this.endHeaders();
    this.wfile.write('raw');
  }
  nothing() {
    return undefined;
  }
  twice() {
    this.sendJson(200, 1);
    return 2;
  }
  choseError() {
    this.sendError(418);
  }
  dav({ params }: RouteArgs<Routes, 'dav'>) {
    return { dav: params.name };
  }
  even({ body }: RouteArgs<Routes, 'even'>) {
    return { even: body };
  }
  override logMessage(): void {}
}

let srv: RunningServer;
beforeAll(async () => {
  srv = await startServer(Api);
});

const get = (path: string, headers: Record<string, string> = {}) => exchange(srv.port, req(`GET ${path}`, { headers, close: true }));
const post = (path: string, body: string | Buffer, type = 'application/json') =>
  exchange(srv.port, req(`POST ${path}`, { headers: { 'Content-Type': type }, body, close: true }));

describe('routes, params and return values', () => {
  it('answers a returned value as 200 JSON with Content-Length', async () => {
    const {
      responses: [r],
    } = await get('/users/42');
    expect(r!.status).toBe(200);
    expect(header(r!, 'content-type')).toBe('application/json');
    expect(Number(header(r!, 'content-length'))).toBe(r!.body.length);
    expect(json(r!)).toEqual({ id: '42', query: {} });
  });

  it('decodes :params (percent-encoded UTF-8; %2F is part of the value) and refuses bad encodings', async () => {
    expect(json((await get('/users/a%2Fb')).responses[0]!)).toMatchObject({ id: 'a/b' });
    expect(json((await get('/users/J%C3%BCrgen')).responses[0]!)).toMatchObject({ id: 'Jürgen' });
    const bad = (await get('/users/%E0%A4')).responses[0]!;
    expect([bad.status, header(bad, 'content-type')]).toEqual([400, 'application/problem+json']);
  });

  it('prefers literal segments, then :params, then *, and backtracks for the method', async () => {
    expect(json((await get('/users/me')).responses[0]!)).toEqual({ me: true });
    const del = await exchange(srv.port, req('DELETE /users/me', { close: true }));
    expect(json(del.responses[0]!)).toEqual({ removed: 'me' });
  });

  it('gives * the rest of the canonical path, decoded except %2F and %25', async () => {
    expect(json((await get('/files/a/b%20c%2Fd%25')).responses[0]!)).toEqual({ rest: 'a/b c%2Fd%25' });
    expect(json((await get('/files/')).responses[0]!)).toEqual({ rest: '' });
    expect((await get('/files')).responses[0]!.status).toBe(404);
  });

  it('hands the query to a query schema as strings and arrays; invalid → 400 with errors', async () => {
    expect(json((await get('/users?limit=5&tag=a&tag=b')).responses[0]!)).toEqual({ limit: 5, tag: ['a', 'b'] });
    expect(json((await get('/users')).responses[0]!)).toEqual({ limit: 10, tag: null });
    const r = (await get('/users?limit=0')).responses[0]!;
    expect(r.status).toBe(400);
    expect(json(r)).toMatchObject({ title: 'Bad Request', status: 400, instance: '/users', errors: [{ path: 'limit' }] });
    // without a schema, the parsed query as is
    expect(json((await get('/users/7?a=1&a=2&b=x+y')).responses[0]!)).toEqual({ id: '7', query: { a: ['1', '2'], b: 'x y' } });
  });

  it('sets this.route to the matched pattern', async () => {
    Api.seen = [];
    await get('/users/9');
    await exchange(srv.port, req('HEAD /users/9', { close: true }), [0]);
    expect(Api.seen).toEqual(['/users/:id', '/users/:id']);
  });

  it('awaits a route method that returns a Promise', async () => {
    expect(json((await get('/async/3')).responses[0]!)).toEqual({ n: 3 });
    expect((await get('/async/0')).responses[0]!.status).toBe(409);
  });

  it('leaves the answer to a method that returns undefined, and routes methods beyond the usual seven', async () => {
    const r = (await get('/raw')).responses[0]!;
    expect([r.status, r.body.toString()]).toEqual([200, 'raw']);
    const dav = await exchange(srv.port, req('PROPFIND /dav/x', { close: true }));
    expect(json(dav.responses[0]!)).toEqual({ dav: 'x' });
  });
});

describe('bodies', () => {
  it('validates a JSON body and passes the schema output', async () => {
    const r = (await post('/users', '{"name":"ann"}')).responses[0]!;
    expect([r.status, json(r)]).toEqual([201, { created: 'ann', tags: [] }]);
    const vnd = (await post('/users', '{"name":"bo"}', 'application/vnd.api+json; charset=utf-8')).responses[0]!;
    expect(vnd.status).toBe(201);
  });

  it('reads a chunked body', async () => {
    const body = '{"name":"chunky"}';
    const bytes =
      'POST /users HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n' +
      `5\r\n${body.slice(0, 5)}\r\n${(body.length - 5).toString(16)}\r\n${body.slice(5)}\r\n0\r\n\r\n`;
    expect(json((await exchange(srv.port, bytes)).responses[0]!)).toEqual({ created: 'chunky', tags: [] });
  });

  it('415 for another media type or none, 400 for bad JSON or bad UTF-8, 422 with the schema issues', async () => {
    expect((await post('/users', '{"name":"x"}', 'text/plain')).responses[0]!.status).toBe(415);
    expect((await exchange(srv.port, req('POST /users', { body: '{"name":"x"}', close: true }))).responses[0]!.status).toBe(415);
    const bad = (await post('/users', '{"name":')).responses[0]!;
    expect([bad.status, (json(bad) as { detail: string }).detail]).toEqual([400, expect.stringMatching(/^The body is not JSON: /)]);
    expect((await post('/users', Buffer.from([0x7b, 0x22, 0xff, 0x22, 0x7d]))).responses[0]!.status).toBe(400);
    const invalid = (await post('/users', '{"name":"","tags":[1]}')).responses[0]!;
    expect(invalid.status).toBe(422);
    expect(json(invalid)).toEqual({
      type: 'about:blank',
      title: 'Unprocessable Content',
      status: 422,
      detail: 'The body does not match the schema',
      instance: '/users',
      errors: [
        { path: 'name', message: expect.any(String) },
        { path: 'tags.0', message: expect.any(String) },
      ],
    });
  });

  it('413 and a close for a body over maxBodyBytes', async () => {
    const x = await exchange(srv.port, req('POST /users', { headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ name: 'x'.repeat(300) }) }));
    expect(x.responses.map((r) => r.status)).toEqual([413]);
    expect(announcesClose(x.responses[0]!)).toBe(true);
    expect(header(x.responses[0]!, 'content-type')).toBe('application/problem+json');
    expect(x.ending).toBe('close');
  });

  it('works with any Standard Schema, asynchronous ones too', async () => {
    expect(json((await post('/even', '"ab"')).responses[0]!)).toEqual({ even: 'ab' });
    const r = (await post('/even', '"abc"')).responses[0]!;
    expect([r.status, (json(r) as { errors: unknown }).errors]).toEqual([422, [{ path: 'x.0', message: 'want an even-length string' }]]);
  });
});

describe('errors are problem details', () => {
  it('404 for a path no route has, with the exact RFC 9457 shape', async () => {
    const r = (await get('/nope?x=1')).responses[0]!;
    expect([r.status, r.reason, header(r, 'content-type')]).toEqual([404, 'Not Found', 'application/problem+json']);
    expect(r.body.toString()).toBe('{"type":"about:blank","title":"Not Found","status":404,"instance":"/nope"}');
  });

  it('405 with Allow when the path has routes but not for this method; OPTIONS answers 204 with Allow', async () => {
    const put = (await exchange(srv.port, req('PUT /users/1', { close: true }))).responses[0]!;
    expect([put.status, header(put, 'allow')]).toEqual([405, 'GET, HEAD, DELETE, OPTIONS']);
    const opt = (await exchange(srv.port, req('OPTIONS /users/me', { close: true }))).responses[0]!;
    expect([opt.status, header(opt, 'allow'), opt.body.length]).toEqual([204, 'GET, HEAD, DELETE, OPTIONS', 0]);
    const star = (await exchange(srv.port, 'OPTIONS * HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n')).responses[0]!;
    expect([star.status, header(star, 'allow')]).toEqual([204, 'GET, HEAD, DELETE, POST, PROPFIND, OPTIONS']);
  });

  it('serves HEAD with the GET route: same headers, no body', async () => {
    const x = await exchange(srv.port, req('HEAD /users/5') + req('GET /users/5', { close: true }), [0]);
    const [head, getR] = x.responses;
    expect([head!.status, head!.body.length]).toEqual([200, 0]);
    expect(header(head!, 'content-length')).toBe(header(getR!, 'content-length'));
    const miss = await exchange(srv.port, req('HEAD /nope', { close: true }), [0]);
    expect([miss.responses[0]!.status, header(miss.responses[0]!, 'content-type'), miss.rest]).toEqual([404, 'application/problem+json', '']);
  });

  it('HTTPError answers its status, detail and headers', async () => {
    const r = (await get('/users/0')).responses[0]!;
    expect(r.body.toString()).toBe('{"type":"about:blank","title":"Not Found","status":404,"detail":"no user 0","instance":"/users/0"}');
    const g = (await get('/guarded')).responses[0]!;
    expect([g.status, header(g, 'www-authenticate')]).toEqual([401, 'Bearer']);
    expect(() => new HTTPError(200)).toThrow(expect.objectContaining({ code: 'ERR_INVALID_STATUS' }));
    expect(HTTPError.is(new HTTPError(400))).toBe(true);
    expect(JSON.stringify(new HTTPError(403, 'no'))).toBe('{"name":"HTTPError","code":"ERR_HTTP_STATUS","status":403,"detail":"no"}');
  });

  it('an exception answers 500 with a generic detail and reaches handleError; the connection closes', async () => {
    srv.server.errors.length = 0;
    const x = await exchange(srv.port, req('GET /boom') + req('GET /users/1', { close: true }));
    expect(x.responses).toHaveLength(1);
    const r = x.responses[0]!;
    expect(r.status).toBe(500);
    expect(json(r)).toEqual({ type: 'about:blank', title: 'Internal Server Error', status: 500, detail: 'Server got itself in trouble', instance: '/boom' });
    expect(r.body.toString()).not.toMatch(/secret|hunter2|at |\.ts/);
    expect(announcesClose(r)).toBe(true);
    expect(x.ending).toBe('close');
    expect(String(srv.server.errors[0])).toContain('hunter2');
  });

  it('a rejected Promise answers the same generic 500, nothing of the error in the body', async () => {
    srv.server.errors.length = 0;
    const x = await exchange(srv.port, req('GET /async-boom') + req('GET /users/1', { close: true }));
    expect(x.responses.map((r) => r.status)).toEqual([500]);
    const r = x.responses[0]!;
    expect(json(r)).toEqual({ type: 'about:blank', title: 'Internal Server Error', status: 500, detail: 'Server got itself in trouble', instance: '/async-boom' });
    expect(r.body.toString()).not.toMatch(/secret|hunter3|at |\.ts/);
    expect(announcesClose(r)).toBe(true);
    expect(String(srv.server.errors[0])).toContain('hunter3');
  });

  it('a method that neither answers nor returns a value, or does both, is a 500 with a stable code', async () => {
    srv.server.errors.length = 0;
    expect((await get('/nothing')).responses[0]!.status).toBe(500);
    expect(srv.server.errors.map((e) => (e as BaseHTTPError).code)).toEqual(['ERR_ROUTE_NO_ANSWER']);
    expect((await get('/twice')).responses[0]!.status).toBe(500);
    expect((srv.server.errors[1] as BaseHTTPError).code).toBe('ERR_ROUTE_ANSWERED_TWICE');
  });

  it('sendError() in a route method answers a problem too', async () => {
    const r = (await get('/chose-error')).responses[0]!;
    expect([r.status, header(r, 'content-type'), json(r)]).toEqual([
      418,
      'application/problem+json',
      { type: 'about:blank', title: "I'm a Teapot", status: 418, instance: '/chose-error' },
    ]);
  });
});

describe('keep-alive', () => {
  it('stays open after every 4xx the router or a route chose', async () => {
    const x = await exchange(
      srv.port,
      req('GET /nope') +
        req('PUT /users/1') +
        req('GET /users/0') +
        req('POST /users', { headers: { 'Content-Type': 'text/plain' }, body: 'unread body' }) +
        req('POST /users', { headers: { 'Content-Type': 'application/json' }, body: '{' }) +
        req('POST /users', { headers: { 'Content-Type': 'application/json' }, body: '{}' }) +
        req('GET /../x') +
        req('GET /users?limit=x') +
        req('GET /users/1', { close: true }),
    );
    expect(x.responses.map((r) => r.status)).toEqual([404, 405, 404, 415, 400, 422, 400, 400, 200]);
    expect(x.responses.slice(0, -1).some(announcesClose)).toBe(false);
    expect(x.ending).toBe('close');
  });

  it('closes after a 413 or 408 a route method chose (its body is left unread), not after another 4xx', async () => {
    for (const code of [413, 408]) {
      const x = await exchange(srv.port, req(`GET /status/${code}`) + req('GET /users/1', { close: true }));
      expect(x.responses.map((r) => [r.status, announcesClose(r), (json(r) as { detail: string }).detail])).toEqual([[code, true, 'chosen']]);
      expect(x.ending).toBe('close');
    }
    const open = await exchange(srv.port, req('GET /status/429') + req('GET /users/1', { close: true }));
    expect(open.responses.map((r) => [r.status, announcesClose(r)])).toEqual([
      [429, false],
      [200, true],
    ]);
  });

  it('closes after a 5xx, as CPython', async () => {
    const x = await exchange(srv.port, req('GET /nothing') + req('GET /users/1', { close: true }));
    expect(x.responses.map((r) => r.status)).toEqual([500]);
  });
});

/** The same handler, plain: what the core does with requests it refuses before dispatch. */
class Plain extends RouteHandler {
  static routes = { 'GET /': 'root', 'POST /': 'root', 'POST /json': { call: 'root', body: z.object({ s: z.string() }) } };
  override protocolVersion = 'HTTP/1.1';
  root() {
    return { ok: true };
  }
  override logMessage(): void {}
}
class Base extends Plain {
  override sendError(code: number, message?: string, explain?: string): void {
    // The library's own error page: what every other handler sends.
    Object.getPrototypeOf(RouteHandler.prototype).sendError.call(this, code, message, explain);
  }
}

describe('requests the parser refuses', () => {
  let plain: RunningServer;
  let base: RunningServer;
  beforeAll(async () => {
    plain = await startServer(Plain, { maxBodyBytes: 64, maxHeaders: 10 });
    base = await startServer(Base, { maxBodyBytes: 64, maxHeaders: 10 });
  });

  const refused = [
    'POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n',
    'POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabcd',
    'POST / HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: gzip\r\n\r\n',
    'POST / HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n',
    'POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 100\r\n\r\n',
    'GET / HTTP/1.1\r\n\r\n',
    'GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n',
    'GET / HTTP/1.1\r\nHost : t\r\n\r\n',
    'GET /a b HTTP/1.1\r\nHost: t\r\n\r\n',
    'GET / HTTP/2.0\r\nHost: t\r\n\r\n',
    'GET / HTTP/1.1\r\nHost: t\r\nX: a\rb\r\n\r\n',
    `GET / HTTP/1.1\r\nHost: t\r\n${'X: y\r\n'.repeat(20)}\r\n`,
    'BREW / HTTP/1.1\r\nHost: t\r\n\r\n',
  ];

  it.each(refused.map((r) => [JSON.stringify(r).slice(0, 60), r]))('%s: same status and close as any handler, problem+json body', async (_name, bytes) => {
    const ours = await exchange(plain.port, `${bytes}GET / HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n`);
    const theirs = await exchange(base.port, `${bytes}GET / HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n`);
    expect(ours.responses.map((r) => r.status)).toEqual(theirs.responses.map((r) => r.status));
    expect(ours.responses.map(announcesClose)).toEqual(theirs.responses.map(announcesClose));
    expect(ours.ending).toBe(theirs.ending);
    const first = ours.responses[0]!;
    expect(first.status).toBeGreaterThanOrEqual(400);
    if (first.body.length > 0) {
      expect(header(first, 'content-type')).toBe('application/problem+json');
      expect(json(first)).toMatchObject({ type: 'about:blank', status: first.status });
      expect(header(theirs.responses[0]!, 'content-type')).toBe('text/html;charset=utf-8');
    }
  });

  it("reads a body route's body up to the server's maxBodyBytes when the class sets none", async () => {
    const chunk = (body: string) => `${body.length.toString(16)}\r\n${body}\r\n0\r\n\r\n`;
    const head = 'POST /json HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n';
    const fits = JSON.stringify({ s: 'x'.repeat(50) }); // 58 bytes, the server allows 64
    const ok = await exchange(plain.port, `${head}Connection: close\r\n\r\n${chunk(fits)}`);
    expect(ok.responses.map((r) => r.status)).toEqual([200]);
    // The body sent only after 100 Continue: the parser's look at the buffered chunks has passed,
    // so the limit that refuses it is readBody()'s, the route's.
    const c = await RawClient.connect(plain.port);
    c.send(`${head}Expect: 100-continue\r\n\r\n`);
    expect(await c.waitFor((d) => d.includes('100 Continue\r\n\r\n'), 5_000)).toBe(true);
    c.send(chunk(JSON.stringify({ s: 'x'.repeat(60) })));
    await c.closedByServer();
    expect(c.text).toMatch(/\r\n\r\nHTTP\/1\.1 413 Content Too Large\r\n[^]*Connection: close\r\n[^]*application\/problem\+json/);
  });
});
