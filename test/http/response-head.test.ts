import fc from 'fast-check';
import { describe, expect, test, vi } from 'vitest';
import { headerLine, headerLinePiece } from '../../src/http/header-cache.js';
import { checkHeaderName, checkHeaderValue } from '../../src/http/response-checks.js';
import { HeadPiece } from '../../src/http/response-head.js';
import { BaseHTTPRequestHandler } from '../../src/index.js';
import { RawClient } from '../harness/client.js';
import { startServer } from '../harness/server.js';

// The response head is built from pieces shared by all connections (response-head.ts): one
// connection owns them at a time, a head left open across an await is turned into that
// connection's own text when another connection starts one, and a batch of responses kept as
// bytes copies the pieces built once (status line, Server/Date, repeated header lines) instead
// of flattening a new string per head. Whatever the interleaving, each response's bytes must be
// exactly its own head.

/** Resolvable gates, by name, for handlers that wait on the test. */
const gates = new Map<string, { promise: Promise<void>; open: () => void }>();
function gate(name: string): { promise: Promise<void>; open: () => void } {
  let g = gates.get(name);
  if (g === undefined) {
    let open!: () => void;
    const promise = new Promise<void>((r) => (open = r));
    g = { promise, open };
    gates.set(name, g);
  }
  return g;
}

/** The head and body of each response in `text`, with the Date value blanked (it may change between responses). */
function responsesOf(text: string): string[] {
  return text
    .replace(/\r\nDate: [^\r]*\r\n/g, '\r\nDate: *\r\n')
    .split(/(?=HTTP\/1\.[01] \d{3} )/)
    .filter((s) => s.length > 0);
}

class Interleaved extends BaseHTTPRequestHandler {
  override protocolVersion = 'HTTP/1.1';
  override serverVersion = 'T/1';
  override sysVersion = 'S/1';
  async do_GET(): Promise<void> {
    const name = this.path.slice(1);
    if (name === 'warm') {
      // The same first pieces as `/a`'s, so that by `/a` they are merged (a merged piece spilled).
      this.sendResponse(200);
      this.sendHeader('X-a-1', 'one');
      this.sendHeader('Content-Length', 1);
      this.endHeaders();
      this.wfile.write('w');
      return;
    }
    // `/a` and `/b` start their heads, tell the test, and wait for it in the middle of the head.
    this.sendResponse(200);
    this.sendHeader(`X-${name}-1`, 'one');
    gate(`${name}-started`).open();
    await gate(`${name}-go`).promise;
    this.sendHeader(`X-${name}-2`, 'two');
    this.sendHeader('Content-Length', 1);
    this.endHeaders();
    this.wfile.write(name);
  }
  override logMessage(): void {}
}

const expectedHead = (status: string, name: string): string =>
  `HTTP/1.1 ${status}\r\nServer: T/1 S/1\r\nDate: *\r\nX-${name}-1: one\r\nX-${name}-2: two\r\nContent-Length: 1\r\n\r\n${name}`;

/**
 * Two connections whose heads are both open at once: A starts its head and waits; B starts its
 * own while A's is open (A's pieces become A's own text), and waits too. Then `finish` lets them
 * finish in the order given, and both responses are checked.
 */
async function interleaved(order: readonly ['a', 'b'] | readonly ['b', 'a']): Promise<{ a: RawClient; b: RawClient }> {
  gates.clear();
  const srv = await startServer(Interleaved);
  const clients = { a: await RawClient.connect(srv.port), b: await RawClient.connect(srv.port) };
  const warm = await RawClient.connect(srv.port);
  for (let i = 0; i < 3; i++) {
    warm.send('GET /warm HTTP/1.1\r\nHost: t\r\n\r\n');
    await warm.read((s) => s.endsWith('w'));
  }
  warm.close();
  clients.a.send('GET /a HTTP/1.1\r\nHost: t\r\n\r\n');
  await gate('a-started').promise;
  clients.b.send('GET /b HTTP/1.1\r\nHost: t\r\n\r\n');
  await gate('b-started').promise;
  for (const name of order) {
    gate(`${name}-go`).open();
    await clients[name].read((s) => s.endsWith(name));
  }
  expect(responsesOf(clients.a.text)).toEqual([expectedHead('200 OK', 'a')]);
  expect(responsesOf(clients.b.text)).toEqual([expectedHead('200 OK', 'b')]);
  return clients;
}

