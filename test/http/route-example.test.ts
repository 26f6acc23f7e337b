import { beforeAll, describe, expect, it } from 'vitest';
import { exchange, json, req } from '../helpers/routes.js';
import { type RunningServer, startServer } from '../harness/server.js';
// The API.md example, importing the built package by name as users do.
import Users from '../fixtures/routes/api-example.mjs';

class Quiet extends Users {
  override logMessage(): void {}
}

let srv: RunningServer;
beforeAll(async () => {
  srv = await startServer(Quiet);
});

describe('the API.md RouteHandler example', () => {
  it('serves its four routes and its HTTPError', async () => {
    // protocolVersion is CPython's default, HTTP/1.0: one request per connection.
    const requests = [
      req('GET /users?limit=3'),
      req('GET /users/7'),
      req('GET /users/0'),
      req('POST /users', { headers: { 'Content-Type': 'application/json' }, body: '{"name":"ann"}' }),
      req('GET /files/a/b'),
    ];
    const answers = await Promise.all(requests.map((r) => exchange(srv.port, r)));
    expect(answers.map(({ responses: [r] }) => [r!.status, json(r!)])).toEqual([
      [200, { limit: 3 }],
      [200, { id: '7' }],
      [404, { type: 'about:blank', title: 'Not Found', status: 404, detail: 'no user 0', instance: '/users/0' }],
      [201, { created: 'ann' }],
      [200, { rest: 'a/b' }],
    ]);
  });
});
