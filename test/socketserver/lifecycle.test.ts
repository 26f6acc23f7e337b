import { createServer, type Socket } from 'node:net';
import { describe, expect, test } from 'vitest';
import { BaseHTTPError, HTTPServer } from '../../src/index.js';
import { RawClient, sendRaw } from '../harness/client.js';
import { statuses } from '../harness/response.js';
import { eventually, startServer } from '../harness/server.js';
import { Echo } from '../helpers/echo-handler.js';

/** A promise and the function that resolves it (a handler calls it on entry; the test awaits it). */
function signal(): { promise: Promise<void>; fire: () => void } {
  let fire!: () => void;
  const promise = new Promise<void>((r) => (fire = r));
  return { promise, fire };
}

describe('server lifecycle', () => {
  test('ready resolves with the real port; serverName and serverPort are set', async () => {
    const s = new HTTPServer(['127.0.0.1', 0], Echo);
    await s.ready;
    expect(s.serverAddress[1]).toBeGreaterThan(0);
    expect(s.serverPort).toBe(s.serverAddress[1]);
    expect(s.serverName).toBe('127.0.0.1');
    expect(s.allowReuseAddress).toBe(true);
    expect(s.fileno()).toBeGreaterThan(0);
    s.serverClose();
  });

  test('a finishRequest (and processRequest) override is called for each connection', async () => {
    const calls: string[] = [];
    class Extended extends HTTPServer {
      override finishRequest(...a: Parameters<HTTPServer['finishRequest']>): ReturnType<HTTPServer['finishRequest']> {
        calls.push('finish');
        return super.finishRequest(...a);
      }
    }
    class Processing extends HTTPServer {
      override processRequest(...a: Parameters<HTTPServer['processRequest']>): ReturnType<HTTPServer['processRequest']> {
        calls.push('process');
        return super.processRequest(...a);
      }
    }
    for (const S of [Extended, Processing]) {
      const s = new S(['127.0.0.1', 0], Echo);
      await s.ready;
      void s.serveForever();
      const r = await sendRaw(s.serverAddress[1], 'GET /f HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n');
      expect(statuses(r.text)).toEqual([200]);
      await s.shutdown();
      s.serverClose();
    }
    expect(calls).toEqual(['finish', 'process']);
  });

  test('ready rejects on EADDRINUSE', async () => {
    const blocker = createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
    const port = (blocker.address() as { port: number }).port;
    const s = new HTTPServer(['127.0.0.1', port], Echo);
    await expect(s.ready).rejects.toMatchObject({ code: 'EADDRINUSE' });
    blocker.close();
  });

  test('bindAndActivate=false binds only when asked', async () => {
    // Binding starts a microtask after the constructor: count serverBind() calls after a whole
    // event-loop turn, with a server constructed the default way as the control.
    class Counting extends HTTPServer {
      binds = 0;
      override serverBind(): Promise<void> {
        this.binds++;
        return super.serverBind();
      }
    }
    const s = new Counting(['127.0.0.1', 0], Echo, false);
    const control = new Counting(['127.0.0.1', 0], Echo);
    await new Promise((resolve) => setImmediate(resolve));
    expect([s.binds, control.binds]).toEqual([0, 1]);
    await control.ready;
    control.serverClose();
    expect(s.socket).toBeNull();
    await s.serverBind();
    await s.serverActivate();
    await s.ready;
    expect(s.serverPort).toBeGreaterThan(0);
    s.serverClose();
  });

  test('serveForever settles after shutdown(); shutdown is idempotent', async () => {
    const s = new HTTPServer(['127.0.0.1', 0], Echo);
    await s.ready;
    const loop = s.serveForever();
    await expect(s.serveForever()).rejects.toMatchObject({ code: 'ERR_SERVER_RUNNING' });
    const r = await sendRaw(s.serverAddress[1], 'GET / HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n');
    expect(statuses(r.text)).toEqual([200]);
    const a = s.shutdown();
    const b = s.shutdown();
    expect(a).toBe(b);
    await a;
    await loop;
    s.serverClose();
    await expect(s.serveForever()).rejects.toBeInstanceOf(BaseHTTPError);
  });

  test('handleRequest() serves one connection; connections before serving wait in the backlog', async () => {
    const accepted = signal();
    class Watched extends HTTPServer {
      protected override acceptRequest(socket: Socket): void {
        super.acceptRequest(socket);
        accepted.fire();
      }
    }
    const s = new Watched(['127.0.0.1', 0], Echo);
    await s.ready;
    const pending = sendRaw(s.serverAddress[1], 'GET /early HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n');
    await accepted.promise; // accepted while nothing serves: it waits in the backlog
    expect(s.activeConnections).toBe(0);
    await s.handleRequest();
    expect(statuses((await pending).text)).toEqual([200]);
    s.serverClose();
  });

  test('handleRequest() calls handleTimeout() when no connection comes within timeout', async () => {
    let timedOut = 0;
    class T extends HTTPServer {
      override timeout = 0.05;
      override handleTimeout(): void {
        timedOut++;
      }
    }
    const s = new T(['127.0.0.1', 0], Echo);
    await s.ready;
    await s.handleRequest();
    expect(timedOut).toBe(1);
    s.serverClose();
  });

  test('shutdown: idle keep-alive connections close at once, a busy one finishes with Connection: close', async () => {
    let release: () => void = () => {};
    const entered = signal();
    class Slow extends Echo {
      override async do_POST(): Promise<void> {
        entered.fire();
        await new Promise<void>((r) => (release = r));
        this.sendResponse(200);
        this.sendHeader('Content-Length', 4);
        this.endHeaders();
        this.wfile.write('done');
      }
    }
    const s = new HTTPServer(['127.0.0.1', 0], Slow);
    await s.ready;
    const loop = s.serveForever();
    const port = s.serverAddress[1];
    const idle = await RawClient.connect(port);
    idle.send('GET / HTTP/1.1\r\nHost: t\r\n\r\n');
    await idle.read((x) => x.includes('path=/'));
    const busy = await RawClient.connect(port);
    busy.send('POST /slow HTTP/1.1\r\nHost: t\r\nContent-Length: 0\r\n\r\n');
    await entered.promise; // the request is in the handler when the shutdown begins
    const down = s.shutdown();
    await idle.closed;
    // New connections are refused.
    await expect(RawClient.connect(port)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    release();
    const out = await busy.read((x) => x.endsWith('done'));
    expect(out).toContain('HTTP/1.1 200 OK');
    expect(out).toContain('Connection: close\r\n');
    await busy.closed;
    await down;
    await loop;
    expect(s.connectionsCut).toBe(0);
    s.serverClose();
  });

  test('shutdown timeout destroys connections that do not finish and counts them', async () => {
    let cutReported = -1;
    const entered = signal();
    class Stuck extends Echo {
      override async do_POST(): Promise<void> {
        entered.fire();
        await new Promise(() => {});
      }
    }
    class S extends HTTPServer {
      override shutdownTimeoutMs = 100;
      override handleShutdownTimeout(cut: number): void {
        cutReported = cut;
      }
    }
    const s = new S(['127.0.0.1', 0], Stuck);
    await s.ready;
    void s.serveForever();
    const c = await RawClient.connect(s.serverAddress[1]);
    c.send('POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 0\r\n\r\n');
    await entered.promise;
    await s.shutdown();
    await c.closed;
    expect(s.connectionsCut).toBe(1);
    expect(cutReported).toBe(1);
    s.serverClose();
  });

  test('maxConnections: a connection beyond the limit gets 503 and close', async () => {
    const { server: s, port } = await startServer(Echo, { maxConnections: 1 });
    const first = await RawClient.connect(port);
    expect(await eventually(() => s.activeConnections === 1, 5_000)).toBe(true);
    const second = await sendRaw(port, 'GET / HTTP/1.1\r\nHost: t\r\n\r\n');
    expect(second.text.startsWith('HTTP/1.1 503 ')).toBe(true);
    expect(second.closed).toBe(true);
    first.close();
  });
});
