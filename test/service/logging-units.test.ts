import { closeSync, mkdtempSync, openSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import fc from 'fast-check';
import pino from 'pino';
import { describe, expect, it, vi } from 'vitest';
import { TraceContext, TraceIds } from '../../src/http/trace-context.js';
import { AccessLog, type AccessFields, CONNECTION_RECORD, type ConnectionRecordSlot } from '../../src/service/access-log.js';
import { LogWriter } from '../../src/service/log-writer.js';
import { isWellFormedRequestId, RequestIdGenerator } from '../../src/service/request-id.js';
import { collectGarbage } from '../helpers/memory.js';

function tempFile(): { path: string; fd: number } {
  const path = join(mkdtempSync(join(tmpdir(), 'basehttp-log-')), 'out.log');
  return { path, fd: openSync(path, 'a') };
}

const TRACE = new TraceContext('4bf92f3577b34da6a3ce929d0e0e4736', '00f067aa0ba902b7', '01', 'b7ad6b7169203331');
/** No generated-id prefix: these records are given their id as a string. */
const EMPTY_PREFIX = new Uint8Array(0);

const nextTurn = (): Promise<void> => new Promise((r) => setImmediate(r));

describe('AccessLog', () => {
  const fields = (over: Partial<AccessFields> = {}): AccessFields => ({
    command: 'GET',
    path: '/a?b="c"',
    requestVersion: 'HTTP/1.1',
    clientAddress: ['::1', 5000],
    statusCode: 200,
    bytesSent: 120,
    bytesReceived: 80,
    headers: { get: (n: string) => ({ 'user-agent': 'ua/1', referer: undefined, 'x-request-id': undefined })[n] as string | undefined },
    ...over,
  });

  function line(f: AccessFields, ms = 1.23456): string {
    const { path, fd } = tempFile();
    const writer = new LogWriter(fd);
    new AccessLog(writer, 42, 'host"x').write(f, performance.now(), ms, 'id-1', EMPTY_PREFIX, '/a/:b', TRACE);
    expect(readFileSync(path, 'utf8')).toBe(''); // formatted and written at the end of the turn
    writer.flushSync();
    const text = readFileSync(path, 'utf8');
    closeSync(fd);
    expect(text.split('\n')).toHaveLength(2);
    return text;
  }

  it('writes the records at the end of the event-loop turn, before any later line', async () => {
    const { path, fd } = tempFile();
    const writer = new LogWriter(fd);
    const log = new AccessLog(writer, 1, 'h');
    log.write(fields(), performance.now(), 1, 'a', EMPTY_PREFIX, 'unrouted', TRACE);
    log.write(fields({ path: '/b' }), performance.now(), 1, 'b', EMPTY_PREFIX, 'unrouted', TRACE);
    writer.write('{"msg":"other"}\n'); // e.g. a pino line: the waiting records go first
    log.write(fields({ path: '/c' }), performance.now(), 1, 'c', EMPTY_PREFIX, 'unrouted', TRACE);
    expect(readFileSync(path, 'utf8')).toBe('');
    await nextTurn();
    const ids = readFileSync(path, 'utf8')
      .trim()
      .split('\n')
      .map((l) => (JSON.parse(l) as { requestId?: string; msg: string }).requestId ?? 'other');
    expect(ids).toEqual(['a', 'b', 'other', 'c']);
    closeSync(fd);
  });

  it('writes at once when 64 KiB are pending, in order', () => {
    const { path, fd } = tempFile();
    const writer = new LogWriter(fd);
    const log = new AccessLog(writer, 1, 'h');
    for (let i = 0; i < 1000; i++) log.write(fields(), performance.now(), 1, `r${i}`, EMPTY_PREFIX, 'unrouted', TRACE);
    const early = readFileSync(path).length;
    expect(early).toBeGreaterThanOrEqual(65_536);
    writer.flushSync();
    const all = readFileSync(path).length;
    expect(all - early).toBeGreaterThan(0); // the rest waited for the end of the turn…
    expect(all - early).toBeLessThan(65_536); // …and was less than 64 KiB
    const ids = readFileSync(path, 'utf8')
      .trim()
      .split('\n')
      .map((l) => (JSON.parse(l) as { requestId: string }).requestId);
    expect(ids).toEqual(Array.from({ length: 1000 }, (_, i) => `r${i}`));
    closeSync(fd);
  });

  it('writes the bytes pino writes, whatever the client sent', () => {
    const pinoLines: string[] = [];
    const logger = pino({ base: { pid: 42, hostname: 'host"x' }, timestamp: () => ',"time":1732780000000' }, { write: (s: string) => pinoLines.push(s) });
    const text = fc.string({ unit: 'binary', maxLength: 40 });
    fc.assert(
      fc.property(text, fc.option(text), fc.option(text), fc.double({ min: 0, max: 1e7, noNaN: true }), fc.nat(), (url, agent, referer, ms, sent) => {
        const f = fields({
          path: url,
          bytesSent: sent,
          headers: { get: (n: string) => ({ 'user-agent': agent ?? undefined, referer: referer ?? undefined })[n] },
        });
        const ours = line(f, ms).replace(/"time":\d+/, '"time":1732780000000');
        logger.info(
          {
            req: { method: 'GET', url, remoteAddress: '::1', remotePort: 5000 },
            res: { statusCode: 200 },
            route: '/a/:b',
            responseTime: Number(ours.match(/"responseTime":([^,]+)/)![1]),
            bytesSent: sent,
            bytesReceived: 80,
            httpVersion: 'HTTP/1.1',
            userAgent: agent ?? null,
            referer: referer ?? null,
            requestId: 'id-1',
            trace_id: '4bf92f3577b34da6a3ce929d0e0e4736',
            span_id: '00f067aa0ba902b7',
            trace_flags: '01',
          },
          'request completed',
        );
        // pino prints a number its shortest way (1.5); the record always has three decimals (1.500).
        const theirs = pinoLines.pop()!.replace(/"responseTime":[^,]+/, ours.match(/"responseTime":[^,]+/)![0]);
        expect(ours).toBe(theirs);
        expect(Math.round(Number(ours.match(/"responseTime":([^,]+)/)![1]) * 1000)).toBe(Math.round(ms * 1000));
      }),
      { numRuns: 300 },
    );
  });

  it('prints the line pino would print for the same record', () => {
    const ours = JSON.parse(line(fields())) as Record<string, unknown>;
    const pinoLines: string[] = [];
    const logger = pino({ base: { pid: 42, hostname: 'host"x' } }, { write: (s: string) => pinoLines.push(s) });
    logger.info(
      {
        req: { method: 'GET', url: '/a?b="c"', remoteAddress: '::1', remotePort: 5000 },
        res: { statusCode: 200 },
        route: '/a/:b',
        responseTime: 1.235,
        bytesSent: 120,
        bytesReceived: 80,
        httpVersion: 'HTTP/1.1',
        userAgent: 'ua/1',
        referer: null,
        requestId: 'id-1',
        trace_id: '4bf92f3577b34da6a3ce929d0e0e4736',
        span_id: '00f067aa0ba902b7',
        trace_flags: '01',
      },
      'request completed',
    );
    const theirs = JSON.parse(pinoLines[0]!) as Record<string, unknown>;
    theirs.time = ours.time;
    expect(Object.keys(ours)).toEqual(Object.keys(theirs));
    expect(ours).toEqual(theirs);
    expect(Math.abs((ours.time as number) - Date.now())).toBeLessThan(5000);
  });

  it('writes the bytes pino writes for any method, route, version, request id and trace, one AccessLog across records', () => {
    // One AccessLog for every run, so its per-value fragments (method, route, version) are built
    // on first sight and reused after; ids come as strings or as generated numbers, traces as
    // strings or as a fresh trace's bytes.
    const pinoLines: string[] = [];
    const logger = pino({ base: { pid: 42, hostname: 'host"x' }, timestamp: () => ',"time":1732780000000' }, { write: (s: string) => pinoLines.push(s) });
    const { path, fd } = tempFile();
    const writer = new LogWriter(fd);
    const log = new AccessLog(writer, 42, 'host"x');
    const gen = new RequestIdGenerator();
    const traces = new TraceIds();
    let done = 0;
    const method = fc.oneof(fc.constantFrom('GET', 'POST', 'HEAD'), fc.stringMatching(/^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,12}$/));
    const route = fc.oneof(fc.constantFrom('unrouted', 'unmatched', '/users/:id'), fc.string({ unit: 'binary', maxLength: 30 }));
    const version = fc.constantFrom('HTTP/1.1', 'HTTP/1.0', 'HTTP/0.9', '');
    const id = fc.oneof(fc.integer({ min: 1, max: 2 ** 40 }), fc.stringMatching(/^[A-Za-z0-9._:-]{1,20}$/));
    fc.assert(
      fc.property(method, route, version, id, fc.boolean(), (m, r, v, rid, fresh) => {
        const trace = fresh ? traces.contextFor(null) : TRACE;
        log.write(fields({ command: m, requestVersion: v }), performance.now(), 2.5, rid, gen.prefixBytes, r, trace);
        writer.flushSync();
        const lines = readFileSync(path, 'utf8').split('\n');
        const ours = lines[done++]!.replace(/"time":\d+/, '"time":1732780000000');
        logger.info(
          {
            req: { method: m, url: '/a?b="c"', remoteAddress: '::1', remotePort: 5000 },
            res: { statusCode: 200 },
            route: r,
            responseTime: 2.5,
            bytesSent: 120,
            bytesReceived: 80,
            httpVersion: v === '' ? null : v,
            userAgent: 'ua/1',
            referer: null,
            requestId: typeof rid === 'number' ? gen.format(rid) : rid,
            trace_id: trace.traceId,
            span_id: trace.spanId,
            trace_flags: '01',
          },
          'request completed',
        );
        expect(ours).toBe(`${pinoLines.pop()!.replace('"responseTime":2.5', '"responseTime":2.500')}`.replace(/\n$/, ''));
      }),
      { numRuns: 400 },
    );
    closeSync(fd);
  });

  it("writes the bytes pino writes for one connection's records as they repeat and change (its cached runs)", () => {
    // One handler object per run (one connection): each of the record's two cached runs is kept
    // after it came out the same twice in a row, and dropped when one of its fields changes. The
    // writer's buffer is reused after each flush: a cached run must be a copy, not a view of it.
    const pinoLines: string[] = [];
    const logger = pino({ base: { pid: 42, hostname: 'h' }, timestamp: () => ',"time":1732780000000' }, { write: (s: string) => pinoLines.push(s) });
    const gen = new RequestIdGenerator();
    const record = fc.record({
      command: fc.constantFrom('GET', 'POST', ''),
      path: fc.constantFrom('/a', '/b?x="1"'),
      status: fc.constantFrom(200, 404, null),
      route: fc.constantFrom('/a', 'unmatched'),
      sent: fc.constantFrom(10, 2000),
      received: fc.constantFrom(5, 6),
      version: fc.constantFrom('HTTP/1.1', 'HTTP/1.0'),
      agent: fc.constantFrom('ua/1', undefined, 'ü"\n'),
      referer: fc.constantFrom(undefined, 'r'),
      id: fc.oneof(fc.constantFrom(7, 1234567), fc.constantFrom('own-1', 'own-2')),
      flush: fc.boolean(),
    });
    type Fields = typeof record extends fc.Arbitrary<infer R> ? R : never;
    const keys = ['command', 'path', 'status', 'route', 'sent', 'received', 'version', 'agent', 'referer', 'id', 'flush'] as const;
    // Mostly the previous record again, with one field changed now and then: runs of repeats.
    const step = fc.oneof({ arbitrary: fc.constant(null), weight: 3 }, fc.tuple(fc.constantFrom(...keys), record));
    const connection = fc.tuple(record, fc.array(step, { maxLength: 40 })).map(([first, steps]) => {
      const out: Fields[] = [first];
      for (const st of steps) out.push(st === null ? out.at(-1)! : { ...out.at(-1)!, [st[0]]: st[1][st[0]] });
      return out;
    });
    fc.assert(
      fc.property(connection, (records) => {
        const { path, fd } = tempFile();
        const writer = new LogWriter(fd);
        const log = new AccessLog(writer, 42, 'h');
        const headers = new Map<string, string | undefined>();
        const conn = { ...fields(), headers: { get: (n: string) => headers.get(n) } };
        const expected: string[] = [];
        for (const r of records) {
          const refused = r.command === '';
          Object.assign(conn, { command: r.command, path: r.path, statusCode: r.status, bytesSent: r.sent, bytesReceived: r.received });
          conn.requestVersion = refused ? '' : r.version;
          headers.set('user-agent', r.agent);
          headers.set('referer', r.referer);
          log.write(conn, performance.now(), 2.5, r.id, gen.prefixBytes, r.route, TRACE);
          if (r.flush) writer.flushSync();
          logger.info(
            {
              req: { method: refused ? null : r.command, url: refused ? null : r.path, remoteAddress: '::1', remotePort: 5000 },
              res: { statusCode: r.status },
              route: r.route,
              responseTime: 2.5,
              bytesSent: r.sent,
              bytesReceived: r.received,
              httpVersion: refused ? null : r.version,
              userAgent: refused ? null : (r.agent ?? null),
              referer: refused ? null : (r.referer ?? null),
              requestId: typeof r.id === 'number' ? gen.format(r.id) : r.id,
              trace_id: TRACE.traceId,
              span_id: TRACE.spanId,
              trace_flags: '01',
            },
            'request completed',
          );
          expected.push(pinoLines.pop()!.replace('"responseTime":2.5', '"responseTime":2.500'));
        }
        writer.flushSync();
        const ours = readFileSync(path, 'utf8').replace(/"time":\d+/g, '"time":1732780000000');
        closeSync(fd);
        expect(ours).toBe(expected.join(''));
      }),
      { numRuns: 300 },
    );
  });

  it("keeps the latest request's strings and no run over 512 bytes: an idle connection holds no older head", () => {
    const writer = new LogWriter(openSync('/dev/null', 'a'));
    const log = new AccessLog(writer, 42, 'h');
    const headers = new Map<string, string | undefined>();
    const conn: { -readonly [K in keyof AccessFields]: AccessFields[K] } & ConnectionRecordSlot = { ...fields(), headers: { get: (n: string) => headers.get(n) } };
    // Two 4 MiB request heads; the url and user agent of each are slices of it, which keep it alive.
    const head = (fill: string): string => `GET /same-path-of-some-length HTTP/1.1\r\nUser-Agent: same-agent/1.0 (x)\r\n${fill.repeat(4 << 20)}`;
    const take = (text: string): void => {
      conn.path = text.slice(4, text.indexOf(' HTTP/'));
      const ua = text.indexOf('User-Agent: ') + 12;
      headers.set('user-agent', text.slice(ua, text.indexOf('\r', ua)));
      log.write(conn, performance.now(), 1, 7, EMPTY_PREFIX, '/a', TRACE);
    };
    let first: string | null = head('a');
    take(first);
    take(head('b')); // the same record again: its runs are kept from now on
    expect(conn.path).toBe('/same-path-of-some-length');
    expect(headers.get('user-agent')).toBe('same-agent/1.0 (x)');
    first = null;
    collectGarbage();
    const withRecord = process.memoryUsage().heapUsed;
    conn[CONNECTION_RECORD] = undefined;
    collectGarbage();
    // Dropping the record frees no head: it held the second one's strings, which the handler holds too.
    expect(withRecord - process.memoryUsage().heapUsed).toBeLessThan(1 << 20);

    // A run longer than 512 bytes is written field by field every time, never kept.
    conn.path = `/${'x'.repeat(1000)}`;
    for (let i = 0; i < 3; i++) log.write(conn, performance.now(), 1, 7, EMPTY_PREFIX, '/a', TRACE);
    expect(conn[CONNECTION_RECORD]!.head).toBeNull();
    expect(conn[CONNECTION_RECORD]!.tail).not.toBeNull();
    writer.flushSync();
  });

  it('keeps writing correct records past its fragment caches (1024 distinct routes)', () => {
    const { path, fd } = tempFile();
    const writer = new LogWriter(fd);
    const log = new AccessLog(writer, 1, 'h');
    for (let i = 0; i < 1100; i++) log.write(fields(), performance.now(), 1, 'a', EMPTY_PREFIX, `/r/${i}`, TRACE);
    writer.flushSync();
    const routes = readFileSync(path, 'utf8')
      .trim()
      .split('\n')
      .map((l) => (JSON.parse(l) as { route: string }).route);
    expect(routes).toEqual(Array.from({ length: 1100 }, (_, i) => `/r/${i}`));
    closeSync(fd);
  });

  it('keeps no long client-chosen method in its caches (1100 methods of 60 000 characters)', () => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const { path, fd } = tempFile();
    const writer = new LogWriter(fd);
    const log = new AccessLog(writer, 1, 'h');
    gc();
    const before = process.memoryUsage();
    for (let i = 0; i < 1100; i++) {
      const method = `M${i}${'X'.repeat(60_000)}`;
      log.write(fields({ command: method }), performance.now(), 1, 'a', EMPTY_PREFIX, 'unrouted', TRACE);
      writer.flushSync();
    }
    gc();
    const after = process.memoryUsage();
    // Kept, they would be ~130 MB (their strings and their fragments); the record itself is right.
    expect(after.heapUsed + after.arrayBuffers - (before.heapUsed + before.arrayBuffers)).toBeLessThan(16 * 1024 * 1024);
    const last = readFileSync(path, 'utf8').trim().split('\n').at(-1)!;
    expect((JSON.parse(last) as { req: { method: string } }).req.method).toBe(`M1099${'X'.repeat(60_000)}`);
    closeSync(fd);
  });

  it("stamps each record with the wall-clock time of the request's end, and follows a step of the system clock", () => {
    const { path, fd } = tempFile();
    const writer = new LogWriter(fd);
    const log = new AccessLog(writer, 1, 'h');
    const bounds: Array<[number, number]> = [];
    for (let i = 0; i < 200; i++) {
      const before = Date.now();
      log.write(fields(), performance.now(), 1, 'a', EMPTY_PREFIX, 'unrouted', TRACE);
      bounds.push([before, Date.now()]);
    }
    // An end 5 s ago maps to its own instant.
    log.write(fields(), performance.now() - 5000, 1, 'b', EMPTY_PREFIX, 'unrouted', TRACE);
    // The system clock steps an hour ahead; a request ending a second later shows it.
    const step = 3_600_000;
    const now = Date.now;
    const spy = vi.spyOn(Date, 'now').mockImplementation(() => now() + step);
    for (let i = 0; i < 100; i++) Date.now(); // the spy's first calls are slow: the clock check would skip itself
    // The check skips itself when the thread is held between its clock reads (a busy machine):
    // each later second gets another chance.
    let expected = 0;
    for (let k = 1; k <= 20; k++) {
      const end = performance.now() + 1001 * k;
      expected = now() + step + 1001 * k;
      log.write(fields(), end, 1, 'c', EMPTY_PREFIX, 'unrouted', TRACE);
      writer.flushSync();
      const last = JSON.parse(readFileSync(path, 'utf8').trim().split('\n').at(-1)!) as { time: number };
      if (Math.abs(last.time - expected) <= 2) break;
    }
    spy.mockRestore();
    const times = readFileSync(path, 'utf8')
      .trim()
      .split('\n')
      .map((l) => (JSON.parse(l) as { time: number }).time);
    // Within a millisecond of Date.now() (whole milliseconds; the clocks' rates differ slightly).
    times.slice(0, 200).forEach((t, i) => {
      expect(t).toBeGreaterThanOrEqual(bounds[i]![0] - 1);
      expect(t).toBeLessThanOrEqual(bounds[i]![1] + 1);
    });
    expect(Math.abs(times[200]! - (times[199]! - 5000))).toBeLessThanOrEqual(2);
    expect(Math.abs(times.at(-1)! - expected)).toBeLessThanOrEqual(2);
    closeSync(fd);
  });

  it('nulls what a refused request cannot know', () => {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- a parsed log record, its fields checked one by one below
    const rec = JSON.parse(line(fields({ command: '', requestVersion: '', statusCode: 414 }))) as Record<string, any>;
    expect(rec.req).toEqual({ method: null, url: null, remoteAddress: '::1', remotePort: 5000 });
    expect([rec.userAgent, rec.referer, rec.httpVersion, rec.res.statusCode]).toEqual([null, null, null, 414]);
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- a parsed log record, its fields checked one by one below
    const none = JSON.parse(line(fields({ command: null, statusCode: null }))) as Record<string, any>;
    expect(none.res.statusCode).toBeNull();
  });
});

