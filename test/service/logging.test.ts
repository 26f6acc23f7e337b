import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { get, RawClient, request, requestBytes } from '../harness/client.js';
import { type ServiceChild, startService } from '../fixtures/service/child.js';

const HANDLER = './test/fixtures/service/test-handler.mjs';
const GENERATED_ID = /^[0-9a-z]{8}-\d+$/;

let child: ServiceChild | null = null;
afterEach(async () => {
  await child?.stop();
  child = null;
});

describe('access records', () => {
  it('logs one pino-http style record per request, after the response', async () => {
    child = await startService();
    const c = await RawClient.connect(child.appPort);
    const head = `GET /?q=1 HTTP/1.1\r\nHost: x\r\nUser-Agent: test-agent/1.0\r\nReferer: http://ref.example/\r\n\r\n`;
    const localPort = c.socket.localPort;
    c.send(head);
    const r = await c.response();
    c.close();
    expect(r.status).toBe(200);
    const rec = await child.waitFor((x) => x.msg === 'request completed');
    const { raw: _raw, time, pid, hostname, responseTime, requestId, req, route, trace_id, span_id, trace_flags, ...rest } = rec;
    expect(route).toBe('/');
    expect(Object.keys(rec).filter((k) => k !== 'raw')).toEqual([
      'level',
      'time',
      'pid',
      'hostname',
      'req',
      'res',
      'route',
      'responseTime',
      'bytesSent',
      'bytesReceived',
      'httpVersion',
      'userAgent',
      'referer',
      'requestId',
      'trace_id',
      'span_id',
      'trace_flags',
      'msg',
    ]);
    expect([trace_id, span_id, trace_flags]).toEqual([expect.stringMatching(/^[0-9a-f]{32}$/), expect.stringMatching(/^[0-9a-f]{16}$/), '01']);
    expect(typeof time).toBe('number');
    expect(pid).toBe(child.proc.pid);
    expect(typeof hostname).toBe('string');
    expect(responseTime).toBeGreaterThanOrEqual(0);
    expect(responseTime).toBeLessThan(10_000); // milliseconds: a number of the right unit, not a speed
    expect(requestId).toBe(r.headers['x-request-id']);
    expect(req).toEqual({ method: 'GET', url: '/?q=1', remoteAddress: '127.0.0.1', remotePort: localPort });
    expect(rest).toEqual({
      level: 30,
      res: { statusCode: 200 },
      bytesSent: rest.bytesSent,
      bytesReceived: Buffer.byteLength(head),
      httpVersion: 'HTTP/1.1',
      userAgent: 'test-agent/1.0',
      referer: 'http://ref.example/',
      msg: 'request completed',
    });
    // bytesSent counts the whole response: status line, headers, body.
    const headerBytes = r.rawHeaders.reduce((n, [k, v]) => n + k.length + v.length + 4, 0);
    expect(rest.bytesSent).toBe(Buffer.byteLength('HTTP/1.1 200 OK\r\n') + headerBytes + 2 + r.body.length);
  });

  it('logs a refused request with what is known of it', async () => {
    child = await startService();
    const c = await RawClient.connect(child.appPort);
    const localPort = c.socket.localPort;
    c.send('GET / HTTP/1.1\r\nHost: x\r\n\r\n'); // a good request first: its fields must not leak into the next record
    await c.response();
    c.send('BROKEN\x01 / HTTP/1.1\r\nHost: x\r\n\r\n');
    const r = await c.response();
    expect(r.status).toBe(400);
    await child.waitFor((x) => x.msg === 'request completed' && x.res.statusCode === 400);
    const [, bad] = child.access();
    expect(bad!.req).toEqual({ method: null, url: null, remoteAddress: '127.0.0.1', remotePort: localPort });
    expect([bad!.userAgent, bad!.referer]).toEqual([null, null]);
    expect(bad!.requestId).toMatch(GENERATED_ID);
    expect(bad!.requestId).toBe(r.headers['x-request-id']);
    // ...and the error stream says why, as a warning.
    const err = await child.waitFor((x) => x.reason === 'bad_request', 'stderr');
    expect(err.level).toBe(40);
    expect(err.msg).toMatch(/^code 400, message Bad request syntax/);
    expect(err.requestId).toBe(bad!.requestId);
    c.close();
  });

  it('escapes what the client controls', async () => {
    child = await startService();
    const ua = 'evil" \\ agent\tÿ';
    const r = await request(child.appPort, 'GET', '/', { 'User-Agent': Buffer.from(ua, 'latin1').toString('latin1') });
    expect(r.status).toBe(200);
    const rec = await child.waitFor((x) => x.msg === 'request completed');
    expect(rec.userAgent).toBe(ua);
  });

  it('keeps a well-formed X-Request-Id and replaces a malformed one', async () => {
    child = await startService();
    const good = 'req-1.A:b_c';
    const r1 = await request(child.appPort, 'GET', '/', { 'X-Request-Id': good });
    expect(r1.headers['x-request-id']).toBe(good);
    for (const bad of ['has space', 'x'.repeat(129), 'quote"d', '']) {
      const r = await request(child.appPort, 'GET', '/', { 'X-Request-Id': bad });
      expect(r.headers['x-request-id']).toMatch(GENERATED_ID);
    }
    const r3 = await request(child.appPort, 'GET', '/nope');
    expect(r3.status).toBe(404);
    expect(r3.headers['x-request-id']).toMatch(GENERATED_ID);
    await child.waitFor(() => child!.access().length === 6);
    const ids = child.access().map((x) => x.requestId);
    expect(ids[0]).toBe(good);
    expect(new Set(ids).size).toBe(6);
    expect(ids.slice(1).every((id) => GENERATED_ID.test(id))).toBe(true);
  });

  it('gives each response the X-Request-Id its record has, generated ids in sequence past the thousands', async () => {
    // Issue 16: generated ids are written from a cached per-thousand base and a three-digit table
    // (request-id.ts), and the access record writes the number itself: both must agree.
    child = await startService({ HANDLER_MODULE: HANDLER });
    const c = await RawClient.connect(child.appPort);
    const N = 2100;
    const ids: string[] = [];
    for (let i = 0; i < N; i += 100) {
      for (let j = 0; j < 100; j++) get(c, child.appPort, i + j === 1500 ? '/ok?own' : `/ok?i=${i + j}`, i + j === 1500 ? { 'X-Request-Id': 'own.id' } : {});
      for (let j = 0; j < 100; j++) ids.push((await c.response()).headers['x-request-id']!);
    }
    c.close();
    await child.waitFor(() => child!.access().length === N);
    expect(child.access().map((r) => r.requestId)).toEqual(ids);
    expect(ids[1500]).toBe('own.id');
    const generated = ids.filter((_, k) => k !== 1500);
    const prefix = generated[0]!.slice(0, 9);
    const first = Number(generated[0]!.slice(9));
    expect(generated).toEqual(generated.map((_, k) => `${prefix}${first + k}`));
    expect(generated.every((id) => GENERATED_ID.test(id))).toBe(true);
  });

  it('gives requests pipelined in one read ids, trace ids and routes of their own', async () => {
    // They share one requestStart (one clock read per read: the example app answers them
    // synchronously); the ids and the route are keyed on requestNumber.
    child = await startService();
    const c = await RawClient.connect(child.appPort);
    const paths = Array.from({ length: 16 }, (_, i) => (i % 4 === 3 ? `/nope?p=${i}` : `/?p=${i}`));
    c.send(paths.map((p) => requestBytes(child!.appPort, 'GET', p, {})).join(''));
    const ids: string[] = [];
    for (let i = 0; i < 16; i++) ids.push((await c.response()).headers['x-request-id']!);
    c.close();
    await child.waitFor(() => child!.access().length === 16);
    const records = child.access();
    expect(records.map((r) => r.req.url)).toEqual(paths);
    expect(records.map((r) => r.route)).toEqual(paths.map((p) => (p.startsWith('/nope') ? 'unmatched' : '/')));
    expect(records.map((r) => r.requestId)).toEqual(ids);
    expect(new Set(ids).size).toBe(16);
    expect(new Set(records.map((r) => r.trace_id)).size).toBe(16);
    expect(new Set(records.map((r) => r.span_id)).size).toBe(16);
  });

  it('answers an HTTP/0.9 request with the body alone, and logs its id', async () => {
    child = await startService({ HANDLER_MODULE: HANDLER });
    const c = await RawClient.connect(child.appPort);
    c.send('GET /ok\r\n');
    expect(await c.waitClosed(5000)).toBe('close');
    expect(c.text).toBe('ok\n');
    const rec = await child.waitFor((x) => x.msg === 'request completed');
    expect([rec.httpVersion, rec.requestId]).toEqual(['HTTP/0.9', expect.stringMatching(GENERATED_ID)]);
  });

  it.each(['send-header-handler.mjs', 'send-header-loop-handler.mjs', 'instance-send-header-handler.mjs'])(
    'shows X-Request-Id to a handler whose sendHeader is its own (%s)',
    async (fixture) => {
      // In the class, in a class that also extends handleOneRequest, set on the instance.
      child = await startService({ HANDLER_MODULE: `./test/fixtures/service/${fixture}` });
      const r = await request(child.appPort, 'GET', '/');
      expect(r.headers['x-request-id']).toMatch(GENERATED_ID);
      // The handler echoes the header names it was asked to send, in order, in its X-Seen header.
      expect(r.headers['x-seen']).toBe('Server,Date,X-Request-Id');
    },
  );

  it('does not log probes or /metrics unless ACCESS_LOG_PROBES is on', async () => {
    child = await startService();
    await request(child.metricsPort, 'GET', '/healthz');
    await request(child.metricsPort, 'GET', '/metrics');
    await request(child.appPort, 'GET', '/');
    // Every record is out once the process has exited (ServiceChild.exited: pipes drained).
    child.signal('SIGTERM');
    expect((await child.exited).code).toBe(0);
    expect(child.access().map((x) => x.req.url)).toEqual(['/']);

    child = await startService({ ACCESS_LOG_PROBES: 'yes' });
    await request(child.metricsPort, 'GET', '/readyz');
    const rec = await child.waitFor((x) => x.msg === 'request completed');
    expect(rec.req.url).toBe('/readyz');
  });

  it('writes no access records with ACCESS_LOG=off', async () => {
    child = await startService({ ACCESS_LOG: 'off' });
    const r = await request(child.appPort, 'GET', '/');
    expect(r.status).toBe(200);
    expect(r.headers['x-request-id']).toMatch(GENERATED_ID);
    // Every record is out once the process has exited (ServiceChild.exited: pipes drained).
    child.signal('SIGTERM');
    expect((await child.exited).code).toBe(0);
    await child.waitFor((x) => x.msg === 'shutdown complete');
    expect(child.access()).toEqual([]);
  });

  it('loses no record when the process exits after a burst', async () => {
    child = await startService({ HANDLER_MODULE: HANDLER });
    const N = 4000;
    const clients = await Promise.all(Array.from({ length: 4 }, () => RawClient.connect(child!.appPort)));
    await Promise.all(
      clients.map(async (c) => {
        for (let i = 0; i < N / clients.length; i += 50) {
          for (let j = 0; j < 50; j++) get(c, child!.appPort, `/ok?i=${i + j}`);
          for (let j = 0; j < 50; j++) expect((await c.response()).status).toBe(200);
        }
      }),
    );
    child.signal('SIGTERM');
    const { code } = await child.exited;
    expect(code).toBe(0);
    await child.waitFor((x) => x.msg === 'shutdown complete');
    expect(child.access()).toHaveLength(N);
    expect(child.stdout.at(-1)!.msg).toBe('shutdown complete');
    for (const c of clients) c.close();
  });
});

