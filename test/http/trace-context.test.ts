import { describe, expect, it } from 'vitest';
import { HTTPMessage } from '../../src/http/message.js';
import { parseTraceparent, parseTracestate, TraceContext, TraceIds } from '../../src/http/trace-context.js';

const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const PARENT = '00f067aa0ba902b7';
const VALID = `00-${TRACE}-${PARENT}-01`;

function headers(fields: Array<[string, string]>): HTTPMessage {
  const m = new HTTPMessage();
  for (const [k, v] of fields) m.append(k, v);
  return m;
}

describe('parseTraceparent', () => {
  it('reads a valid version 00 value', () => {
    expect(parseTraceparent(VALID)).toEqual({ traceId: TRACE, parentId: PARENT, traceFlags: '01' });
    expect(parseTraceparent(`00-${TRACE}-${PARENT}-00`)?.traceFlags).toBe('00');
    expect(parseTraceparent(`00-${TRACE}-${PARENT}-09`)?.traceFlags).toBe('09');
  });

  it.each([
    ['missing', undefined],
    ['empty', ''],
    ['too long', `${VALID}0`],
    ['version 00 with an extra field', `${VALID}-what`],
    ['upper-case trace id', `00-${TRACE.toUpperCase()}-${PARENT}-01`],
    ['upper-case parent id', `00-${TRACE}-00F067AA0BA902B7-01`],
    ['upper-case flags', `00-${TRACE}-${PARENT}-0A`],
    ['upper-case version', `0A-${TRACE}-${PARENT}-01`],
    ['version ff', `ff-${TRACE}-${PARENT}-01`],
    ['one-digit version', `0-${TRACE}-${PARENT}-01`],
    ['non-hex version', `0g-${TRACE}-${PARENT}-01`],
    ['all-zero trace id', `00-${'0'.repeat(32)}-${PARENT}-01`],
    ['all-zero parent id', `00-${TRACE}-${'0'.repeat(16)}-01`],
    ['short trace id', `00-${TRACE.slice(1)}-${PARENT}-01`],
    ['short parent id', `00-${TRACE}-${PARENT.slice(1)}-01`],
    ['control character', `00-${TRACE}-${PARENT}-0\u0001`],
    ['newline inside', `00-${TRACE.slice(0, 31)}\n-${PARENT}-01`],
    ['wrong separator', `00_${TRACE}_${PARENT}_01`],
    ['a later version over 512 characters', `01-${TRACE}-${PARENT}-01-${'a'.repeat(500)}`],
    ['a later version without a dash after the flags', `01-${TRACE}-${PARENT}-01x`],
    ['a later version with a control character', `01-${TRACE}-${PARENT}-01-\u0000`],
  ])('refuses %s', (_, value) => {
    expect(parseTraceparent(value)).toBeNull();
  });

  it('reads a later version by its first four fields, keeping only the sampled flag (W3C §4.3)', () => {
    expect(parseTraceparent(`cc-${TRACE}-${PARENT}-03-future`)).toEqual({ traceId: TRACE, parentId: PARENT, traceFlags: '01' });
    expect(parseTraceparent(`01-${TRACE}-${PARENT}-02`)?.traceFlags).toBe('00');
  });
});

describe('parseTracestate', () => {
  it('normalises valid members and joins repeated fields', () => {
    expect(parseTracestate(['rojo=00f067aa0ba902b7, congo=t61rcWkgMzE'])).toBe('rojo=00f067aa0ba902b7,congo=t61rcWkgMzE');
    expect(parseTracestate(['a=1', ' ,b@sys=2'])).toBe('a=1,b@sys=2');
    expect(parseTracestate([])).toBeNull();
    expect(parseTracestate([' , '])).toBeNull();
  });

  it.each([
    ['an upper-case key', ['Rojo=1']],
    ['a member without =', ['rojo']],
    ['a value with a comma-free but = inside', ['a=b=c']],
    ['a value over 256 characters', [`a=${'v'.repeat(257)}`]],
    ['a control character', ['a=b\u0001c']],
    ['a repeated key', ['a=1,a=2']],
    ['33 members', [Array.from({ length: 33 }, (_, i) => `k${i}=v`).join(',')]],
  ])('drops the whole value for %s', (_, values) => {
    expect(parseTracestate(values)).toBeNull();
  });
});

describe('TraceIds', () => {
  it('makes lower-case hex ids, distinct across calls and pool refills', () => {
    const ids = new TraceIds();
    const spans = new Set<string>();
    const traces = new Set<string>();
    for (let i = 0; i < 2000; i++) {
      const s = ids.spanId();
      const t = ids.traceId();
      expect(s).toMatch(/^[0-9a-f]{16}$/);
      expect(t).toMatch(/^[0-9a-f]{32}$/);
      spans.add(s);
      traces.add(t);
    }
    expect([spans.size, traces.size]).toEqual([2000, 2000]);
  });

  it('continues a valid traceparent with a new span, and starts a fresh trace otherwise', () => {
    const ids = new TraceIds();
    const a = ids.contextFor(
      headers([
        ['traceparent', VALID],
        ['tracestate', 'rojo=1'],
        ['tracestate', 'congo=2'],
      ]),
    );
    expect([a.traceId, a.parentId, a.traceFlags, a.traceState, a.sampled]).toEqual([TRACE, PARENT, '01', 'rojo=1,congo=2', true]);
    expect(a.spanId).toMatch(/^[0-9a-f]{16}$/);
    expect(a.spanId).not.toBe(PARENT);
    const b = ids.contextFor(headers([['traceparent', VALID]]));
    expect(b.traceId).toBe(TRACE);
    expect(b.spanId).not.toBe(a.spanId);

    for (const bad of [
      headers([]),
      headers([
        ['traceparent', `00-${TRACE.toUpperCase()}-${PARENT}-01`],
        ['tracestate', 'rojo=1'],
      ]),
      headers([
        ['traceparent', VALID],
        ['traceparent', VALID],
      ]), // a repeated field is invalid
    ]) {
      const c = ids.contextFor(bad);
      expect(c.traceId).toMatch(/^[0-9a-f]{32}$/);
      expect(c.traceId).not.toBe(TRACE);
      expect([c.parentId, c.traceFlags, c.traceState]).toEqual([null, '01', null]);
    }
    expect(ids.contextFor(null).parentId).toBeNull();
  });
});

describe('TraceContext', () => {
  it('builds the outgoing headers: this span as the parent, the caller’s tracestate when valid', () => {
    const t = new TraceContext(TRACE, 'b7ad6b7169203331', '01', PARENT, 'rojo=1');
    expect(t.traceparent()).toBe(`00-${TRACE}-b7ad6b7169203331-01`);
    expect(t.outgoingHeaders()).toEqual({ traceparent: `00-${TRACE}-b7ad6b7169203331-01`, tracestate: 'rojo=1' });
    expect(new TraceContext(TRACE, 'b7ad6b7169203331', '00', null, 'Bad=1').outgoingHeaders()).toEqual({ traceparent: `00-${TRACE}-b7ad6b7169203331-00` });
    expect(parseTraceparent(t.traceparent())).toEqual({ traceId: TRACE, parentId: 'b7ad6b7169203331', traceFlags: '01' });
  });
});
