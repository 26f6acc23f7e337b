import { beforeAll, describe, expect, it } from 'vitest';
import { HTTPError, RouteHandler } from '../../src/index.js';
import { exchange, json } from '../helpers/routes.js';
import { type RunningServer, startServer } from '../harness/server.js';

/**
 * A guarded route beside a public catch-all: the bypass forms of `/admin` must reach the guard,
 * never the catch-all. Sent as raw bytes: clients (fetch, curl) normalise these paths themselves.
 */
class Guarded extends RouteHandler {
  static routes = {
    'GET /admin': 'admin',
    'GET /admin/:section': 'admin',
    'GET /users/:id': 'user',
    'GET /*': 'open',
  };
  override protocolVersion = 'HTTP/1.1';
  admin(): never {
    throw new HTTPError(401, `guarded ${this.canonicalPath}`);
  }
  user({ params }: { params: { id: string } }) {
    return { id: params.id };
  }
  open({ params }: { params: { '*': string } }) {
    return { open: params['*'], route: this.route };
  }
  override logMessage(): void {}
}

let srv: RunningServer;
beforeAll(async () => {
  srv = await startServer(Guarded);
});

const raw = (target: string) => exchange(srv.port, `GET ${target} HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n`);

describe('routing on the canonical path (raw request targets)', () => {
  it.each([
    '/admin',
    '//admin',
    '///admin',
    '/./admin',
    '/a/../admin',
    '/a/b/../../admin',
    '/x/%2e%2e/admin',
    '/x/.%2E/admin',
    '/%61dmin',
    '/%61%64%6d%69%6e',
    '/admin?x=/../public',
    'http://t//admin',
    '/admin/x/../../admin',
  ])('%s reaches the guarded route', async (target) => {
    const r = (await raw(target)).responses[0]!;
    expect(r.status).toBe(401);
    expect((json(r) as { detail: string }).detail).toMatch(/^guarded \/admin\/?$/);
  });

  it('keeps a trailing slash: /admin/ is another path than /admin', async () => {
    expect(json((await raw('/admin/./')).responses[0]!)).toEqual({ open: 'admin/', route: '/*' });
  });

  it('keeps %2F as data: /admin%2Fx is one segment, and no route but the catch-all takes it', async () => {
    const r = (await raw('/admin%2Fx')).responses[0]!;
    expect(json(r)).toEqual({ open: 'admin%2Fx', route: '/*' });
    expect(json((await raw('/users/a%2F..%2Fadmin')).responses[0]!)).toEqual({ id: 'a/../admin' });
    const seg = (await raw('/admin/a%2Fb')).responses[0]!;
    expect([seg.status, (json(seg) as { detail: string }).detail]).toEqual([401, 'guarded /admin/a%2Fb']);
  });

  it.each(['/..', '/../admin', '/a/../../admin', '/%2e%2e/admin', '//../admin', '/a/%2E%2E/%2e%2e/x'])('%s climbs above the root: 400', async (target) => {
    const x = await raw(target);
    expect(x.responses[0]!.status).toBe(400);
    expect(json(x.responses[0]!)).toMatchObject({ title: 'Bad Request', detail: 'The path climbs above the root' });
  });

  it('refuses a malformed percent-encoding with 400 and keeps the connection', async () => {
    const x = await exchange(srv.port, 'GET /a%zz HTTP/1.1\r\nHost: t\r\n\r\nGET /users/1 HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n');
    expect(x.responses.map((r) => r.status)).toEqual([400, 200]);
    expect((json(x.responses[0]!) as { detail: string }).detail).toBe('The path holds a malformed percent-encoding');
  });
});