describe('response heads built from shared pieces', () => {
  test('two heads open across awaits at once: each response has its own head, in order', async () => {
    // A finishes first (from its text), then B (from the shared pieces it owns).
    const { a, b } = await interleaved(['a', 'b']);
    a.close();
    b.close();
  });

  test('the connection that took the pieces over finishes first, then the one whose head became text', async () => {
    const { a, b } = await interleaved(['b', 'a']);
    // Both connections go on with fresh heads.
    gates.clear();
    gate('a-go').open();
    gate('b-go').open();
    a.send('GET /a HTTP/1.1\r\nHost: t\r\n\r\n');
    b.send('GET /b HTTP/1.1\r\nHost: t\r\n\r\n');
    await a.read((s) => s.endsWith('a'), 5_000);
    await b.read((s) => s.endsWith('b'), 5_000);
    expect(responsesOf(a.text)).toEqual([expectedHead('200 OK', 'a'), expectedHead('200 OK', 'a')]);
    expect(responsesOf(b.text)).toEqual([expectedHead('200 OK', 'b'), expectedHead('200 OK', 'b')]);
    a.close();
    b.close();
  });

  test('a long pipelined batch (past the point where wfile keeps bytes) has every head exact', async () => {
    // Repeated pairs (copied as bytes once cached), a value new on every response, a pair that
    // repeats only now and then, a number value, and a header sent by an override-free handler.
    class Batch extends BaseHTTPRequestHandler {
      override protocolVersion = 'HTTP/1.1';
      override serverVersion = 'T/1';
      override sysVersion = 'S/1';
      do_GET(): void {
        const i = Number(this.path.slice(1));
        const body = `body ${i}\n`;
        this.sendResponse(i % 7 === 3 ? 404 : 200);
        this.sendHeader('Content-Type', 'text/plain');
        this.sendHeader('X-Seq', `n${i}`);
        this.sendHeader('X-Mod', i % 3);
        this.sendHeader('Content-Length', body.length);
        this.endHeaders();
        this.wfile.write(body);
      }
      override logRequest(_code?: number | string, size?: number | string): void {
        sizes.push(Number(size));
      }
    }
    const sizes: number[] = [];
    const srv = await startServer(Batch);
    const c = await RawClient.connect(srv.port);
    const n = 60;
    c.send(Array.from({ length: n }, (_, i) => `GET /${i} HTTP/1.1\r\nHost: t\r\n\r\n`).join(''));
    await c.read((s) => s.endsWith(`body ${n - 1}\n`));
    const expected = Array.from({ length: n }, (_, i) => {
      const body = `body ${i}\n`;
      const status = i % 7 === 3 ? '404 Not Found' : '200 OK';
      return `HTTP/1.1 ${status}\r\nServer: T/1 S/1\r\nDate: *\r\nContent-Type: text/plain\r\nX-Seq: n${i}\r\nX-Mod: ${i % 3}\r\nContent-Length: ${body.length}\r\n\r\n${body}`;
    });
    expect(responsesOf(c.text)).toEqual(expected);
    // Each response's byte count (the head's pieces counted as written) is its length on the wire.
    expect(sizes).toEqual(c.text.split(/(?=HTTP\/1\.1 \d{3} )/).map((r) => r.length));
    c.close();
  });

  test('a head of one line repeated many times, sent again and again, stays exact (merging stops at its cap)', async () => {
    class Repeats extends BaseHTTPRequestHandler {
      override protocolVersion = 'HTTP/1.1';
      do_GET(): void {
        this.sendResponse(200);
        for (let i = 0; i < 150; i++) this.sendHeader('Vary', 'Accept');
        this.sendHeader('Content-Length', 1);
        this.endHeaders();
        this.wfile.write('r');
      }
      override logMessage(): void {}
    }
    const srv = await startServer(Repeats);
    const c = await RawClient.connect(srv.port);
    const n = 6;
    c.send(Array.from({ length: n }, () => 'GET / HTTP/1.1\r\nHost: t\r\n\r\n').join(''));
    await c.read((s) => responsesOf(s).length === n && s.endsWith('r'));
    const one = `HTTP/1.1 200 OK\r\nServer: *\r\nDate: *\r\n${'Vary: Accept\r\n'.repeat(150)}Content-Length: 1\r\n\r\nr`;
    expect(responsesOf(c.text).map((r) => r.replace(/\r\nServer: [^\r]*\r\n/, '\r\nServer: *\r\n'))).toEqual(Array(n).fill(one));
    c.close();
  });

  test('a handler that fails in the middle of its head: the error page has a head of its own, and the next connection is unaffected', async () => {
    class Fails extends BaseHTTPRequestHandler {
      override protocolVersion = 'HTTP/1.1';
      do_GET(): void {
        this.sendResponse(200);
        this.sendHeader('X-Half', 'done');
        if (this.path === '/fail') throw new Error('boom');
        this.sendHeader('Content-Length', 2);
        this.endHeaders();
        this.wfile.write('ok');
      }
      override logMessage(): void {}
    }
    const srv = await startServer(Fails);
    const f = await RawClient.connect(srv.port);
    f.send('GET /fail HTTP/1.1\r\nHost: t\r\n\r\n');
    await f.read((s) => s.includes('</html>') || s.includes('</body>'));
    expect(f.text.startsWith('HTTP/1.1 500 ')).toBe(true);
    expect(f.text).not.toContain('X-Half');
    const ok = await RawClient.connect(srv.port);
    ok.send('GET /ok HTTP/1.1\r\nHost: t\r\n\r\n');
    await ok.read((s) => s.endsWith('\r\n\r\nok'));
    expect(ok.text).toMatch(/^HTTP\/1\.1 200 OK\r\nServer: [^\r]*\r\nDate: [^\r]*\r\nX-Half: done\r\nContent-Length: 2\r\n\r\nok$/);
    f.close();
    ok.close();
  });
});

