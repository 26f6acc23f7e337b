/**
 * SimpleHTTPRequestHandler's validators, preconditions and ranges, case by case from RFC 9110:
 * ETag and Last-Modified (§8.8), If-Match, If-None-Match, If-Modified-Since,
 * If-Unmodified-Since in their order of evaluation (§13), Range and If-Range (§13.1.5, §14),
 * 206, 416, Accept-Ranges; HEAD; keep-alive after each of them. Then the parsers alone.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseHttpDate, parseRange } from '../../src/http/conditional.js';
import { makeTree, serveFolder, type FileTree } from '../helpers/file-tree.js';
import type { RunningServer } from '../harness/server.js';
import { header, parseResponses, type ParsedResponse } from '../harness/response.js';
import { sendRaw } from '../harness/client.js';

const ALPHABET = 'abcdefghijklmnopqrstuvwxyz';
/** 2024-01-02 03:04:05 UTC. */
const MTIME = 1_704_164_645;
const LAST_MODIFIED = 'Tue, 02 Jan 2024 03:04:05 GMT';

let tree: FileTree;
let server: RunningServer;
let etag = '';

beforeAll(async () => {
  tree = makeTree({ 'abc.txt': ALPHABET, 'empty.txt': '' }, MTIME);
  server = await serveFolder(tree.base, { protocolVersion: 'HTTP/1.1' });
  etag = header(await request('GET', '/abc.txt'), 'ETag')!;
});

afterAll(async () => {
  tree?.remove();
});

/**
 * Sends one request, then a second one on the same connection: each answer here must leave a
 * keep-alive connection usable. Returns the first response.
 */
async function request(method: string, target: string, headers: Record<string, string> = {}): Promise<ParsedResponse> {
  const lines = Object.entries(headers)
    .map(([k, v]) => `${k}: ${v}\r\n`)
    .join('');
  const first = `${method} ${target} HTTP/1.1\r\nHost: x\r\n${lines}\r\n`;
  const second = 'HEAD /abc.txt HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n';
  const r = await sendRaw(server.port, [first + second], { timeoutMs: 5_000 });
  const { responses } = parseResponses(r.data, { isHead: (i) => i === 1 || method === 'HEAD' });
  expect(responses.length, r.data.toString('latin1')).toBe(2);
  expect(responses[1]!.status).toBe(200);
  return responses[0]!;
}

function expectWhole(r: ParsedResponse): void {
  expect(r.status).toBe(200);
  expect(r.body.toString()).toBe(ALPHABET);
  expect(header(r, 'Content-Range')).toBeUndefined();
}

function expectPart(r: ParsedResponse, start: number, end: number): void {
  expect(r.status).toBe(206);
  expect(header(r, 'Content-Range')).toBe(`bytes ${start}-${end}/26`);
  expect(header(r, 'Content-Length')).toBe(String(end - start + 1));
  expect(r.body.toString()).toBe(ALPHABET.slice(start, end + 1));
}

describe('validators (RFC 9110 §8.8)', () => {
  it('a file carries a strong ETag, Last-Modified and Accept-Ranges: bytes', async () => {
    const r = await request('GET', '/abc.txt');
    expectWhole(r);
    expect(etag).toMatch(/^"[0-9a-f]+-1a"$/);
    expect(header(r, 'Last-Modified')).toBe(LAST_MODIFIED);
    expect(header(r, 'Accept-Ranges')).toBe('bytes');
    expect(header(r, 'Content-type')).toBe('text/plain');
  });

  it('HEAD sends the same headers and no body', async () => {
    const get = await request('GET', '/abc.txt');
    const head = await request('HEAD', '/abc.txt');
    expect(head.status).toBe(200);
    expect(head.body.length).toBe(0);
    const names = (r: ParsedResponse): string[] => r.rawHeaders.filter(([n]) => n !== 'Date').map(([n, v]) => `${n}: ${v}`);
    expect(names(head)).toEqual(names(get));
  });
});

