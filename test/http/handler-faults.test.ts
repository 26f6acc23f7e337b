import { describe, expect, test, vi } from 'vitest';
import { BaseHTTPError, BaseHTTPRequestHandler } from '../../src/index.js';
import { sendRaw } from '../harness/client.js';
import { statuses } from '../harness/response.js';
import { eventually, startServer, type RunningServer } from '../harness/server.js';

let srv: RunningServer | null = null;

class Faulty extends BaseHTTPRequestHandler {
  override protocolVersion = 'HTTP/1.1';
  do_GET(): void {
    if (this.path === '/throw') throw new Error('boom');
    if (this.path === '/half') {
      this.sendResponse(200);
      this.sendHeader('Content-Length', 100);
      this.endHeaders();
      this.wfile.write('partial');
      this.wfile.flush();
      throw new Error('after flush');
    }
    if (this.path === '/buffered') {
      this.sendResponse(200);
      this.sendHeader('Content-Length', 100);
      this.endHeaders();
      throw new Error('before flush');
    }
    this.sendResponse(200);
    this.sendHeader('Content-Length', 2);
    this.endHeaders();
    this.wfile.write('ok');
  }
  async do_POST(): Promise<void> {
    await new Promise((r) => setTimeout(r, 5));
    throw new Error('async boom');
  }
  override logMessage(): void {}
}

/** The fixture's RecordingServer keeps what reached handleError in `server.errors`. */
const startQuiet = (): Promise<RunningServer> => startServer(Faulty);

describe('faults', () => {
  test('an exception in do_X answers 500 and the server goes on', async () => {
    srv = await startQuiet();
    const r = await sendRaw(srv.port, 'GET /throw HTTP/1.1\r\nHost: t\r\n\r\nGET /never HTTP/1.1\r\nHost: t\r\n\r\n');
    expect(statuses(r.text)).toEqual([500]);
    expect(r.closed).toBe(true);
    expect(srv.server.errors).toHaveLength(1);
    expect((srv.server.errors[0] as Error).message).toBe('boom');
    const ok = await sendRaw(srv.port, 'GET / HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n');
    expect(statuses(ok.text)).toEqual([200]);
  });

  test('a rejected promise from do_X answers 500', async () => {
    srv = await startQuiet();
    const r = await sendRaw(srv.port, 'POST /x HTTP/1.1\r\nHost: t\r\nContent-Length: 0\r\n\r\n');
    expect(statuses(r.text)).toEqual([500]);
    expect((srv.server.errors[0] as Error).message).toBe('async boom');
  });

  test('headers buffered but not flushed are replaced by the 500', async () => {
    srv = await startQuiet();
    const r = await sendRaw(srv.port, 'GET /buffered HTTP/1.1\r\nHost: t\r\n\r\n');
    expect(statuses(r.text)).toEqual([500]);
  });

  test('after part of the response was sent, the connection is closed without a 500', async () => {
    srv = await startQuiet();
    const r = await sendRaw(srv.port, 'GET /half HTTP/1.1\r\nHost: t\r\n\r\n');
    expect(statuses(r.text)).toEqual([200]);
    expect(r.text.endsWith('partial')).toBe(true);
    expect(r.closed).toBe(true);
  });

  test('clients that disconnect at any point never crash the server', async () => {
    srv = await startQuiet();
    const req = 'POST /x HTTP/1.1\r\nHost: t\r\nContent-Length: 10\r\n\r\n01234';
    for (let cut = 1; cut < req.length; cut += 7) {
      await sendRaw(srv.port, req.slice(0, cut), { timeoutMs: 30, halfClose: true });
    }
    const ok = await sendRaw(srv.port, 'GET / HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n');
    expect(statuses(ok.text)).toEqual([200]);
    expect(await eventually(() => srv!.server.activeConnections === 0, 5_000)).toBe(true);
  });
});

