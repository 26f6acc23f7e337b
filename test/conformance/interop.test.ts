/**
 * Interoperability with real clients against our fixture server (test/cpython/handler.ts):
 * Node's fetch with keep-alive, curl (HTTP/1.0, 1.1 and --http0.9), CPython 3.13's http.client.
 * Each test starts its own servers on 127.0.0.1 port 0, so connection counts are its own.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startOurFixture, type OurFixture } from '../cpython/our-fixture.js';
import { findPython, runPython } from '../helpers/cpython.js';

const CURL = '/usr/bin/curl';
const curlMissing = existsSync(CURL) ? '' : ` [skipped: ${CURL} not found; apt-get install curl]`;
const python313 = findPython('3.13');
const pythonMissing = python313.found ? '' : ` [skipped: ${python313.reason}]`;

interface CurlResult {
  code: number;
  stdout: string;
  stderr: string;
}

function curl(args: readonly string[], timeoutMs = 10_000): Promise<CurlResult> {
  return new Promise((resolve) => {
    execFile(CURL, ['-sS', '--max-time', '5', ...args], { timeout: timeoutMs, encoding: 'latin1' }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : -1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

let fixture: OurFixture;
let base10: string;
let base11: string;

beforeEach(async () => {
  fixture = await startOurFixture({ quiet: true });
  base10 = `http://127.0.0.1:${fixture.ports['1.0']}`;
  base11 = `http://127.0.0.1:${fixture.ports['1.1']}`;
});

afterEach(async () => {
  await fixture.stop();
});

describe("Node's fetch", () => {
  it('sends several requests over one kept-alive connection (protocolVersion HTTP/1.1)', async () => {
    const seen: string[] = [];
    const next = async (path: string, init: RequestInit = {}): Promise<Response> => {
      const res = await fetch(`${base11}${path}`, init);
      seen.push(`${res.status} ${res.statusText} ${await res.text()}`);
      // undici marks its connection idle a tick after the body ends; a request sent in the same
      // tick opens a second connection (it does so against node:http's server too).
      await new Promise((resolve) => setImmediate(resolve));
      return res;
    };
    for (const path of ['/one', '/two', '/three']) await next(path);
    await next('/echo', { method: 'POST', body: 'posted body' });
    await next('/reason');
    await next('/echo', { method: 'POST', body: new Uint8Array(200_000).fill(0x61) });
    await next('/four');
    expect(seen.slice(0, 5)).toEqual([
      '200 OK GET /one HTTP/1.1\n',
      '200 OK GET /two HTTP/1.1\n',
      '200 OK GET /three HTTP/1.1\n',
      '200 OK posted body',
      '200 Totally Fine reason\n',
    ]);
    expect(seen[5]).toBe(`200 OK ${'a'.repeat(200_000)}`);
    expect(seen[6]).toBe('200 OK GET /four HTTP/1.1\n');
    expect(fixture.connections['1.1']).toBe(1);
  });

  it('gets HEAD headers without a body', async () => {
    // undici closes its connection after any HEAD response (nodejs/undici#262), so no count here.
    const head = await fetch(`${base11}/head`, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.headers.get('content-length')).toBe(String('HEAD /head HTTP/1.1\n'.length));
    expect(await head.text()).toBe('');
  });

  it('opens a new connection after each response of an HTTP/1.0 server and after sendError', async () => {
    for (const path of ['/a', '/b']) expect(await (await fetch(`${base10}${path}`)).text()).toBe(`GET ${path} HTTP/1.1\n`);
    expect(fixture.connections['1.0']).toBe(2);
    const missing = await fetch(`${base11}/error/404`);
    expect([missing.status, missing.statusText, missing.headers.get('connection')]).toEqual([404, 'Not Found', 'close']);
    expect(await missing.text()).toContain('<p>Error code: 404</p>');
    expect(await (await fetch(`${base11}/after`)).text()).toBe('GET /after HTTP/1.1\n');
    expect(fixture.connections['1.1']).toBe(2);
  });
});

describe(`curl${curlMissing}`, () => {
  it.skipIf(curlMissing !== '')('--http1.0 gets the body and a closed connection', async () => {
    const r = await curl(['--http1.0', '-i', `${base11}/ten`]);
    expect(r.code).toBe(0);
    const [head, body] = r.stdout.split('\r\n\r\n');
    expect(head?.split('\r\n')[0]).toBe('HTTP/1.1 200 OK');
    expect(body).toBe('GET /ten HTTP/1.0\n');
    expect(fixture.connections['1.1']).toBe(1);
  });

  it.skipIf(curlMissing !== '')('--http1.1 reuses one connection for several URLs', async () => {
    const r = await curl(['--http1.1', '-w', '[%{num_connects} %{http_version} %{http_code}]\n', `${base11}/a`, `${base11}/b`, `${base11}/c`]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('GET /a HTTP/1.1\n[1 1.1 200]\nGET /b HTTP/1.1\n[0 1.1 200]\nGET /c HTTP/1.1\n[0 1.1 200]\n');
    expect(fixture.connections['1.1']).toBe(1);
  });

  it.skipIf(curlMissing !== '')('--http1.1 POST with Expect: 100-continue gets 100 Continue, then the echo', async () => {
    const body = 'x'.repeat(5_000);
    const r = await curl(['--http1.1', '-v', '-H', 'Expect: 100-continue', '--data-binary', body, `${base11}/echo`]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(body);
    expect(r.stderr).toMatch(/^< HTTP\/1\.1 100 Continue\r?$/m);
    expect(r.stderr).toMatch(/^< HTTP\/1\.1 200 OK\r?$/m);
  });

  it.skipIf(curlMissing !== '')('--http0.9 accepts the bare HTTP/0.9 answer to a "GET /path" request line', async () => {
    // A method with CRLF makes curl's request line "GET /nine\r\n / HTTP/1.1": our server reads
    // the 0.9 request line "GET /nine" and answers the bare body at once.
    const allowed = await curl(['--http0.9', '-X', 'GET /nine\r\n', `${base11}/`]);
    expect([allowed.code, allowed.stdout]).toEqual([0, 'GET /nine HTTP/0.9\n']);
    const refused = await curl(['-X', 'GET /nine\r\n', `${base11}/`]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('Received HTTP/0.9 when not allowed');
  });

  it.skipIf(curlMissing !== '')('shows sendError pages with their status and reason', async () => {
    const r = await curl(['--http1.1', '-i', `${base11}/error-custom`]);
    expect(r.code).toBe(0);
    expect(r.stdout.split('\r\n')[0]).toBe(`HTTP/1.1 403 <script>alert('x')</script> & "q"`);
    expect(r.stdout).toContain('<p>Message: &lt;script&gt;alert(\'x\')&lt;/script&gt; &amp; "q".</p>');
  });
});

const HTTP_CLIENT_SCRIPT = `
import http.client, json, sys
conn = http.client.HTTPConnection('127.0.0.1', int(sys.argv[1]), timeout=10)
out = []
def do(method, url, body=None, headers=None, **kw):
    conn.request(method, url, body=body, headers=headers or {}, **kw)
    port = conn.sock.getsockname()[1]
    r = conn.getresponse()
    data = r.read()
    out.append({'status': r.status, 'reason': r.reason, 'version': r.version,
                'body': data.decode('latin-1'), 'port': port,
                'connection': r.getheader('Connection')})
do('GET', '/one')
do('POST', '/echo', body=b'hello body', headers={'Content-Type': 'text/plain'})
do('POST', '/echo', body=iter([b'chunk-1 ', b'', b'chunk-2']),
   headers={'Transfer-Encoding': 'chunked'}, encode_chunked=True)
do('HEAD', '/head')
do('GET', '/error/404')
do('GET', '/after')
print(json.dumps(out))
`;

describe(`CPython 3.13 http.client${pythonMissing}`, () => {
  it.skipIf(!python313.found)('keeps one HTTPConnection for GET, POST, chunked POST and HEAD', async () => {
    if (!python313.found) return;
    const r = await runPython(python313.python, ['-c', HTTP_CLIENT_SCRIPT, String(fixture.ports['1.1'])]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const results = JSON.parse(r.stdout) as Array<{
      status: number;
      reason: string;
      version: number;
      body: string;
      port: number;
      connection: string | null;
    }>;
    expect(results.map(({ port: _port, ...rest }) => rest)).toEqual([
      { status: 200, reason: 'OK', version: 11, body: 'GET /one HTTP/1.1\n', connection: null },
      { status: 200, reason: 'OK', version: 11, body: 'hello body', connection: null },
      { status: 200, reason: 'OK', version: 11, body: 'chunk-1 chunk-2', connection: null },
      { status: 200, reason: 'OK', version: 11, body: '', connection: null },
      { status: 404, reason: 'Not Found', version: 11, body: expect.stringContaining('Error code: 404') as string, connection: 'close' },
      { status: 200, reason: 'OK', version: 11, body: 'GET /after HTTP/1.1\n', connection: null },
    ]);
    const ports = results.map((x) => x.port);
    expect(new Set(ports.slice(0, 5)).size).toBe(1);
    expect(ports[5]).not.toBe(ports[0]);
    expect(fixture.connections['1.1']).toBe(2);
  });
});