describe('preconditions (RFC 9110 §13.1, §13.2.2)', () => {
  const cases: ReadonlyArray<readonly [string, () => Record<string, string>, number]> = [
    ['If-None-Match with the ETag → 304', () => ({ 'If-None-Match': etag }), 304],
    ['If-None-Match weak form of the ETag → 304 (weak comparison)', () => ({ 'If-None-Match': `W/${etag}` }), 304],
    ['If-None-Match list holding the ETag → 304', () => ({ 'If-None-Match': `"other", ${etag}` }), 304],
    ['If-None-Match: * → 304', () => ({ 'If-None-Match': '*' }), 304],
    ['If-None-Match with another tag → 200', () => ({ 'If-None-Match': '"other"' }), 200],
    ['If-None-Match malformed → 200', () => ({ 'If-None-Match': 'no-quotes' }), 200],
    [
      'If-None-Match that fails wins over If-Modified-Since that holds (§13.1.3) → 200',
      () => ({ 'If-None-Match': '"other"', 'If-Modified-Since': 'Wed, 03 Jan 2024 00:00:00 GMT' }),
      200,
    ],
    ['If-Modified-Since equal to Last-Modified → 304', () => ({ 'If-Modified-Since': LAST_MODIFIED }), 304],
    ['If-Modified-Since in RFC 850 form → 304', () => ({ 'If-Modified-Since': 'Tuesday, 02-Jan-24 03:04:05 GMT' }), 304],
    ['If-Modified-Since in asctime form → 304', () => ({ 'If-Modified-Since': 'Tue Jan  2 03:04:05 2024' }), 304],
    ['If-Modified-Since a second earlier → 200', () => ({ 'If-Modified-Since': 'Tue, 02 Jan 2024 03:04:04 GMT' }), 200],
    ['If-Modified-Since not a date → 200', () => ({ 'If-Modified-Since': 'Tue, 02 Jan 2024' }), 200],
    ['If-Match with the ETag → 200', () => ({ 'If-Match': etag }), 200],
    ['If-Match: * → 200', () => ({ 'If-Match': '*' }), 200],
    ['If-Match with another tag → 412', () => ({ 'If-Match': '"other"' }), 412],
    ['If-Match with the weak form of the ETag → 412 (strong comparison)', () => ({ 'If-Match': `W/${etag}` }), 412],
    ['If-Unmodified-Since equal to Last-Modified → 200', () => ({ 'If-Unmodified-Since': LAST_MODIFIED }), 200],
    ['If-Unmodified-Since earlier → 412', () => ({ 'If-Unmodified-Since': 'Mon, 01 Jan 2024 00:00:00 GMT' }), 412],
    ['If-Match that holds wins over If-Unmodified-Since that fails → 200', () => ({ 'If-Match': etag, 'If-Unmodified-Since': 'Mon, 01 Jan 2024 00:00:00 GMT' }), 200],
    ['If-Match that fails comes before If-None-Match → 412', () => ({ 'If-Match': '"other"', 'If-None-Match': etag }), 412],
  ];
  for (const [name, headers, status] of cases) {
    it(name, async () => {
      const r = await request('GET', '/abc.txt', headers());
      expect(r.status).toBe(status);
      if (status === 200) expectWhole(r);
      if (status === 304) {
        expect(header(r, 'ETag')).toBe(etag);
        expect(r.body.length).toBe(0);
        expect(header(r, 'Content-Length')).toBeUndefined();
      }
      if (status === 412) expect(r.body.length).toBe(0);
    });
  }

  it('HEAD gets the same 304', async () => {
    expect((await request('HEAD', '/abc.txt', { 'If-None-Match': etag })).status).toBe(304);
  });
});

