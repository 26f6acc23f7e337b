import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { HTTPServer } from '../src/http/http-server.js';
import AppHandler from '../src/service/app-handler.js';
import { RawClient, request } from './fixtures/service/child.js';

class Quiet extends AppHandler {
  override maxJsonBytes = 100;
  override logMessage(): void {}
}

let server: HTTPServer;
let port: number;
beforeEach(async () => {
  server = new HTTPServer(['127.0.0.1', 0], Quiet);
  await server.ready;
  port = server.serverAddress[1];
  void server.serveForever();
});
afterEach(async () => {
  await server.shutdown();
  server.serverClose();
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
    expect((await request(port, 'GET', '/hello/%E0%A4')).status).toBe(400);
  });

  it('echoes a JSON body on POST /echo', async () => {
    const r = await request(port, 'POST', '/echo', json, '{"a":[1,2]}');
    expect(r.status).toBe(200);
    expect(JSON.parse(r.body.toString())).toEqual({ received: { a: [1, 2] } });
  });

  it('refuses bad JSON (400), another media type (415), a body over the limit (413)', async () => {
    expect((await request(port, 'POST', '/echo', json, '{"a":')).status).toBe(400);
    expect((await request(port, 'POST', '/echo', { 'Content-Type': 'text/plain' }, '{}')).status).toBe(415);
    const big = await request(port, 'POST', '/echo', json, JSON.stringify({ s: 'x'.repeat(200) }));
    expect(big.status).toBe(413);
    expect(big.headers.connection).toBe('close');
  });

  it('answers 404 for other paths and 501 for other methods', async () => {
    expect((await request(port, 'GET', '/nope')).status).toBe(404);
    expect((await request(port, 'POST', '/nope', json, '{}')).status).toBe(404);
    expect((await request(port, 'DELETE', '/')).status).toBe(501);
  });

  it('keeps the connection alive across requests (HTTP/1.1)', async () => {
    const c = await RawClient.connect(port);
    for (let i = 0; i < 3; i++) {
      c.send(`GET / HTTP/1.1\r\nHost: x\r\n\r\n`);
      expect((await c.response()).status).toBe(200);
    }
    // An error page closes the connection (sendError sends `Connection: close`, as CPython 3.13).
    c.send(`POST /nope HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\n{}`);
    const r = await c.response();
    expect([r.status, r.headers.connection]).toEqual([404, 'close']);
    await c.closedByServer();
  });
});