describe('LogWriter', () => {
  it('batches the lines of one event-loop turn into one write', async () => {
    const { path, fd } = tempFile();
    const w = new LogWriter(fd);
    w.write('a\n');
    w.write('b\n');
    expect(readFileSync(path, 'utf8')).toBe('');
    await nextTurn();
    expect(readFileSync(path, 'utf8')).toBe('a\nb\n');
    w.write('c\n');
    w.flushSync();
    expect(readFileSync(path, 'utf8')).toBe('a\nb\nc\n');
    closeSync(fd);
  });

  it('writes at once when 64 KiB are pending', () => {
    const { path, fd } = tempFile();
    const w = new LogWriter(fd);
    const line = `${'x'.repeat(1023)}\n`;
    for (let i = 0; i < 64; i++) w.write(line);
    expect(readFileSync(path, 'utf8').length).toBe(64 * 1024);
    closeSync(fd);
  });

  it('keeps UTF-8 intact', () => {
    const { path, fd } = tempFile();
    const w = new LogWriter(fd);
    w.write('é€😀\n');
    w.flushSync();
    expect(readFileSync(path, 'utf8')).toBe('é€😀\n');
    closeSync(fd);
  });

  it('writes each line at once when not batched', () => {
    const { path, fd } = tempFile();
    const w = new LogWriter(fd, false);
    w.write('now\n');
    expect(readFileSync(path, 'utf8')).toBe('now\n');
    closeSync(fd);
  });

  it('counts lines a broken descriptor lost and never throws', () => {
    const { fd } = tempFile();
    closeSync(fd);
    const w = new LogWriter(fd);
    w.write('a\n');
    w.write('b\n');
    expect(() => w.flushSync()).not.toThrow();
    expect(w.dropped).toBe(2);
    expect(w.error?.code).toBe('EBADF');
  });
});