describe('ranges (RFC 9110 §14)', () => {
  const parts: ReadonlyArray<readonly [string, string, number, number]> = [
    ['first bytes', 'bytes=0-4', 0, 4],
    ['middle', 'bytes=10-12', 10, 12],
    ['open end', 'bytes=20-', 20, 25],
    ['suffix', 'bytes=-3', 23, 25],
    ['suffix longer than the file', 'bytes=-100', 0, 25],
    ['last-pos beyond the end, clamped', 'bytes=24-1000', 24, 25],
    ['the whole file as one range', 'bytes=0-', 0, 25],
    ['unit in upper case, spaces around commas', 'BYTES=0-1 , 2-3', 0, 3],
    ['overlapping ranges merged into one', 'bytes=0-5,3-8', 0, 8],
    ['one satisfiable range among unsatisfiable ones', 'bytes=5-6,100-200', 5, 6],
  ];
  for (const [name, range, start, end] of parts) {
    it(`${name}: ${range} → 206`, async () => {
      const r = await request('GET', '/abc.txt', { Range: range });
      expectPart(r, start, end);
      expect(header(r, 'ETag')).toBe(etag);
      expect(header(r, 'Accept-Ranges')).toBe('bytes');
    });
  }

  const wholes: ReadonlyArray<readonly [string, Record<string, string>]> = [
    ['two ranges that do not merge (no multipart)', { Range: 'bytes=0-1,5-6' }],
    ['an unknown unit', { Range: 'items=0-1' }],
    ['last-pos before first-pos (invalid)', { Range: 'bytes=5-2' }],
    ['not a number', { Range: 'bytes=a-b' }],
    ['no range-spec', { Range: 'bytes=' }],
    ['more than 100 ranges', { Range: `bytes=${Array.from({ length: 101 }, (_, i) => `${i}-${i}`).join(',')}` }],
  ];
  for (const [name, headers] of wholes) {
    it(`${name} → 200 with the whole file`, async () => {
      expectWhole(await request('GET', '/abc.txt', headers));
    });
  }

  const unsatisfiable: ReadonlyArray<readonly [string, string]> = [
    ['first-pos at the end', 'bytes=26-'],
    ['first-pos beyond the end', 'bytes=100-200'],
    ['suffix of zero bytes', 'bytes=-0'],
    ['all ranges beyond the end', 'bytes=30-31,40-'],
  ];
  for (const [name, range] of unsatisfiable) {
    it(`${name}: ${range} → 416 with Content-Range: bytes */26`, async () => {
      const r = await request('GET', '/abc.txt', { Range: range });
      expect(r.status).toBe(416);
      expect(header(r, 'Content-Range')).toBe('bytes */26');
      expect(r.body.length).toBe(0);
    });
  }

  it('an empty file is sent whole whatever the range', async () => {
    for (const range of ['bytes=0-', 'bytes=-5']) {
      const r = await request('GET', '/empty.txt', { Range: range });
      expect(r.status).toBe(200);
      expect(header(r, 'Content-Length')).toBe('0');
    }
  });

  it('HEAD ignores Range (defined for GET only)', async () => {
    const r = await request('HEAD', '/abc.txt', { Range: 'bytes=0-4' });
    expect(r.status).toBe(200);
    expect(header(r, 'Content-Length')).toBe('26');
  });

  it('If-Range with the ETag → 206; another or a weak tag → 200 whole', async () => {
    expectPart(await request('GET', '/abc.txt', { Range: 'bytes=0-1', 'If-Range': etag }), 0, 1);
    expectWhole(await request('GET', '/abc.txt', { Range: 'bytes=0-1', 'If-Range': '"other"' }));
    expectWhole(await request('GET', '/abc.txt', { Range: 'bytes=0-1', 'If-Range': `W/${etag}` }));
  });

  it('If-Range with Last-Modified (a strong date: the file is older than a second) → 206; another date → 200 whole', async () => {
    expectPart(await request('GET', '/abc.txt', { Range: 'bytes=0-1', 'If-Range': LAST_MODIFIED }), 0, 1);
    expectWhole(await request('GET', '/abc.txt', { Range: 'bytes=0-1', 'If-Range': 'Wed, 03 Jan 2024 00:00:00 GMT' }));
  });

  it('preconditions come before Range: If-None-Match that matches → 304', async () => {
    expect((await request('GET', '/abc.txt', { Range: 'bytes=0-1', 'If-None-Match': etag })).status).toBe(304);
  });
});

describe('the parsers', () => {
  it('parseHttpDate takes the three HTTP-date forms and nothing else', () => {
    expect(parseHttpDate('Sun, 06 Nov 1994 08:49:37 GMT')).toBe(784111777);
    expect(parseHttpDate('Sunday, 06-Nov-94 08:49:37 GMT')).toBe(784111777);
    expect(parseHttpDate('Sun Nov  6 08:49:37 1994')).toBe(784111777);
    for (const bad of [
      '',
      'Sun, 06 Nov 1994 08:49:37 UTC',
      'Sun, 06 Nov 1994 08:49:37 +0000',
      'Sun, 6 Nov 1994 08:49:37 GMT',
      'Sun, 06 Foo 1994 08:49:37 GMT',
      '784111777',
    ]) {
      expect(parseHttpDate(bad), bad).toBeNull();
    }
  });

  it('parseRange merges, sorts and clamps; null for an invalid field, [] for nothing satisfiable', () => {
    expect(parseRange('bytes=5-9,0-1,2-3', 100)).toEqual([
      [0, 3],
      [5, 9],
    ]);
    expect(parseRange('bytes=90-,-20', 100)).toEqual([[80, 99]]);
    expect(parseRange('bytes=99999999999999999999-', 100)).toEqual([]);
    expect(parseRange('bytes=0-99999999999999999999', 100)).toEqual([[0, 99]]);
    expect(parseRange('bytes=1-0', 100)).toBeNull();
    expect(parseRange('bytes=-', 100)).toBeNull();
    expect(parseRange('bytes 0-1', 100)).toBeNull();
  });
});
