import fc from 'fast-check';
import { beforeAll, describe, expect, test } from 'vitest';
import { BaseHTTPRequestHandler, DEFAULT_LIMITS } from '../../src/index.js';
import { FAULTS, HeadInfo, parseHeaderLines } from '../../src/http/header-parser.js';
import { countWords, NEED_MORE, scanHead } from '../../src/http/head-scanner.js';
import { HTTPMessage } from '../../src/http/message.js';
import { sendRaw } from '../harness/client.js';
import { startServer, type RunningServer } from '../harness/server.js';

/** Records each request as "METHOD path body-length" and answers with it. */
class Recorder extends BaseHTTPRequestHandler {
  override protocolVersion = 'HTTP/1.1';
  async do_POST(): Promise<void> {
    const body = await this.readBody();
    const line = `${this.command} ${this.path} ${body.toString('latin1')}|`;
    this.sendResponse(200);
    this.sendHeader('Content-Length', line.length);
    this.endHeaders();
    this.wfile.write(line);
  }
  do_GET(): Promise<void> {
    return this.do_POST();
  }
  override logMessage(): void {}
}

let srv: RunningServer;
beforeAll(async () => {
  srv = await startServer(Recorder);
});

const token = fc.stringMatching(/^[A-Za-z0-9-]{1,12}$/);
const pathArb = fc.stringMatching(/^\/[A-Za-z0-9._~/-]{0,20}$/);
const bodyArb = fc.stringMatching(/^[ -{]{0,40}$/); // no '|': it delimits answers
const requestArb = fc.record({
  method: fc.constantFrom('GET', 'POST'),
  path: pathArb,
  headers: fc.array(fc.tuple(token, fc.stringMatching(/^[ -~]{0,20}$/)), { maxLength: 5 }),
  body: bodyArb,
  chunked: fc.boolean(),
});

function encode(r: { method: string; path: string; headers: [string, string][]; body: string; chunked: boolean }): string {
  const fields = r.headers
    .filter(([k]) => !/^(host|content-length|transfer-encoding|connection|expect)$/i.test(k))
    .map(([k, v]) => `${k}: ${v.trim()}\r\n`)
    .join('');
  if (r.chunked) {
    const chunks = r.body.length === 0 ? '' : `${r.body.length.toString(16)}\r\n${r.body}\r\n`;
    return `${r.method} ${r.path} HTTP/1.1\r\nHost: h\r\n${fields}Transfer-Encoding: chunked\r\n\r\n${chunks}0\r\n\r\n`;
  }
  return `${r.method} ${r.path} HTTP/1.1\r\nHost: h\r\n${fields}Content-Length: ${r.body.length}\r\n\r\n${r.body}`;
}

describe('parser properties', () => {
  test('scanning and header parsing never throw on arbitrary bytes', () => {
    const limits = DEFAULT_LIMITS;
    const lines = new Int32Array(limits.maxHeaders + 3);
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        const buf = Buffer.from(bytes);
        const end = scanHead(buf, 0, limits, lines);
        if (end > 0 && lines[0]! > 1) parseHeaderLines(buf, buf.toString('latin1', 0, end), 0, lines, new HTTPMessage(), new HeadInfo(), true);
      }),
      { numRuns: 3000 },
    );
  });

  test('scanHead finds every line end as indexOf does, for lines around its 64-byte loop and past it', () => {
    // The reference: each line's LF by Buffer#indexOf, the head's end at the first empty line.
    const limits = { maxRequestLineBytes: 4096, maxHeaderLineBytes: 4096, maxHeaders: 100 };
    const reference = (buf: Buffer): { end: number; ends: number[] } => {
      const ends: number[] = [];
      for (let p = 0; ;) {
        const nl = buf.indexOf(10, p);
        if (nl === -1) return { end: -1, ends };
        ends.push(nl);
        if (ends.length > 1 && (nl === p || (nl === p + 1 && buf[p] === 0x0d))) return { end: nl + 1, ends };
        p = nl + 1;
      }
    };
    const lineLength = fc.oneof(fc.integer({ min: 0, max: 3 }), fc.integer({ min: 60, max: 68 }), fc.integer({ min: 120, max: 140 }), fc.integer({ min: 0, max: 300 }));
    const headerLine = lineLength.map((n) => `X:${'v'.repeat(n)}\r\n`);
    fc.assert(
      fc.property(lineLength, fc.array(headerLine, { maxLength: 6 }), fc.boolean(), fc.nat({ max: 40 }), (target, headers, complete, cut) => {
        const text = `GET /${'p'.repeat(target)} HTTP/1.1\r\n${headers.join('')}${complete ? '\r\n' : ''}`;
        const full = Buffer.from(text, 'latin1');
        // Also cut short: a head that ends inside a line must read as incomplete.
        const buf = full.subarray(0, Math.max(0, full.length - (complete ? 0 : cut)));
        const lines = new Int32Array(110);
        const end = scanHead(buf, 0, limits, lines);
        const ref = reference(buf);
        expect(end).toBe(ref.end === -1 ? NEED_MORE : ref.end);
        if (end > 0) expect(Array.from(lines.subarray(1, lines[0]! + 1))).toEqual(ref.ends);
      }),
      { numRuns: 2000 },
    );
  });

  test("scanHead counts the request line's words as countWords does, on either side of its 64-byte loop", () => {
    // Only a line of exactly three words reads headers; any other ends the head at its LF.
    const limits = { maxRequestLineBytes: 4096, maxHeaderLineBytes: 4096, maxHeaders: 100 };
    const piece = fc.oneof(fc.stringMatching(/^[A-Za-z0-9/.]{1,40}$/), fc.constantFrom(' ', '\t', '\x0b', '\x0c', '\r', '  ', ' \r'));
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 12 }), fc.nat({ max: 80 }), (pieces, pad) => {
        // A word of `pad` bytes first moves the rest of the line across the loop's boundary.
        const line = `${'a'.repeat(pad)} ${pieces.join('')}`;
        const buf = Buffer.from(`${line}\r\nHost: h\r\n\r\n`, 'latin1');
        const lines = new Int32Array(110);
        const lf = line.length + 1;
        const expected = countWords(buf, 0, lf) === 3 ? buf.length : lf + 1;
        expect(scanHead(buf, 0, limits, lines)).toBe(expected);
        expect(lines[1]).toBe(lf);
      }),
      { numRuns: 3000 },
    );
    // And every line end from just before the loop's 64 bytes to just past them, with three words
    // (headers follow) and with two and four, the last word or its CR crossing the boundary.
    for (let end = 58; end <= 70; end++) {
      for (const [tail, words] of [
        [' HTTP/1.1', 3],
        ['', 2],
        [' HTTP/1.1 x', 4],
        [' HTTP/1.1\r', 3],
      ] as const) {
        const line = `GET /${'p'.repeat(Math.max(0, end - 5 - tail.length))}${tail}`;
        const buf = Buffer.from(`${line}\r\nHost: h\r\n\r\n`, 'latin1');
        const lines = new Int32Array(110);
        expect(countWords(buf, 0, line.length + 1)).toBe(words);
        expect(scanHead(buf, 0, limits, lines)).toBe(words === 3 ? buf.length : line.length + 2);
      }
    }
  });

  test('a Host value is refused for the same reason as by checking its bytes first, then its grammar', () => {
    // The reference is the order of the checks before Host had a pass of its own: the value's
    // first control byte (a bare CR, or any other: bad header), then RFC 9110 §7.2's grammar.
    const hostGrammar = /^(?:\[[-._~%!$&'()*+,;=:0-9A-Za-z]*\]|[-._~%!$&'()*+,;=0-9A-Za-z]*)(?::[0-9]*)?$/;
    const reference = (value: string): unknown => {
      const control = [...value].find((ch) => (ch < ' ' && ch !== '\t') || ch === '\x7f');
      if (control !== undefined) return control === '\r' ? FAULTS.bareCR : FAULTS.badHeader;
      return hostGrammar.test(value.replace(/^[ \t]+|[ \t]+$/g, '')) ? null : FAULTS.hostInvalid;
    };
    const char = fc.constantFrom(...'aZ09.-:[]@/ \t%~\x00\x01\x0b\r\x7f\xe9');
    fc.assert(
      fc.property(fc.array(char, { maxLength: 24 }), (chars) => {
        const value = chars.join('');
        const buf = Buffer.from(`GET / HTTP/1.1\r\nHost:${value}\r\n\r\n`, 'latin1');
        const lines = new Int32Array(110);
        const end = scanHead(buf, 0, DEFAULT_LIMITS, lines);
        expect(end).toBe(buf.length);
        const got = parseHeaderLines(buf, buf.toString('latin1', 0, end), 0, lines, new HTTPMessage(), new HeadInfo(), true);
        expect(got).toBe(reference(value));
      }),
      { numRuns: 5000 },
    );
  });

  test('HTTPMessage lookups are case-insensitive whatever names came before (its cache of lower-cased names)', () => {
    // Names of a few lengths, so that several share its two entries per length; some past 12
    // characters, which it does not cache.
    const name = fc.constantFrom(
      'Host',
      'host',
      'HOST',
      'Accept',
      'ACCEPT',
      'Origin',
      'User-Agent',
      'user-agent',
      'tracestate',
      'TraceState',
      'X-Request-Id',
      'content-type',
      'Content-Type',
      'x-forwarded-for',
      'X-Forwarded-For',
      'a',
      'B',
    );
    fc.assert(
      fc.property(fc.array(fc.tuple(name, fc.string({ maxLength: 4 })), { maxLength: 8 }), fc.array(name, { maxLength: 30 }), (fields, lookups) => {
        const m = new HTTPMessage();
        for (const [n, v] of fields) m.append(n, v);
        for (const n of lookups) {
          const matching = fields.filter(([k]) => k.toLowerCase() === n.toLowerCase()).map(([, v]) => v);
          expect(m.get(n)).toBe(matching[0]);
          expect(m.getAll(n)).toEqual(matching);
          expect(m.has(n)).toBe(matching.length > 0);
        }
      }),
      { numRuns: 2000 },
    );
  });

  test('any split of a valid pipelined byte stream yields the same requests', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(requestArb, { minLength: 1, maxLength: 4 }), fc.array(fc.nat(), { maxLength: 6 }), async (reqs, cuts) => {
        const stream = Buffer.from(reqs.map(encode).join(''), 'latin1');
        const expected = reqs.map((r) => `${r.method} ${r.path.startsWith('//') ? `/${r.path.replace(/^\/+/, '')}` : r.path} ${r.body}|`).join('');
        const points = [...new Set(cuts.map((c) => c % (stream.length + 1)))].sort((a, b) => a - b);
        const pieces: Buffer[] = [];
        let prev = 0;
        for (const p of points) {
          pieces.push(stream.subarray(prev, p));
          prev = p;
        }
        pieces.push(stream.subarray(prev));
        const got = await sendRaw(srv.port, [...pieces.filter((p) => p.length > 0), 'GET /end HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n'], {
          delayMs: 2,
          timeoutMs: 10_000,
        });
        const bodies = [...got.text.matchAll(/\r\n\r\n([^]*?\|)/g)].map((m) => m[1]).join('');
        expect(bodies).toBe(`${expected}GET /end |`);
      }),
      { numRuns: 60 },
    );
  });

  test("request lines: the one-pass common form and the general parser agree with a model of CPython's split", async () => {
    // Separators other than one SP, HTTP/1.0 and 1.1, methods of any token, targets that start
    // with '/' or '//' (collapsed), absolute-form: whichever path parses a line, the handler must
    // see what splitting on whitespace gives.
    class LineRecorder extends BaseHTTPRequestHandler {
      override protocolVersion = 'HTTP/1.1';
      override logMessage(): void {}
    }
    const methods = ['GET', 'PURGE', 'M-SEARCH', 'X_Y'];
    for (const m of methods) {
      (LineRecorder.prototype as unknown as Record<string, () => void>)[`do_${m}`] = function (this: BaseHTTPRequestHandler) {
        const line = `${this.command}|${this.path}|${this.requestVersion}|${this.closeConnection}|`;
        this.sendResponse(200);
        this.sendHeader('Content-Length', line.length);
        this.endHeaders();
        this.wfile.write(line);
      };
    }
    const local = await startServer(LineRecorder);
    try {
      await fc.assert(
        fc.asyncProperty(
          fc.constantFrom(...methods),
          fc.oneof(
            pathArb,
            pathArb.map((p) => `/${p}`),
            fc.constant('http://h/x?y=1'),
          ),
          fc.constantFrom(' ', '  ', '\t', ' \t'),
          fc.constantFrom(' ', '\t'),
          fc.constantFrom('HTTP/1.1', 'HTTP/1.0'),
          async (method, target, sep1, sep2, version) => {
            const r = await sendRaw(local.port, `${method}${sep1}${target}${sep2}${version}\r\nHost: h\r\nConnection: close\r\n\r\n`, { timeoutMs: 10_000 });
            const path = target.startsWith('//') ? `/${target.replace(/^\/+/, '')}` : target;
            // Connection: close ends every one of them; the version decides nothing else here.
            expect(r.text.slice(r.text.indexOf('\r\n\r\n') + 4)).toBe(`${method}|${path}|${version}|true|`);
          },
        ),
        { numRuns: 150 },
      );
      // Persistence by default follows the version on the fast path too.
      const ka = await sendRaw(local.port, 'GET /k HTTP/1.1\r\nHost: h\r\n\r\nGET /k2 HTTP/1.0\r\n\r\n', { timeoutMs: 10_000 });
      expect(ka.text).toContain('GET|/k|HTTP/1.1|false|');
      expect(ka.text).toContain('GET|/k2|HTTP/1.0|true|');
    } finally {
      await local.close();
    }
  });
});
