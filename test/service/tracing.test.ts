import { afterEach, describe, expect, it } from 'vitest';
import { get, RawClient, request } from '../harness/client.js';
import { type ServiceChild, startService } from '../fixtures/service/child.js';

// Issue 14, item 1: W3C trace context in the built service's records, on real sockets.

const HANDLER = './test/fixtures/service/test-handler.mjs';
const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const PARENT = '00f067aa0ba902b7';
const VALID = `00-${TRACE}-${PARENT}-01`;
const HEX32 = /^[0-9a-f]{32}$/;
const HEX16 = /^[0-9a-f]{16}$/;

const children: ServiceChild[] = [];
afterEach(async () => {
  await Promise.all(children.splice(0).map((c) => c.stop()));
});
async function service(env: Record<string, string> = {}): Promise<ServiceChild> {
  const c = await startService({ HANDLER_MODULE: HANDLER, ...env });
  children.push(c);
  return c;
}
const byId = (id: string) => (r: Record<string, unknown>) => r.msg === 'request completed' && r.requestId === id;

/** The /trace answer and its access record show a fresh trace: not the client's, flags 01, no parent. */
async function expectFreshTrace(
  child: Awaited<ReturnType<typeof service>>,
  r: { status: number; body: Buffer; headers: Record<string, string | undefined> },
): Promise<void> {
  expect(r.status).toBe(200);
  const seen = JSON.parse(r.body.toString()) as Record<string, unknown>;
  const rec = await child.waitFor(byId(r.headers['x-request-id']!));
  expect(rec.trace_id).toMatch(HEX32);
  expect(rec.trace_id).not.toBe(TRACE);
  expect([rec.trace_flags, seen.traceId, seen.parentId]).toEqual(['01', rec.trace_id, null]);
}