describe('header line cache', () => {
  const names = ['Content-Type', 'Content-Length', 'X-A', 'Bad Name', '', 'X-B'];
  const values: (string | number)[] = ['text/plain', 'a\r\nb', '13', 13, 0, -0, NaN, 'caf\u00e9', '\u0100', '', 'v1', 'v2'];

  test('any sequence of pairs gives the same line, or the same error, as checking and building it each time', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.constantFrom(...names), fc.constantFrom(...values)), { maxLength: 40 }), (pairs) => {
        for (const [name, value] of pairs) {
          let want: string | Error;
          try {
            checkHeaderName(name);
            if (typeof value !== 'number') checkHeaderValue(name, value);
            want = `${name}: ${value}\r\n`;
          } catch (e) {
            want = e as Error;
          }
          let got: string | Error;
          try {
            got = headerLine(name, value);
          } catch (e) {
            got = e as Error;
          }
          if (want instanceof Error) {
            expect(got).toBeInstanceOf(Error);
            expect((got as Error & { code?: string }).code).toBe((want as Error & { code?: string }).code);
          } else {
            expect(got).toBe(want);
            const piece = headerLinePiece();
            if (piece !== null) {
              expect(piece.text).toBe(want);
              expect(Buffer.from(piece.bytes).toString('latin1')).toBe(want);
            }
          }
        }
      }),
      { numRuns: 300 },
    );
  });

  test('a pair sent again comes from the cache with its bytes; a value new each time never does', () => {
    headerLine('X-Warm', 'w');
    headerLine('X-Warm', 'w');
    expect(headerLine('X-Warm', 'w')).toBe('X-Warm: w\r\n');
    expect(Buffer.from(headerLinePiece()!.bytes).toString('latin1')).toBe('X-Warm: w\r\n');
    for (let i = 0; i < 10; i++) {
      expect(headerLine('X-Id', `id-${i}`)).toBe(`X-Id: id-${i}\r\n`);
      expect(headerLinePiece()).toBeNull();
    }
    // The repeated pair was not evicted by the new values.
    headerLine('X-Warm', 'w');
    expect(headerLinePiece()).not.toBeNull();
  });
});

describe('header line cache, fresh', () => {
  test('a fresh cache answers for no pair: the empty name is refused, not served from a seed', async () => {
    vi.resetModules();
    const fresh = await import('../../src/http/header-cache.js');
    for (let i = 0; i < 3; i++) {
      expect(() => fresh.headerLine('', '')).toThrow(expect.objectContaining({ code: 'ERR_INVALID_HEADER_NAME' }));
      expect(() => fresh.headerLine('', 0)).toThrow(expect.objectContaining({ code: 'ERR_INVALID_HEADER_NAME' }));
    }
    expect(fresh.headerLine('X', '')).toBe('X: \r\n');
  });
});

describe('HeadPiece', () => {
  const text = (p: HeadPiece): string => Buffer.from(p.bytes).toString('latin1');

  test('two pieces merge the second time the same one follows, and stay merged while it does', () => {
    const a = HeadPiece.of('HTTP/1.1 200 OK\r\n');
    const b = HeadPiece.of('Content-Length: 2\r\n');
    const c = HeadPiece.of('X: y\r\n');
    expect(a.followedBy(b)).toBeNull();
    const ab = a.followedBy(b)!;
    expect(ab.text).toBe('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n');
    expect(text(ab)).toBe(ab.text);
    expect(a.followedBy(b)).toBe(ab);
    // Another piece follows: no merge until it follows twice in a row, and the old merge is let go.
    expect(a.followedBy(c)).toBeNull();
    expect(a.followedBy(b)).toBeNull();
    const ab2 = a.followedBy(b)!;
    expect(ab2).not.toBe(ab);
    expect(ab2.text).toBe(ab.text);
    // A piece followed by itself.
    expect(c.followedBy(c)).toBeNull();
    expect(c.followedBy(c)!.text).toBe('X: y\r\nX: y\r\n');
  });
});
