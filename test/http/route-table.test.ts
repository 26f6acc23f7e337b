import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { HTTPServer, RouteHandler } from '../../src/index.js';
import { routeTableOf } from '../../src/http/route-handler.js';
import { compileRoutes } from '../../src/http/route-table.js';
import { exchange, req } from '../helpers/routes.js';
import { startServer } from '../harness/server.js';

/** Compiles `routes` against a prototype with the methods `names`. */
function compile(routes: unknown, names: string[] = ['a', 'b', 'c']) {
  const proto = Object.fromEntries(names.map((n) => [n, () => n]));
  return compileRoutes('T', routes, proto);
}

function fault(routes: unknown): { code: string; message: string } {
  try {
    compile(routes);
  } catch (e) {
    return e as { code: string; message: string };
  }
  throw new Error('compiled');
}

describe('compiling a route table', () => {
  it('refuses a table that names a missing method, naming the route', () => {
    expect(fault({ 'GET /x': 'a', 'GET /users/:id': 'nope' })).toMatchObject({
      code: 'ERR_ROUTE_METHOD_MISSING',
      message: "T.routes['GET /users/:id']: names the method 'nope', which T does not define",
    });
    expect(fault({ 'POST /x': { call: 'missing', body: z.object({}) } }).code).toBe('ERR_ROUTE_METHOD_MISSING');
  });

  it.each([
    [{ 'GET/x': 'a' }, 'METHOD /pattern'],
    [{ 'GET  /x': 'a' }, 'METHOD /pattern'],
    [{ 'G(T /x': 'a' }, 'METHOD /pattern'],
    [{ 'GET x': 'a' }, "must start with '/'"],
    [{ 'GET /a//b': 'a' }, 'empty segment'],
    [{ 'GET /a/*/b': 'a' }, "'*' must be the last segment"],
    [{ 'GET /:a/:a': 'a' }, 'appears twice'],
    [{ 'GET /:1x': 'a' }, 'is not a parameter'],
    [{ 'GET /:__proto__': 'a' }, 'is not a parameter'],
    [{ 'GET /a b': 'a' }, 'METHOD /pattern'],
    [{ 'GET /a"b': 'a' }, 'cannot'],
    [{ 'GET /a/../b': 'a' }, 'can never match'],
    [{ 'GET /%zz': 'a' }, 'can never match'],
    [{ 'GET /x': 42 }, 'the value is a method name'],
    [{ 'GET /x': { call: 'a', body: {} } }, "'body' is not a Standard Schema"],
    [{ 'GET /x': { call: 'a', query: 'z' } }, "'query' is not a Standard Schema"],
    [{ 'GET /x': { call: 'a', bodyy: 1 } }, "unknown option 'bodyy'"],
    [{ 'GET /u/:id': 'a', 'GET /u/:name': 'b' }, "matches the same requests as 'GET /u/:id'"],
    [{ 'GET /%61': 'a', 'GET /a': 'b' }, "matches the same requests as 'GET /%61'"],
    [[], 'must be an object'],
  ])('%j → ERR_ROUTE_TABLE (%s)', (routes, text) => {
    const e = fault(routes);
    expect(e.code).toBe('ERR_ROUTE_TABLE');
    expect(e.message).toContain(text);
  });

  it('matches literal before :param before *, backtracking per method, HEAD by GET', () => {
    const t = compile({
      'GET /u/me': 'a',
      'DELETE /u/:id': 'b',
      'GET /u/:id/x': 'a',
      'GET /u/me/*': 'c',
      'GET /': 'a',
      'GET /%7euser/': 'b',
    });
    const values: string[] = [];
    const find = (m: string, p: string) => {
      const r = t.find(m, p, values);
      return r === null ? null : [r.key, ...values.slice(0, r.params.length)];
    };
    expect(find('GET', '/u/me')).toEqual(['GET /u/me']);
    expect(find('DELETE', '/u/me')).toEqual(['DELETE /u/:id', 'me']);
    expect(find('GET', '/u/me/x')).toEqual(['GET /u/me/*', 'x']);
    expect(find('GET', '/u/7/x')).toEqual(['GET /u/:id/x', '7']);
    expect(find('HEAD', '/u/me')).toEqual(['GET /u/me']);
    expect(find('GET', '/')).toEqual(['GET /']);
    expect(find('GET', '/~user/')).toEqual(['GET /%7euser/']);
    expect(find('GET', '/~user')).toBeNull();
    expect(find('POST', '/u/me')).toBeNull();
    expect(t.allow('/u/me')).toBe('GET, HEAD, DELETE, OPTIONS');
    expect(t.allow('/nope')).toBeNull();
  });

  it('finds literal children the same way past the in-place scan (a Map beyond four)', () => {
    const names = ['l1', 'l2', 'l3', 'l4', 'l5', 'l6'];
    const t = compile(Object.fromEntries(names.map((n) => [`GET /x/:id/${n}`, 'a'])));
    const values: string[] = [];
    for (const n of names) expect(t.find('GET', `/x/7/${n}`, values)?.key).toBe(`GET /x/:id/${n}`);
    expect(t.find('GET', '/x/7/l7', values)).toBeNull();
    expect(t.allow('/x/7/l6')).toBe('GET, HEAD, OPTIONS');
  });
});

class Good extends RouteHandler {
  static routes = { 'GET /': 'root' };
  root() {
    return 1;
  }
}
class Broken extends RouteHandler {
  static routes = { 'GET /': 'root', 'GET /users/:id': 'get' };
  root() {
    return 1;
  }
}

describe('when the table is checked', () => {
  it('is compiled once per class and shared by every connection', () => {
    const t = routeTableOf(Good);
    expect(routeTableOf(Good)).toBe(t);
    class Sub extends Good {}
    expect(routeTableOf(Sub)).not.toBe(t); // a subclass may override route methods
    expect(routeTableOf(Sub)).toBe(routeTableOf(Sub));
  });

  it('reads and compiles the table once for the class, not per connection or request', async () => {
    let reads = 0;
    class Counted extends RouteHandler {
      static get routes() {
        reads += 1;
        return { 'GET /x/:id': 'x' };
      }
      override protocolVersion = 'HTTP/1.1';
      x({ params }: { params: { id: string } }) {
        return { id: params.id };
      }
      override logMessage(): void {}
    }
    const srv = await startServer(Counted);
    for (let c = 0; c < 3; c++) {
      const x = await exchange(srv.port, req(`GET /x/${c}`) + req('GET /x/y', { close: true }));
      expect(x.responses.map((r) => r.status)).toEqual([200, 200]);
    }
    expect(reads).toBe(1);
  });

  it('refuses to start a server with a faulty table: ready rejects before anything listens', async () => {
    const server = new HTTPServer(['127.0.0.1', 0], Broken);
    await expect(server.ready).rejects.toMatchObject({
      code: 'ERR_ROUTE_METHOD_MISSING',
      message: expect.stringContaining("Broken.routes['GET /users/:id']"),
    });
    expect(server.socket?.listening ?? false).toBe(false);
  });
});
