// The seven scenarios of issue 5, the two route scenarios of issue 11 and issue 14's hello with a
// traceparent header. `unit` says what the reported figure counts:
// - 'req/s'  HTTP responses per second (wrk counts each pipelined response: lua/pipeline.lua);
// - 'MB/s'   payload bytes per second, responses × `payloadBytes` (the 64 KiB response body, or
//            the 1 MiB request body), so that servers sending longer headers gain nothing;
// - 'MB RSS' server VmRSS with 10 000 idle keep-alive connections open (idle-conns.mjs).
// `minResponseBytes` is the least a complete response can take (status line + CRLF + body):
// wrk's byte total must reach responses × that, a cross-check that each counted response was whole.
// `noP99`: wrk 4.1's percentiles are wrong for pipelined runs (see lib/wrk.mjs), so none is shown.
// `servers`: only these servers run it; `baseline`: its ratios are to this server, not node:http;
// `userRoutes`: its servers must also pass the /users route checks (http-check.mjs).
import { BODY_64K, HELLO, UPLOAD_BYTES } from '../servers/payloads.mjs';
import { CREATED_JSON, USER_ID, USER_JSON } from '../servers/users.mjs';

const STATUS_LINE = 'HTTP/1.1 200 OK\r\n\r\n'.length;
export const IDLE_CONNECTIONS = 10_000;

export const SCENARIOS = [
  { id: 'hello', title: 'hello, keep-alive, -c50', kind: 'wrk', connections: 50, path: '/hello', unit: 'req/s', minResponseBytes: STATUS_LINE + HELLO.length },
  // Issue 14: the cost of continuing a caller's trace (parse traceparent, the request's trace
  // context, its exemplar) against the same run without the header (`hello`). Only the full
  // service reads the header; node:http is the ratio's baseline as in every column.
  {
    id: 'hello-trace',
    title: 'hello, keep-alive, -c50, with a traceparent header',
    kind: 'wrk',
    connections: 50,
    path: '/hello',
    headers: ['traceparent: 00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01'],
    servers: ['service', 'node-http'],
    unit: 'req/s',
    minResponseBytes: STATUS_LINE + HELLO.length,
  },
  {
    id: 'pipeline',
    title: 'hello, pipelined 16 per write, -c50',
    kind: 'wrk',
    connections: 50,
    path: '/hello',
    lua: 'pipeline.lua',
    unit: 'req/s',
    noP99: true,
    minResponseBytes: STATUS_LINE + HELLO.length,
  },
  {
    id: 'close',
    title: 'hello, Connection: close, -c50',
    kind: 'wrk',
    connections: 50,
    path: '/hello',
    headers: ['Connection: close'],
    unit: 'req/s',
    minResponseBytes: STATUS_LINE + HELLO.length,
  },
  {
    id: '64k',
    title: 'GET 64 KiB response, -c50',
    kind: 'wrk',
    connections: 50,
    path: '/64k',
    unit: 'MB/s',
    payloadBytes: BODY_64K.length,
    minResponseBytes: STATUS_LINE + BODY_64K.length,
  },
  {
    id: 'upload',
    title: 'POST 1 MiB body, read fully, -c50',
    kind: 'wrk',
    connections: 50,
    path: '/upload',
    lua: 'upload.lua',
    unit: 'MB/s',
    payloadBytes: UPLOAD_BYTES,
    minResponseBytes: STATUS_LINE + `${UPLOAD_BYTES}\n`.length,
  },
  { id: 'c1000', title: 'hello, keep-alive, -c1000', kind: 'wrk', connections: 1000, path: '/hello', unit: 'req/s', minResponseBytes: STATUS_LINE + HELLO.length },
  { id: 'idle10k', title: `RSS with ${IDLE_CONNECTIONS.toLocaleString('en')} idle keep-alive connections`, kind: 'idle', unit: 'MB RSS' },
  {
    id: 'route',
    title: 'GET /users/:id → {"id":…}, keep-alive, -c50',
    kind: 'wrk',
    connections: 50,
    path: `/users/${USER_ID}`,
    unit: 'req/s',
    servers: ['routes', 'fastify'],
    baseline: 'fastify',
    userRoutes: true,
    minResponseBytes: STATUS_LINE + USER_JSON.length,
  },
  {
    id: 'route-post',
    title: 'POST /users, zod-validated JSON body, keep-alive, -c50',
    kind: 'wrk',
    connections: 50,
    path: '/users',
    lua: 'users-post.lua',
    unit: 'req/s',
    servers: ['routes', 'fastify'],
    baseline: 'fastify',
    userRoutes: true,
    minResponseBytes: STATUS_LINE + CREATED_JSON.length,
  },
];