describe('request ids', () => {
  it('accepts 1–128 characters of [A-Za-z0-9._:-] only', () => {
    expect(isWellFormedRequestId('a')).toBe(true);
    expect(isWellFormedRequestId('A-z_0.9:x')).toBe(true);
    expect(isWellFormedRequestId('x'.repeat(128))).toBe(true);
    expect(isWellFormedRequestId('x'.repeat(129))).toBe(false);
    expect(isWellFormedRequestId('')).toBe(false);
    expect(isWellFormedRequestId('a b')).toBe(false);
    expect(isWellFormedRequestId('a\nb')).toBe(false);
    expect(isWellFormedRequestId('ä')).toBe(false);
  });

  it('generates distinct ids with a per-process prefix', () => {
    const a = new RequestIdGenerator();
    const b = new RequestIdGenerator();
    expect(a.prefix).toMatch(/^[0-9a-z]{8}-$/);
    expect(a.prefix).not.toBe(b.prefix);
    expect([a.take(), a.take()].map((n) => a.format(n))).toEqual([`${a.prefix}1`, `${a.prefix}2`]);
    expect([b.format(b.take())]).toEqual([`${b.prefix}1`]);
  });

  it('formats every number as prefix + decimal, in order or not, and its X-Request-Id line', () => {
    const g = new RequestIdGenerator('abcdefgh');
    const seen: number[] = [];
    // In order across the thousands (the cached bases), then numbers from earlier and later thousands.
    for (let n = 1; n <= 3500; n++) seen.push(n);
    seen.push(1999, 1000, 999, 10_000, 10_999, 2 ** 31 + 7, 2 ** 40, 4321, 42);
    for (const n of seen) {
      expect(g.format(n)).toBe(`abcdefgh-${n}`);
      expect(g.headerLine(n)).toBe(`X-Request-Id: abcdefgh-${n}\r\n`);
    }
    expect(Buffer.from(g.prefixBytes).toString('latin1')).toBe('abcdefgh-');
    const h = new RequestIdGenerator('abcdefgh');
    expect([h.take(), h.take(), h.format(h.take())]).toEqual([1, 2, 'abcdefgh-3']);
  });
});

