import { describe, expect, test } from 'vitest';
import { statusLine } from '../../src/http/header-cache.js';
import { BaseHTTPRequestHandler, responses } from '../../src/index.js';
import { sendRaw } from '../harness/client.js';
import { startServer } from '../harness/server.js';

// The status line is cached (issue 16: one string per protocol, code and reason, not a template
// literal per response). Whatever was sent before, each response gets its own exact line.

describe('status line cache', () => {
  test('rebuilt whenever the protocol, the code or the reason changes', () => {
    expect(statusLine('HTTP/1.1', 200, 'OK')).toBe('HTTP/1.1 200 OK\r\n');
    expect(statusLine('HTTP/1.1', 200, 'OK')).toBe('HTTP/1.1 200 OK\r\n');
    expect(statusLine('HTTP/1.0', 200, 'OK')).toBe('HTTP/1.0 200 OK\r\n');
    expect(statusLine('HTTP/1.0', 404, 'Not Found')).toBe('HTTP/1.0 404 Not Found\r\n');
    expect(statusLine('HTTP/1.0', 404, 'Gone Fishing')).toBe('HTTP/1.0 404 Gone Fishing\r\n');
    expect(statusLine('HTTP/1.1', 404, 'Gone Fishing')).toBe('HTTP/1.1 404 Gone Fishing\r\n');
  });

  test('interleaved handlers with other protocols, codes, reasons and tables each get their own line', async () => {
    const custom = { ...responses, 200: ['Fine', 'All fine'] as [string, string] };
    class A extends BaseHTTPRequestHandler {
      override protocolVersion = 'HTTP/1.1';
      do_GET(): void {
        const code = this.path === '/missing' ? 404 : 200;
        this.sendResponse(code, this.path === '/reason' ? 'Custom' : undefined);
        this.sendHeader('Content-Length', 0);
        this.endHeaders();
      }
      override logMessage(): void {}
    }
    class B extends A {
      override protocolVersion = 'HTTP/1.0';
      override responses = custom;
    }
    class C extends A {
      override protocolVersion = 'HTTP/1.0';
    }
    const a = await startServer(A);
    const b = await startServer(B);
    const c = await startServer(C);
    try {
      const line = async (port: number, path: string): Promise<string> =>
        (await sendRaw(port, `GET ${path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`, { timeoutMs: 5_000 })).data.toString('latin1').split('\r\n')[0]!;
      expect(await line(a.port, '/')).toBe('HTTP/1.1 200 OK');
      expect(await line(b.port, '/')).toBe('HTTP/1.0 200 Fine');
      expect(await line(a.port, '/')).toBe('HTTP/1.1 200 OK');
      expect(await line(a.port, '/reason')).toBe('HTTP/1.1 200 Custom');
      expect(await line(a.port, '/missing')).toBe('HTTP/1.1 404 Not Found');
      expect(await line(b.port, '/missing')).toBe('HTTP/1.0 404 Not Found');
      expect(await line(a.port, '/')).toBe('HTTP/1.1 200 OK');
      // The library's table with another protocol, right after the same code with HTTP/1.1.
      expect(await line(c.port, '/')).toBe('HTTP/1.0 200 OK');
      expect(await line(a.port, '/')).toBe('HTTP/1.1 200 OK');
    } finally {
      await a.close();
      await b.close();
      await c.close();
    }
  });
});
