import { describe, expect, test } from 'vitest';
import { FIELD_NAMES, knownField, knownMethod } from '../../src/http/known-fields.js';
import { Echo } from '../helpers/echo-handler.js';
import { sendRaw } from '../harness/client.js';
import { startServer } from '../harness/server.js';

const bytes = (s: string): Buffer => Buffer.from(`xx${s}yy`, 'latin1');
const field = (s: string) => knownField(bytes(s), 2, 2 + s.length);

describe('known field names and methods', () => {
  test('the registry spelling and the lower-case one are constants; the name is kept as received', () => {
    expect(field('Content-Length')).toMatchObject({ name: 'Content-Length', lower: 'content-length' });
    expect(field('content-length')).toMatchObject({ name: 'content-length', lower: 'content-length' });
    expect(field('Host')).toMatchObject({ name: 'Host', lower: 'host' });
    expect(field('traceparent')).toMatchObject({ name: 'traceparent', lower: 'traceparent' });
    expect(field('X-Request-Id')).toMatchObject({ name: 'X-Request-Id', lower: 'x-request-id' });
  });

  test('every listed name: its lower-case spelling is right, and both spellings are recognised', () => {
    expect(FIELD_NAMES.length).toBeGreaterThan(20);
    for (const [name, lower] of FIELD_NAMES) {
      expect(lower).toBe(name.toLowerCase());
      expect(field(name)).toEqual({ bytes: expect.anything(), name, lower });
      expect(field(lower)).toEqual({ bytes: expect.anything(), name: lower, lower });
    }
  });

  test('any other spelling, a prefix or a longer name is not recognised (the parser slices it)', () => {
    for (const s of ['CONTENT-LENGTH', 'Content-length', 'Hos', 'Hosts', 'Host ', 'X-Request-ID', '', 'Transfer-Encoding-X']) expect(field(s)).toBeNull();
  });

  test('methods are matched exactly (case-sensitive)', () => {
    const method = (s: string) => knownMethod(bytes(s), 2, 2 + s.length);
    expect(['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS'].map(method)).toEqual(['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS']);
    expect(['get', 'GETS', 'GE', 'PROPFIND'].map(method)).toEqual([null, null, null, null]);
  });

  test('on the wire: known and unknown spellings reach the handler as sent, lookups stay case-insensitive', async () => {
    const seen: string[][] = [];
    class Names extends Echo {
      override do_GET(): void {
        seen.push([...this.headers.keys(), String(this.headers.get('content-length')), String(this.headers.get('HOST')), this.command!]);
        super.do_GET();
      }
    }
    const srv = await startServer(Names);
    try {
      await sendRaw(srv.port, 'GET / HTTP/1.1\r\nhost: a\r\nCONTENT-LENGTH: 0\r\nUser-Agent: u\r\nX-Odd: 1\r\nConnection: close\r\n\r\n');
    } finally {
      await srv.close();
    }
    expect(seen).toEqual([['host', 'CONTENT-LENGTH', 'User-Agent', 'X-Odd', 'Connection', '0', 'a', 'GET']]);
  });
});