describe('no response splitting', () => {
  const cases: Array<[string, (h: BaseHTTPRequestHandler) => void, string]> = [
    ['CRLF in a header value', (h) => h.sendHeader('X-A', 'a\r\nSet-Cookie: x=1'), 'ERR_INVALID_HEADER_VALUE'],
    ['LF in a header value', (h) => h.sendHeader('X-A', 'a\nb'), 'ERR_INVALID_HEADER_VALUE'],
    ['NUL in a header value', (h) => h.sendHeader('X-A', 'a\0b'), 'ERR_INVALID_HEADER_VALUE'],
    ['non-latin-1 value', (h) => h.sendHeader('X-A', 'snow \u2603'), 'ERR_INVALID_HEADER_VALUE'],
    ['space in a header name', (h) => h.sendHeader('X A', 'v'), 'ERR_INVALID_HEADER_NAME'],
    ['CRLF in a header name', (h) => h.sendHeader('X\r\nA', 'v'), 'ERR_INVALID_HEADER_NAME'],
    ['CRLF in a reason phrase', (h) => h.sendResponse(200, 'OK\r\nX: y'), 'ERR_INVALID_REASON'],
    ['a status that is not three digits', (h) => h.sendResponse(20), 'ERR_INVALID_STATUS'],
  ];
  for (const [name, act, code] of cases) {
    test(`${name} throws ${code} and writes nothing`, async () => {
      let caught: unknown = null;
      let pendingBefore = -1;
      let pendingAfter = -2;
      class H extends BaseHTTPRequestHandler {
        override protocolVersion = 'HTTP/1.1';
        do_GET(): void {
          pendingBefore = this.wfile.pending;
          try {
            act(this);
          } catch (e) {
            caught = e;
          }
          this.flushHeaders();
          pendingAfter = this.wfile.pending;
          this.sendResponse(204);
          this.endHeaders();
        }
        override logMessage(): void {}
      }
      srv = await startServer(H);
      const r = await sendRaw(srv.port, 'GET / HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n');
      expect(BaseHTTPError.is(caught)).toBe(true);
      expect((caught as BaseHTTPError).code).toBe(code);
      expect(pendingAfter).toBe(pendingBefore);
      expect(statuses(r.text)).toEqual([204]);
      expect(r.text).not.toContain('Set-Cookie');
    });
  }

  test('the empty name is refused by a fresh copy of the name check, before any name was accepted', async () => {
    // Its cache of recent good names must not start out holding a name the check refuses.
    vi.resetModules();
    const { checkNameCached } = await import('../../src/http/header-cache.js');
    expect(() => checkNameCached('')).toThrow(expect.objectContaining({ code: 'ERR_INVALID_HEADER_NAME' }));
    expect(() => checkNameCached('X A')).toThrow(expect.objectContaining({ code: 'ERR_INVALID_HEADER_NAME' }));
    expect(() => checkNameCached('Content-Length')).not.toThrow();
  });

  test('a refused header name stays refused when sent again, between names that were accepted', async () => {
    // The name check remembers the last good names (header-cache.ts): a refused one never joins them.
    const codes: string[] = [];
    class H extends BaseHTTPRequestHandler {
      override protocolVersion = 'HTTP/1.1';
      do_GET(): void {
        this.sendResponse(200);
        for (const name of ['X-A', 'X A', 'X-B', 'X A', 'X A']) {
          try {
            this.sendHeader(name, 'v');
          } catch (e) {
            codes.push((e as BaseHTTPError).code);
          }
        }
        this.sendHeader('Content-Length', 0);
        this.endHeaders();
      }
      override logMessage(): void {}
    }
    srv = await startServer(H);
    const r = await sendRaw(srv.port, 'GET / HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n');
    expect(codes).toEqual(['ERR_INVALID_HEADER_NAME', 'ERR_INVALID_HEADER_NAME', 'ERR_INVALID_HEADER_NAME']);
    expect(statuses(r.text)).toEqual([200]);
    expect(r.text).toContain('X-A: v\r\nX-B: v\r\n');
    expect(r.text).not.toContain('X A');
  });

  test('a Server value with CRLF (a bad serverVersion) is refused: the error is reported, nothing of it sent', async () => {
    class H extends BaseHTTPRequestHandler {
      override protocolVersion = 'HTTP/1.1';
      override serverVersion = 'App/1\r\nSet-Cookie: a=1';
      do_GET(): void {
        this.sendResponse(200);
        this.endHeaders();
      }
      override logMessage(): void {}
    }
    srv = await startServer(H);
    const errors: unknown[] = [];
    srv.server.handleError = (_req, _addr, e) => errors.push(e);
    const r = await sendRaw(srv.port, 'GET / HTTP/1.1\r\nHost: t\r\n\r\n');
    expect(r.text).not.toContain('Set-Cookie');
    expect(r.closed).toBe(true);
    // Even the 500 page carries a Server header, so nothing can be sent: the connection closes.
    expect(errors.map((e) => (e as BaseHTTPError).code)).toContain('ERR_INVALID_HEADER_VALUE');
  });

  test('a sendHeader override sees the Server and Date headers of sendResponse', async () => {
    const seen: string[] = [];
    class H extends BaseHTTPRequestHandler {
      override protocolVersion = 'HTTP/1.1';
      override sendHeader(keyword: string, value: string | number): void {
        seen.push(keyword);
        super.sendHeader(keyword, keyword === 'Server' ? 'Custom/2' : value);
      }
      do_GET(): void {
        this.sendResponse(204);
        this.endHeaders();
      }
      override logMessage(): void {}
    }
    srv = await startServer(H);
    const r = await sendRaw(srv.port, 'GET / HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n');
    expect(seen.slice(0, 2)).toEqual(['Server', 'Date']);
    expect(r.text).toContain('\r\nServer: Custom/2\r\n');
    expect(r.text).toMatch(/\r\nDate: \w{3}, \d\d \w{3} \d{4} \d\d:\d\d:\d\d GMT\r\n/);
  });
});
