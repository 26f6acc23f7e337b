import { afterEach, describe, expect, test } from 'vitest';
import { BaseHTTPRequestHandler } from '../../src/index.js';
import { RawClient, sendRaw } from '../harness/client.js';
import { statuses } from '../harness/response.js';
import { startServer, type RunningServer } from '../harness/server.js';
import { Echo } from '../helpers/echo-handler.js';

let srv: RunningServer | null = null;
afterEach(() => {
  Echo.seen = [];
});

/** Answers without reading the body. */
class Ignores extends BaseHTTPRequestHandler {
  override protocolVersion = 'HTTP/1.1';
  static seen: string[] = [];
  do_POST(): void {
    Ignores.seen.push(this.path);
    this.sendResponse(200);
    this.sendHeader('Content-Length', 2);
    this.endHeaders();
    this.wfile.write('ok');
  }
  do_GET(): void {
    this.do_POST();
  }
  override logMessage(): void {}
}

describe('request bodies', () => {
  test('Content-Length body read by readBody()', async () => {
    srv = await startServer(Echo);
    const r = await sendRaw(srv.port, 'POST /p HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\nConnection: close\r\n\r\nhello');
    expect(r.text.endsWith('\r\n\r\nhello')).toBe(true);
  });

  test('chunked body decoded, with extensions and trailers', async () => {
    srv = await startServer(Echo);
    const r = await sendRaw(
      srv.port,
      'POST /c HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n' +
        '5;ext=1\r\nhello\r\n6 ; q="a b"\r\n world\r\n0\r\nX-Trailer: yes\r\n\r\n',
    );
    expect(statuses(r.text)).toEqual([200]);
    expect(r.text.endsWith('hello world')).toBe(true);
  });

  test('a body the handler did not read is discarded, never parsed as a request', async () => {
    Ignores.seen = [];
    srv = await startServer(Ignores);
    const smuggled = 'GET /smuggled HTTP/1.1\r\nHost: t\r\n\r\n';
    const r = await sendRaw(
      srv.port,
      `POST /a HTTP/1.1\r\nHost: t\r\nContent-Length: ${smuggled.length}\r\n\r\n${smuggled}` +
        `POST /b HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n${smuggled.length.toString(16)}\r\n${smuggled}\r\n0\r\n\r\n` +
        'GET /last HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n',
    );
    expect(Ignores.seen).toEqual(['/a', '/b', '/last']);
    expect(statuses(r.text)).toEqual([200, 200, 200]);
  });

  test('a body over the limit gets 413 and close, without being read', async () => {
    srv = await startServer(Echo, { maxBodyBytes: 10 });
    const r = await sendRaw(srv.port, 'POST /big HTTP/1.1\r\nHost: t\r\nContent-Length: 1000000\r\n\r\n' + 'x'.repeat(100));
    expect(statuses(r.text)).toEqual([413]);
    expect(r.closed).toBe(true);
  });

  test('a chunked body over the limit gets 413 and close', async () => {
    srv = await startServer(Echo, { maxBodyBytes: 10 });
    const r = await sendRaw(srv.port, 'POST /big HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n8\r\n12345678\r\n8\r\n12345678\r\n0\r\n\r\n');
    expect(statuses(r.text)).toEqual([413]);
    expect(r.closed).toBe(true);
  });

  test('a malformed chunk answers 400 and closes', async () => {
    srv = await startServer(Echo);
    const r = await sendRaw(srv.port, 'POST /x HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\nGET /s HTTP/1.1\r\nHost: t\r\n\r\n');
    expect(statuses(r.text)).toEqual([400]);
    expect(r.closed).toBe(true);
    expect(Echo.seen).toEqual([]);
  });

  test('readBody() respects a per-call limit', async () => {
    class Small extends Echo {
      override async do_POST(): Promise<void> {
        await this.readBody(3);
      }
    }
    srv = await startServer(Small);
    const r = await sendRaw(srv.port, 'POST /x HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\n\r\nhello');
    expect(statuses(r.text)).toEqual([413]);
  });

  test('a body arriving in pieces is assembled; rfile reads of a Content-Length body count as reading it', async () => {
    class Raw extends BaseHTTPRequestHandler {
      override protocolVersion = 'HTTP/1.1';
      async do_POST(): Promise<void> {
        const first = await this.rfile.read(3);
        const rest = await this.readBody();
        const body = Buffer.concat([first, rest]).toString();
        this.sendResponse(200);
        this.sendHeader('Content-Length', body.length);
        this.endHeaders();
        this.wfile.write(body);
      }
      override logMessage(): void {}
    }
    srv = await startServer(Raw);
    const r = await sendRaw(
      srv.port,
      ['POST /x HTTP/1.1\r\nHost: t\r\nContent-Length: 10\r\n\r\n012', '3456', '789GET / HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n'],
      { delayMs: 20 },
    );
    expect(r.text).toContain('0123456789');
    expect(statuses(r.text)).toEqual([200, 501]);
  });

  test('Expect: 100-continue gets an interim response before the body is sent', async () => {
    srv = await startServer(Echo);
    const c = await RawClient.connect(srv.port);
    c.send('POST /e HTTP/1.1\r\nHost: t\r\nContent-Length: 4\r\nExpect: 100-continue\r\n\r\n');
    const interim = await c.read((s) => s.includes('\r\n\r\n'));
    expect(interim).toBe('HTTP/1.1 100 Continue\r\n\r\n');
    c.send('data');
    expect(await c.read((s) => s.endsWith('data'))).toContain('HTTP/1.1 200 OK');
    c.close();
  });
});