describe('trace ids as bytes', () => {
  it("keeps a fresh trace's ids when the random pool is refilled, and writes them as its strings read", () => {
    const traces = new TraceIds();
    const first = traces.contextFor(null);
    const early = Buffer.alloc(48);
    first.putSpanId(early, first.putTraceId(early, 0));
    // 682 fresh traces per 16 KiB pool: several refills.
    const later = Array.from({ length: 5000 }, () => traces.contextFor(null));
    expect(first.traceId + first.spanId).toBe(early.toString('latin1'));
    expect(first.traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(first.spanId).toMatch(/^[0-9a-f]{16}$/);
    const ids = new Set(later.map((t) => t.traceId));
    expect(ids.size).toBe(5000);
    for (const t of [...later.slice(0, 3), later[4999]!]) {
      const b = Buffer.alloc(48);
      t.putSpanId(b, t.putTraceId(b, 0));
      expect(b.toString('latin1')).toBe(t.traceId + t.spanId);
      expect(t.traceparent()).toBe(`00-${t.traceId}-${t.spanId}-01`);
    }
    // A context built from strings writes them as they are…
    const b = Buffer.alloc(48);
    TRACE.putSpanId(b, TRACE.putTraceId(b, 0));
    expect(b.toString('latin1')).toBe('4bf92f3577b34da6a3ce929d0e0e4736' + '00f067aa0ba902b7');
    // …and one with ids of the wrong length never writes past their 32 and 16 bytes.
    const odd = new TraceContext('a'.repeat(40), 'b'.repeat(3), '01', null);
    const c = Buffer.alloc(50, 0x2e);
    expect(odd.putSpanId(c, odd.putTraceId(c, 1))).toBe(49);
    expect(c.toString('latin1')).toBe(`.${'a'.repeat(32)}bbb${'0'.repeat(13)}.`);
  });

  it('writes its ids as 24 bytes for the exemplars, fresh or built from strings', () => {
    const traces = new TraceIds();
    for (const t of [traces.contextFor(null), ...Array.from({ length: 1000 }, () => traces.contextFor(null)).slice(-2), TRACE]) {
      const b = Buffer.alloc(26, 0x2e);
      expect(t.putIdBytes(b, 1)).toBe(25);
      expect(b.subarray(1, 17).toString('hex') + b.subarray(17, 25).toString('hex')).toBe(t.traceId + t.spanId);
      expect([b[0], b[25]]).toEqual([0x2e, 0x2e]);
    }
    // Upper-case digits decode as lower-case would; a wrong length or a non-digit reads as 0.
    const odd = new TraceContext('4BF92F3577B34DA6A3CE929D0E0E4736ff', 'zz1', '01', null);
    const c = Buffer.alloc(24);
    odd.putIdBytes(c, 0);
    expect(c.toString('hex')).toBe('4bf92f3577b34da6a3ce929d0e0e4736' + '0010000000000000');
  });

  it('detach() gives a fresh trace its own 24 bytes: the same ids, and no hold on the random pool', () => {
    const traces = new TraceIds();
    const t = traces.contextFor(null);
    const before = Buffer.alloc(24);
    t.putIdBytes(before, 0);
    t.detach();
    // The pool is refilled many times over; the detached context still reads its own bytes.
    for (let i = 0; i < 3000; i++) traces.contextFor(null);
    const after = Buffer.alloc(24);
    t.putIdBytes(after, 0);
    expect(after).toEqual(before);
    const hex = Buffer.alloc(48);
    t.putSpanId(hex, t.putTraceId(hex, 0));
    expect(hex.toString('latin1')).toBe(before.toString('hex'));
    expect(t.traceId + t.spanId).toBe(before.toString('hex'));
    t.detach(); // a context whose ids are text: nothing to do
    expect(t.traceId + t.spanId).toBe(before.toString('hex'));
  });

  it('detach() lets the pools go: 40 kept contexts from 40 different pools hold 40 × 16 KiB until detached', () => {
    const traces = new TraceIds();
    const kept = [];
    for (let k = 0; k < 40; k++) {
      kept.push(traces.contextFor(null));
      for (let i = 0; i < 700; i++) traces.contextFor(null); // 682 traces per pool: the next one is another pool's
    }
    collectGarbage();
    const holding = process.memoryUsage().arrayBuffers;
    for (const t of kept) t.detach();
    collectGarbage();
    const released = holding - process.memoryUsage().arrayBuffers;
    expect(released).toBeGreaterThan(20 * 16_384);
    expect(kept.every((t) => /^[0-9a-f]{32}$/.test(t.traceId))).toBe(true);
  });

  it('shows its ids in JSON, fresh or built from strings', () => {
    const fresh = new TraceIds().contextFor(null);
    expect(JSON.parse(JSON.stringify({ t: fresh })).t).toEqual({ traceId: fresh.traceId, spanId: fresh.spanId, traceFlags: '01', parentId: null });
    expect(JSON.parse(JSON.stringify(TRACE))).toEqual({
      traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
      spanId: '00f067aa0ba902b7',
      traceFlags: '01',
      parentId: 'b7ad6b7169203331',
    });
  });
});
