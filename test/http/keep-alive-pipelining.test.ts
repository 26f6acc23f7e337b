import { afterEach, describe, expect, test } from 'vitest';
import { RequestLoop } from '../../src/http/request-loop.js';
import { BaseHTTPRequestHandler } from '../../src/index.js';
import { RawClient, sendRaw } from '../harness/client.js';
import { statuses } from '../harness/response.js';
import { startServer, type RunningServer } from '../harness/server.js';
import { Echo } from '../helpers/echo-handler.js';

let srv: RunningServer | null = null;
afterEach(() => {
  Echo.seen = [];
});

const get = (path: string, extra = ''): string => `GET ${path} HTTP/1.1\r\nHost: t\r\n${extra}\r\n`;

describe('keep-alive and pipelining', () => {
  test('many requests on one connection, each answered', async () => {
    srv = await startServer(Echo);
    const c = await RawClient.connect(srv.port);
    for (let i = 0; i < 20; i++) {
      c.send(get(`/r${i}`));
      const out = await c.read((s) => s.includes(`path=/r${i}\n`));
      expect(out.startsWith('HTTP/1.1 200 OK\r\n')).toBe(true);
    }
    expect(srv.server.activeConnections).toBe(1);
    c.close();
  });

  test('requests arriving in one segment are answered in order, in one write', async () => {
    srv = await startServer(Echo);
    const c = await RawClient.connect(srv.port);
    const batch = Array.from({ length: 16 }, (_, i) => get(`/p${i}`)).join('');
    c.send(batch);
    const out = await c.read((s) => s.includes('path=/p15\n'));
    const order = [...out.matchAll(/path=(\/p\d+)/g)].map((m) => m[1]);
    expect(order).toEqual(Array.from({ length: 16 }, (_, i) => `/p${i}`));
    expect(statuses(out)).toEqual(Array(16).fill(200));
    c.close();
  });

  test('requests pipelined in one read share requestStart (one clock read); each has its own requestNumber', async () => {
    const seen: Array<[string, number, number]> = [];
    class Clocked extends Echo {
      override do_GET(): void | Promise<void> {
        seen.push([this.path, this.requestStart, this.requestNumber]);
        // After an awaiting do_X the loop wakes up again: the next request reads the clock anew.
        if (this.path === '/slow') return new Promise((resolve) => setTimeout(resolve, 20)).then(() => super.do_GET());
        super.do_GET();
      }
    }
    srv = await startServer(Clocked);
    const c = await RawClient.connect(srv.port);
    c.send(get('/a') + get('/b') + get('/slow') + get('/c'));
    await c.read((s) => s.includes('path=/c\n'));
    c.send(get('/d'));
    await c.read((s) => s.includes('path=/d\n'));
    c.close();
    expect(seen.map(([path, , n]) => [path, n])).toEqual([
      ['/a', 1],
      ['/b', 2],
      ['/slow', 3],
      ['/c', 4],
      ['/d', 5],
    ]);
    const start = seen.map(([, t]) => t);
    expect(start[1]).toBe(start[0]);
    expect(start[2]).toBe(start[0]);
    expect(start[3]).toBeGreaterThan(start[2]!);
    expect(start[4]).toBeGreaterThan(start[3]!);
  });

  test('pipelined responses leave in a single socket write', async () => {
    let flushes = 0;
    class Counting extends Echo {
      override setup(): void {
        super.setup();
        const write = this.request.write.bind(this.request);
        this.request.write = ((...a: Parameters<typeof write>) => {
          flushes++;
          return write(...a);
        }) as typeof write;
      }
    }
    srv = await startServer(Counting);
    const c = await RawClient.connect(srv.port);
    c.send(Array.from({ length: 16 }, (_, i) => get(`/w${i}`)).join(''));
    await c.read((s) => s.includes('path=/w15\n'));
    expect(flushes).toBe(1);
    c.close();
  });

  test('HTTP/1.0 closes after the response; keep-alive header keeps it open on an HTTP/1.1 server', async () => {
    srv = await startServer(Echo);
    const a = await sendRaw(srv.port, 'GET /a HTTP/1.0\r\n\r\n');
    expect(a.closed).toBe(true);
    expect(statuses(a.text)).toEqual([200]);
    const c = await RawClient.connect(srv.port);
    c.send('GET /k HTTP/1.0\r\nConnection: keep-alive\r\n\r\n');
    await c.read((s) => s.includes('path=/k'));
    c.send('GET /k2 HTTP/1.0\r\nConnection: keep-alive\r\n\r\n');
    expect(await c.read((s) => s.includes('path=/k2'))).toContain('200 OK');
    c.close();
  });

  test('Connection: close on HTTP/1.1 closes after the response; first Connection header wins', async () => {
    srv = await startServer(Echo);
    const r = await sendRaw(srv.port, get('/c', 'Connection: close\r\nConnection: keep-alive\r\n') + get('/never'));
    expect(r.closed).toBe(true);
    expect(statuses(r.text)).toEqual([200]);
    expect(Echo.seen).toEqual(['GET /c']);
  });

  test('an HTTP/1.0 server (the default protocolVersion) closes every connection', async () => {
    class Plain extends Echo {
      override protocolVersion = 'HTTP/1.0';
    }
    srv = await startServer(Plain);
    const r = await sendRaw(srv.port, get('/one') + get('/two'));
    expect(r.closed).toBe(true);
    expect(r.text.startsWith('HTTP/1.0 200 OK')).toBe(true);
    expect(statuses(r.text)).toEqual([200]);
  });

  test('a request split byte by byte is parsed the same', async () => {
    srv = await startServer(Echo);
    const bytes = [...get('/slow', 'X-A: 1\r\n')].map((ch) => ch);
    const r = await sendRaw(srv.port, [...bytes, get('/next', 'Connection: close\r\n')], { delayMs: 1 });
    expect(statuses(r.text)).toEqual([200, 200]);
    expect(Echo.seen).toEqual(['GET /slow', 'GET /next']);
  });

  test('responses are written only by handlers: a do_X that writes nothing leaves the connection usable', async () => {
    class Quiet extends BaseHTTPRequestHandler {
      override protocolVersion = 'HTTP/1.1';
      do_GET(): void {
        this.sendResponse(204);
        this.endHeaders();
      }
      override logMessage(): void {}
    }
    srv = await startServer(Quiet);
    const r = await sendRaw(srv.port, get('/a') + get('/b', 'Connection: close\r\n'));
    expect(statuses(r.text)).toEqual([204, 204]);
  });

  test('a subclass extending handleOneRequest() is called once per request, waiting or pipelined', async () => {
    const calls: string[] = [];
    class Counting extends Echo {
      override handleOneRequest(): void | Promise<void> {
        calls.push('call');
        return super.handleOneRequest();
      }
    }
    srv = await startServer(Counting);
    const c = await RawClient.connect(srv.port);
    c.send(get('/a'));
    await c.read((s) => s.includes('path=/a\n'));
    c.send(get('/b') + get('/c'));
    await c.read((s) => s.includes('path=/c\n'));
    c.send(get('/d', 'Connection: close\r\n'));
    await c.read((s) => s.includes('path=/d\n'));
    await c.closed;
    expect(Echo.seen).toEqual(['GET /a', 'GET /b', 'GET /c', 'GET /d']);
    expect(calls.length).toBe(4);
  });

  test('the per-connection request loop is not a thenable (await or resolve() would call its then)', () => {
    expect('then' in RequestLoop.prototype).toBe(false);
  });

  test('an extended handleOneRequest() that awaits is waited on; when it rejects, handleError gets the error and the connection closes', async () => {
    const errors: string[] = [];
    let calls = 0;
    class Awaiting extends Echo {
      override async handleOneRequest(): Promise<void> {
        calls++;
        await new Promise((resolve) => setImmediate(resolve));
        if (calls === 3) throw new Error('hook failed');
        await super.handleOneRequest();
      }
    }
    srv = await startServer(Awaiting);
    srv.server.handleError = (_request, _address, e) => {
      errors.push((e as Error).message);
    };
    const c = await RawClient.connect(srv.port);
    c.send(get('/a') + get('/b'));
    const out = await c.read((s) => s.includes('path=/b\n'));
    expect(statuses(out)).toEqual([200, 200]);
    await c.closed;
    expect(Echo.seen).toEqual(['GET /a', 'GET /b']);
    expect(errors).toEqual(['hook failed']);
    expect(calls).toBe(3);
  });

  test('heads longer than the first line table grow it on the same connection; the limit still holds', async () => {
    const fields = (n: number): string => Array.from({ length: n }, (_, i) => `X-F${i}: ${i}\r\n`).join('');
    srv = await startServer(Echo);
    const c = await RawClient.connect(srv.port);
    const answers: number[] = [];
    c.send(get('/few', fields(2)));
    answers.push(...statuses(await c.read((s) => s.includes('path=/few\n'))));
    // 98 fields + Host + the blank line = 100 lines: CPython's limit, accepted.
    c.send(get('/many', fields(98)));
    answers.push(...statuses(await c.read((s) => s.includes('path=/many\n'))));
    c.send(get('/few2', fields(1)));
    answers.push(...statuses(await c.read((s) => s.includes('path=/few2\n'))));
    c.send(get('/over', fields(99)));
    answers.push(...statuses(await c.read((s) => s.includes('431'))));
    await c.closed;
    expect(answers).toEqual([200, 200, 200, 431]);
    expect(Echo.seen).toEqual(['GET /few', 'GET /many', 'GET /few2']);
  });

  test("a read the handler gave up on does not take the next request's bytes", async () => {
    const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
    let inSlow!: () => void;
    const slowEntered = new Promise<void>((r) => (inSlow = r));
    class Racing extends Echo {
      override async do_GET(): Promise<void> {
        if (this.path === '/race') await Promise.race([this.rfile.read(5), sleep(20)]); // abandoned read
        if (this.path === '/slow') {
          // Busy until the next request's bytes have reached this connection's reader (at most
          // 5 s: an abandoned read that took them would leave nothing, and the test fails).
          inSlow();
          for (let i = 0; i < 1_000 && this.rfile.available === 0; i++) await sleep(5);
        }
        super.do_GET();
      }
    }
    srv = await startServer(Racing);
    const c = await RawClient.connect(srv.port);
    c.send(get('/race'));
    await c.read((s) => s.includes('path=/race\n'));
    c.send(get('/slow'));
    await slowEntered; // /third arrives while the handler is busy with /slow
    c.send(get('/third'));
    const out = await c.read((s) => s.includes('path=/third\n') || s.includes(' 400 '));
    expect(statuses(out)).toEqual([200, 200]);
    expect(Echo.seen).toEqual(['GET /race', 'GET /slow', 'GET /third']);
    c.close();
  });
});