describe('error records', () => {
  it('sends a handler exception to stderr with the request, credentials redacted', async () => {
    child = await startService({ HANDLER_MODULE: HANDLER });
    const r = await request(child.appPort, 'GET', '/boom', {
      Authorization: 'Bearer SECRET-TOKEN-1',
      Cookie: 'sid=SECRET-COOKIE-2',
      'Proxy-Authorization': 'Basic SECRET-PROXY-3',
      'X-Request-Id': 'trace-42',
    });
    expect(r.status).toBe(500);
    expect(r.headers['x-request-id']).toBe('trace-42');
    const rec = await child.waitFor((x) => x.msg === 'handler error', 'stderr');
    expect(rec.level).toBe(50);
    expect(rec.requestId).toBe('trace-42');
    expect(rec.err.message).toBe('boom: the handler failed');
    expect(rec.err.stack).toMatch(/at ServiceHandler.do_GET \(.*test-handler.mjs:\d+:\d+\)/);
    expect(rec.req.method).toBe('GET');
    expect(rec.req.url).toBe('/boom');
    expect(rec.req.headers.authorization).toBe('[Redacted]');
    expect(rec.req.headers.cookie).toBe('[Redacted]');
    expect(rec.req.headers['proxy-authorization']).toBe('[Redacted]');
    expect(rec.req.headers['x-request-id']).toBe('trace-42');
    await child.waitFor((x) => x.msg === 'request completed' && x.res.statusCode === 500);
    const everything = [...child.stdout, ...child.stderr].map((x) => x.raw).join('\n');
    expect(everything).not.toMatch(/SECRET/);
    // Access records go to stdout only, errors to stderr only.
    expect(child.stderr.some((x) => x.msg === 'request completed')).toBe(false);
    expect(child.stdout.some((x) => x.msg === 'handler error')).toBe(false);
  });

  it('reports a headers timeout as a warning with reason timeout', async () => {
    child = await startService({ HEADERS_TIMEOUT_MS: '300' });
    const c = await RawClient.connect(child.appPort);
    c.send('GET / HTTP/1.1\r\nHost: x\r\n'); // never finished
    const r = await c.response();
    expect(r.status).toBe(408);
    const err = await child.waitFor((x) => x.reason === 'timeout', 'stderr');
    expect(err.level).toBe(40);
    expect(err.msg).toBe('code 408, message Request Timeout');
    c.close();
  });

  it('writes error records to ERROR_LOG_FILE instead of stderr', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'basehttp-errlog-')), 'errors.log');
    child = await startService({ HANDLER_MODULE: HANDLER, ERROR_LOG_FILE: file });
    expect((await request(child.appPort, 'GET', '/boom')).status).toBe(500);
    await child.waitFor((x) => x.msg === 'request completed');
    const lines = readFileSync(file, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    // One record per exception: the 500 page it caused is named in `response`.
    expect(lines.map((l) => l.msg)).toEqual(['handler error']);
    expect(lines[0]!.response).toBe('code 500, message Internal Server Error');
    expect(child.stderr).toEqual([]);
  });

  it('logs a 5xx page the handler sent (no exception) once, as an error', async () => {
    child = await startService({ HANDLER_MODULE: HANDLER });
    const r = await request(child.appPort, 'GET', '/unavailable');
    expect(r.status).toBe(503);
    const rec = await child.waitFor((x) => x.msg === 'code 503, message Down for maintenance', 'stderr');
    expect([rec.level, rec.requestId, rec.req.url]).toEqual([50, r.headers['x-request-id'], '/unavailable']);
    await child.waitFor((x) => x.msg === 'request completed');
    expect(child.stderr).toHaveLength(1);
  });

  it('logs a handler-chosen 4xx page at debug only', async () => {
    child = await startService({ LOG_LEVEL: 'debug' });
    await request(child.appPort, 'GET', '/missing');
    const rec = await child.waitFor((x) => x.msg === 'code 404, message Not Found');
    expect(rec.level).toBe(20);
    await child.stop();
    child = await startService();
    await request(child.appPort, 'GET', '/missing');
    await child.waitFor((x) => x.msg === 'request completed');
    expect([...child.stdout, ...child.stderr].some((x) => x.msg === 'code 404, message Not Found')).toBe(false);
  });

  it('turns the handler’s logMessage() into an info record with the request id', async () => {
    child = await startService({ HANDLER_MODULE: HANDLER });
    const r = await request(child.appPort, 'GET', '/log');
    const rec = await child.waitFor((x) => x.msg === 'hello from the handler');
    expect(rec.level).toBe(30);
    expect(rec.requestId).toBe(r.headers['x-request-id']);
  });
});
