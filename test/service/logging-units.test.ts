import { closeSync, mkdtempSync, openSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { TraceContext } from '../../src/http/trace-context.js';
import { AccessLog, type AccessFields } from '../../src/service/access-log.js';
import { LogWriter } from '../../src/service/log-writer.js';
import { isWellFormedRequestId, RequestIdGenerator } from '../../src/service/request-id.js';

function tempFile(): { path: string; fd: number } {
  const path = join(mkdtempSync(join(tmpdir(), 'basehttp-log-')), 'out.log');
  return { path, fd: openSync(path, 'a') };
}

const TRACE = new TraceContext('4bf92f3577b34da6a3ce929d0e0e4736', '00f067aa0ba902b7', '01', 'b7ad6b7169203331');

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
    new AccessLog(writer, 42, 'host"x').write(f, ms, 'id-1', '/a/:b', TRACE);
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
    log.write(fields(), 1, 'a', 'unrouted', TRACE);
    log.write(fields({ path: '/b' }), 1, 'b', 'unrouted', TRACE);
    writer.write('{"msg":"other"}\n'); // e.g. a pino line: the waiting records go first
    log.write(fields({ path: '/c' }), 1, 'c', 'unrouted', TRACE);
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
    for (let i = 0; i < 1000; i++) log.write(fields(), 1, `r${i}`, 'unrouted', TRACE);
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
    expect([a.next(), a.next()]).toEqual([`${a.prefix}1`, `${a.prefix}2`]);
    expect(a.pick('keep.me')).toBe('keep.me');
    expect(a.pick('drop me')).toBe(`${a.prefix}3`);
    expect(a.pick(undefined)).toBe(`${a.prefix}4`);
  });
});