describe('trace context in the records', () => {
  it('continues a valid traceparent: its trace id, a span id per request, its flags; the handler sees the same', async () => {
    const child = await service();
    const c = await RawClient.connect(child.appPort);
    get(c, child.appPort, '/trace', { traceparent: VALID, tracestate: 'rojo=1' });
    const a = await c.response();
    get(c, child.appPort, '/trace', { traceparent: `00-${TRACE}-${PARENT}-00` });
    const b = await c.response();
    c.close();
    const seenA = JSON.parse(a.body.toString()) as Record<string, unknown>;
    const seenB = JSON.parse(b.body.toString()) as Record<string, unknown>;
    const recA = await child.waitFor(byId(a.headers['x-request-id']!));
    const recB = await child.waitFor(byId(b.headers['x-request-id']!));
    expect([recA.trace_id, recA.span_id, recA.trace_flags]).toEqual([TRACE, seenA.spanId, '01']);
    expect([recB.trace_id, recB.span_id, recB.trace_flags]).toEqual([TRACE, seenB.spanId, '00']);
    expect(recA.span_id).toMatch(HEX16);
    expect(recA.span_id).not.toBe(recB.span_id);
    expect(recA.span_id).not.toBe(PARENT);
    expect(seenA).toMatchObject({ traceId: TRACE, parentId: PARENT, traceState: 'rojo=1' });
    // Not echoed by default.
    expect(a.headers.traceparent).toBeUndefined();
  });

  it.each([
    ['too long', `${VALID}0`],
    ['upper-case hex', `00-${TRACE.toUpperCase()}-${PARENT}-01`],
    ['a bad version', `ff-${TRACE}-${PARENT}-01`],
    ['extra fields on version 00', `${VALID}-extra`],
    // The only control character any field value may hold (RFC 9110 §5.5); the others: below.
    ['a tab inside', `00-${TRACE}-${PARENT}-0\t1`],
    ['a quote and a backslash', `00-${TRACE}-"\\${PARENT.slice(2)}-01`],
    // obs-text: a field value may hold bytes 0x80–0xFF (sent as latin-1 by the harness).
    ['a non-ASCII byte', `00-${TRACE}-${PARENT}-0\u00e9`],
  ])('ignores a traceparent with %s: a fresh trace, no 400, never written unescaped', async (_, bad) => {
    const child = await service();
    await expectFreshTrace(child, await request(child.appPort, 'GET', '/trace', { traceparent: bad }));
    // Every stdout line is JSON: the raw value reached no record unescaped.
    for (const line of child.stdout) expect(() => JSON.parse(line.raw) as unknown).not.toThrow();
    expect(child.stdout.some((l) => l.raw.includes(bad))).toBe(false);
  });

  it('ignores a traceparent or tracestate with control characters (SOH, VT, ESC, DEL): a fresh trace, no 400, never written raw', async () => {
    // Any other field with a control byte but HTAB gets the HTTP layer's 400; a trace field with
    // one is dropped instead, as if not sent (test/corpus/control-bytes.ts pins the core's side).
    const child = await service();
    const controls = ['\u0001', '\u000b', '\u001b', '\u007f'];
    for (const ctl of controls) {
      const c = await RawClient.connect(child.appPort);
      c.send(`GET /trace HTTP/1.1\r\nHost: x\r\ntraceparent: 00-${TRACE}-${PARENT}-0${ctl}\r\ntracestate: rojo=1${ctl}\r\nConnection: close\r\n\r\n`);
      await expectFreshTrace(child, await c.response());
      c.close();
    }
    for (const line of [...child.stdout, ...child.stderr]) {
      expect(() => JSON.parse(line.raw) as unknown).not.toThrow();
      expect(line.raw).not.toContain(TRACE);
      for (const ctl of controls) expect(line.raw).not.toContain(ctl);
    }
  });

  it('ignores a tracestate with a control character beside a valid traceparent: the trace goes on, the state is not passed on', async () => {
    // Replacing the byte with a space would have made `rojo=00f0 x` a valid state (spaces may
    // stand inside a value), repaired and passed on; the field is dropped instead.
    const child = await service();
    const c = await RawClient.connect(child.appPort);
    c.send(`GET /trace HTTP/1.1\r\nHost: x\r\ntraceparent: ${VALID}\r\ntracestate: rojo=00f0\u0001x\r\nConnection: close\r\n\r\n`);
    const r = await c.response();
    c.close();
    expect(r.status).toBe(200);
    const seen = JSON.parse(r.body.toString()) as Record<string, unknown>;
    expect([seen.traceId, seen.parentId, seen.traceState]).toEqual([TRACE, PARENT, null]);
  });

  it('answers 400 to a NUL in traceparent, as in any field: a C-string parser in front would end the message there (smuggling)', async () => {
    const child = await service();
    const c = await RawClient.connect(child.appPort);
    c.send(`GET /trace HTTP/1.1\r\nHost: x\r\ntraceparent: 00-${TRACE}-${PARENT}-0\u0000\r\n\r\n`);
    const r = await c.response();
    c.close();
    expect(r.status).toBe(400);
    // Its warn record carries a fresh trace, not the value.
    const warn = await child.waitFor((x) => x.level === 40 && x.requestId === r.headers['x-request-id'], 'stderr');
    expect([warn.reason, warn.trace_id !== TRACE]).toEqual(['bad_header', true]);
    expect(warn.trace_id).toMatch(HEX32);
    for (const line of [...child.stdout, ...child.stderr]) expect(line.raw).not.toContain('\u0000');
  });

  it('gives a request without traceparent a fresh trace id, different per request', async () => {
    const child = await service();
    const ids = new Set<string>();
    for (let i = 0; i < 3; i++) {
      const r = await request(child.appPort, 'GET', '/ok');
      const rec = await child.waitFor(byId(r.headers['x-request-id']!));
      expect(rec.trace_id).toMatch(HEX32);
      ids.add(rec.trace_id as string);
    }
    expect(ids.size).toBe(3);
  });

  it('puts the trace fields in error records and the handler’s own messages, matching the access record', async () => {
    const child = await service();
    const boom = await request(child.appPort, 'GET', '/boom', { traceparent: VALID });
    expect(boom.status).toBe(500);
    const err = await child.waitFor((r) => r.msg === 'handler error', 'stderr');
    const errAccess = await child.waitFor(byId(boom.headers['x-request-id']!));
    expect([err.requestId, err.trace_id, err.span_id, err.trace_flags]).toEqual([errAccess.requestId, TRACE, errAccess.span_id, '01']);

    const log = await request(child.appPort, 'GET', '/log', { traceparent: VALID });
    const msg = await child.waitFor((r) => r.msg === 'hello from the handler');
    const logAccess = await child.waitFor(byId(log.headers['x-request-id']!));
    expect([msg.trace_id, msg.span_id, msg.trace_flags]).toEqual([TRACE, logAccess.span_id, '01']);

    const unavailable = await request(child.appPort, 'GET', '/unavailable', { traceparent: VALID });
    const line = await child.waitFor((r) => r.level === 50 && r.requestId === unavailable.headers['x-request-id'], 'stderr');
    expect(line.trace_id).toBe(TRACE);

    // A request refused before the handler: a fresh trace in its warn record and access record.
    const c = await RawClient.connect(child.appPort);
    c.send(`GET / HTTP/1.1\r\nHost: x\r\nBad Header: 1\r\ntraceparent: ${VALID}\r\n\r\n`);
    const refused = await c.response();
    c.close();
    expect(refused.status).toBe(400);
    const warn = await child.waitFor((r) => r.level === 40 && r.requestId === refused.headers['x-request-id'], 'stderr');
    const warnAccess = await child.waitFor(byId(refused.headers['x-request-id']!));
    expect(warn.trace_id).toMatch(HEX32);
    expect([warn.trace_id, warn.span_id]).toEqual([warnAccess.trace_id, warnAccess.span_id]);
  });

  it('gives a request the core refuses before parseRequest (414, 431) ids of its own, after a request that got no response', async () => {
    const child = await service();
    const c = await RawClient.connect(child.appPort);
    // The first request's ids are made (its handler logs a message) but it gets no response and
    // no access record; the refused requests that follow on the connection must not inherit them.
    get(c, child.appPort, '/silent', { traceparent: VALID });
    const silent = await child.waitFor((r) => r.msg === 'silent');
    c.send(`GET /${'a'.repeat(70_000)} HTTP/1.1\r\nHost: x\r\n\r\n`);
    const tooLong = await c.response();
    c.close();
    expect(tooLong.status).toBe(414);
    const rec = await child.waitFor((r) => r.msg === 'request completed' && (r.res as { statusCode: number }).statusCode === 414);
    expect(rec.requestId).toBe(tooLong.headers['x-request-id']);
    expect(rec.requestId).not.toBe(silent.requestId);
    expect(rec.trace_id).toMatch(HEX32);
    expect(rec.trace_id).not.toBe(TRACE);
    expect(rec.span_id).not.toBe(silent.span_id);

    const d = await RawClient.connect(child.appPort);
    get(d, child.appPort, '/silent', { traceparent: VALID });
    await child.waitFor((r) => r.msg === 'silent' && r.span_id !== silent.span_id);
    d.send(`GET /x HTTP/1.1\r\nHost: x\r\nX-Big: ${'b'.repeat(70_000)}\r\n\r\n`);
    const tooBig = await d.response();
    d.close();
    expect(tooBig.status).toBe(431);
    const big = await child.waitFor((r) => r.msg === 'request completed' && (r.res as { statusCode: number }).statusCode === 431);
    expect(big.requestId).toBe(tooBig.headers['x-request-id']);
    expect(big.trace_id).not.toBe(TRACE);
  });

  it('keeps a request’s ids after its response: a message logged later names the same request', async () => {
    const child = await service();
    const r = await request(child.appPort, 'GET', '/after', { traceparent: VALID });
    const rec = await child.waitFor(byId(r.headers['x-request-id']!));
    const later = await child.waitFor((x) => x.msg === 'after the response');
    expect([later.requestId, later.trace_id, later.span_id]).toEqual([rec.requestId, TRACE, rec.span_id]);
  });

  it('sends traceparent in responses when TRACEPARENT_RESPONSE is on', async () => {
    const child = await service({ TRACEPARENT_RESPONSE: 'true' });
    const r = await request(child.appPort, 'GET', '/ok', { traceparent: VALID });
    const rec = await child.waitFor(byId(r.headers['x-request-id']!));
    expect(r.headers.traceparent).toBe(`00-${TRACE}-${rec.span_id}-01`);
  });
});

describe('two services', () => {
  it('share one trace id when one calls the other with outgoingHeaders()', async () => {
    const [front, back] = await Promise.all([service(), service()]);
    for (const incoming of [{ traceparent: VALID }, {}] as Array<Record<string, string>>) {
      const r = await request(front.appPort, 'GET', `/call?port=${back.appPort}`, incoming);
      expect(r.status).toBe(200);
      const seenByBack = JSON.parse(r.body.toString()) as Record<string, unknown>;
      const frontRec = await front.waitFor(byId(r.headers['x-request-id']!));
      const backRec = await back.waitFor((x) => x.msg === 'request completed' && x.span_id === seenByBack.spanId);
      expect(frontRec.trace_id).toMatch(HEX32);
      if ('traceparent' in incoming) expect(frontRec.trace_id).toBe(TRACE);
      expect(backRec.trace_id).toBe(frontRec.trace_id);
      // The back service's parent is the front request's span.
      expect(seenByBack.parentId).toBe(frontRec.span_id);
      expect(seenByBack.received).toBe(`00-${frontRec.trace_id}-${frontRec.span_id}-01`);
    }
  });
});
