import { beforeEach, describe, expect, it } from 'vitest';
import AppHandler from '../../src/service/app-handler.js';
import { RawClient, request } from '../harness/client.js';
import { startServer } from '../harness/server.js';

class Quiet extends AppHandler {
  override maxBodyBytes = 100;
  override logMessage(): void {}
}

let port: number;
beforeEach(async () => {
  port = (await startServer(Quiet)).port;
});

const json = { 'Content-Type': 'application/json' };

describe('the example AppHandler', () => {
  it('greets on GET / and answers HEAD / with the same headers and no body', async () => {
    const g = await request(port, 'GET', '/');
    expect([g.status, g.headers['content-type'], g.body.toString()]).toEqual([200, 'text/plain; charset=utf-8', 'Hello, world!\n']);
    const h = await request(port, 'HEAD', '/');
    expect([h.status, h.headers['content-length'], h.body.length]).toEqual([200, '14', 0]);
    expect((await request(port, 'GET', '/?x=1')).status).toBe(200);
  });

  it('answers GET /hello/<name> with JSON', async () => {
    const r = await request(port, 'GET', '/hello/J%C3%BCrgen');
    expect(r.headers['content-type']).toBe('application/json');
    expect(JSON.parse(r.body.toString())).toEqual({ hello: 'Jürgen' });
    const bad = await request(port, 'GET', '/hello/%E0%A4');
    expect([bad.status, bad.headers['content-type']]).toEqual([400, 'application/problem+json']);
    expect((await request(port, 'GET', '/hello/')).status).toBe(404);
  });

  it('echoes a JSON body on POST /echo', async () => {
    const r = await request(port, 'POST', '/echo', json, '{"a":[1,2]}');
    expect(r.status).toBe(200);
    expect(JSON.parse(r.body.toString())).toEqual({ received: { a: [1, 2] } });
  });

  it('refuses bad JSON (400), JSON that is not an object (422), another media type (415), a body over the limit (413)', async () => {
    expect((await request(port, 'POST', '/echo', json, '{"a":')).status).toBe(400);
    const list = await request(port, 'POST', '/echo', json, '[1,2]');
    expect(list.status).toBe(422);
    expect(JSON.parse(list.body.toString())).toMatchObject({ title: 'Unprocessable Content', instance: '/echo', errors: [{ path: '' }] });
    expect((await request(port, 'POST', '/echo', { 'Content-Type': 'text/plain' }, '{}')).status).toBe(415);
    const big = await request(port, 'POST', '/echo', json, JSON.stringify({ s: 'x'.repeat(200) }));
    expect(big.status).toBe(413);
    expect(big.headers.connection).toBe('close');
  });

  it('answers problem details: 404 for other paths, 405 with Allow for other methods, 501 for unknown ones', async () => {
    const missing = await request(port, 'GET', '/nope');
    expect([missing.status, missing.headers['content-type']]).toEqual([404, 'application/problem+json']);
    expect(JSON.parse(missing.body.toString())).toEqual({ type: 'about:blank', title: 'Not Found', status: 404, instance: '/nope' });
    expect((await request(port, 'POST', '/nope', json, '{}')).status).toBe(404);
    const del = await request(port, 'DELETE', '/');
    expect([del.status, del.headers.allow]).toEqual([405, 'GET, HEAD, OPTIONS']);
    expect((await request(port, 'BREW', '/')).status).toBe(501);
  });

  it('keeps the connection alive across requests (HTTP/1.1)', async () => {
    const c = await RawClient.connect(port);
    for (let i = 0; i < 3; i++) {
      c.send(`GET / HTTP/1.1\r\nHost: x\r\n\r\n`);
      expect((await c.response()).status).toBe(200);
    }
    // A 404 of the router keeps the connection (CPython's send_error would close it); its unread
    // body is discarded, never parsed as a request.
    c.send(`POST /nope HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\n{}`);
    const r = await c.response();
    expect([r.status, r.headers.connection]).toEqual([404, undefined]);
    c.send(`GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`);
    expect((await c.response()).status).toBe(200);
    await c.closedByServer();
  });
});
