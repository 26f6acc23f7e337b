import { beforeAll, describe, expect, test } from 'vitest';
import { allCases, families, SMUGGLED, type CorpusCase, type ServedOutcome } from '../corpus/index.js';
import { recordingHandler } from '../helpers/recording-handler.js';
import { sendRaw, RawClient, toBytes } from '../harness/client.js';
import { announcesClose, bareErrorPageCode, describe as show, parseResponses } from '../harness/response.js';
import { eventually, startServer, type RunningServer } from '../harness/server.js';

// The must-reject corpus (issue 6 item 1): every case in test/corpus/, sent as ONE write of
// `raw + smuggled` to a handler with protocolVersion HTTP/1.1, so that a connection the server
// wrongly keeps open WOULD answer the smuggled request.

const { Handler, calls } = recordingHandler({ protocolVersion: 'HTTP/1.1' });
let srv: RunningServer;

beforeAll(async () => {
  srv = await startServer(Handler);
});

function smuggledOf(c: CorpusCase): string {
  return c.smuggled ?? SMUGGLED;
}

/**
 * Every rule a rejected case must satisfy, checked together so that a failure lists all the ways
 * the answer was wrong (case id, expected vs actual).
 */
async function checkRejected(c: CorpusCase, status: number | 'close'): Promise<void> {
  calls.length = 0;
  const errorsBefore = srv.server.errors.length;
  const ex = await sendRaw(srv.port, c.raw + smuggledOf(c), { timeoutMs: 10_000 });
  const { responses, rest } = parseResponses(ex.data);
  const problems: string[] = [];
  if (ex.ending === 'timeout') problems.push('connection not closed within 10 s');
  if (calls.length > 0 && c.handlerMayRun === undefined) problems.push(`handler ran: ${calls.map((k) => `${k.command} ${k.path}`).join(', ')}`);
  if (calls.some((k) => k.path.includes('smuggled')) || ex.data.includes('/smuggled')) problems.push('the smuggled request was answered');
  if (status === 'close') {
    if (ex.data.length > 0) problems.push('expected a silent close, got a response');
  } else {
    const bare = bareErrorPageCode(ex.data);
    if (bare !== null) problems.push(`error page ${bare} sent without a status line (HTTP/0.9 style)`);
    else if (responses.length !== 1) problems.push(`expected exactly one response, got ${responses.length}`);
    const r = responses[0];
    if (r !== undefined) {
      if (r.status !== status) problems.push(`status ${r.status} (expected ${status})`);
      if (!announcesClose(r)) problems.push('no Connection: close on the error response');
    }
    if (bare === null && rest.length > 0) problems.push(`${rest.length} bytes after the error response`);
  }
  const errors = srv.server.errors.slice(errorsBefore);
  if (errors.length > 0) problems.push(`handleError called: ${errors.map(String).join('; ')}`);
  expect(problems.length, `${c.id}: ${problems.join('; ')} — got ${show(ex.data)}, ending ${ex.ending}${ex.errorCode ? ` (${ex.errorCode})` : ''}`).toBe(0);
}

async function checkServed(c: CorpusCase, served: ServedOutcome): Promise<void> {
  calls.length = 0;
  const col = await RawClient.connect(srv.port);
  const socket = col.socket;
  socket.write(toBytes(c.raw + smuggledOf(c)));
  await col.waitFor((d) => parseResponses(d).responses.some((r) => r.status >= 200), 10_000);
  // Anything the server would wrongly answer after it (the smuggled text parsed as a request)
  // comes before its close: it answers what it has read before it acts on our FIN.
  socket.end();
  const ending = await col.waitClosed(10_000);
  if (ending === 'timeout') socket.destroy();
  const { responses, rest } = parseResponses(col.data);
  const problems: string[] = [];
  const statuses = responses.map((r) => r.status);
  if (statuses.length !== 1 || statuses[0] !== 200) problems.push(`responses ${JSON.stringify(statuses)} (expected exactly one 200: no 101, no interim)`);
  if (rest.length > 0) problems.push(`${rest.length} unparsed bytes after the response`);
  if (calls.length !== 1) problems.push(`handler ran ${calls.length} times: ${calls.map((k) => `${k.command} ${k.path}`).join(', ')}`);
  const call = calls[0];
  if (call !== undefined) {
    if (call.command !== served.method) problems.push(`method ${call.command} (expected ${served.method})`);
    if (served.path !== undefined && call.path !== served.path) problems.push(`path ${call.path} (expected ${served.path})`);
    if (call.body?.toString('latin1') !== served.body) problems.push(`body ${JSON.stringify(call.body?.toString('latin1'))} (expected ${JSON.stringify(served.body)})`);
  }
  if (ending === 'timeout') problems.push("connection not closed within 10 s of the client's FIN");
  expect(problems.length, `${c.id}: ${problems.join('; ')} — got ${show(col.data)}, ending ${ending}`).toBe(0);
}

describe('must-reject corpus', () => {
  test('holds at least 60 cases with unique ids, an RFC clause and a smuggled request each', () => {
    expect(allCases.length).toBeGreaterThanOrEqual(60);
    expect(new Set(allCases.map((c) => c.id)).size).toBe(allCases.length);
    for (const c of allCases) {
      expect(c.rfc, c.id).toMatch(/RFC \d+ §/);
      expect(c.description.length, c.id).toBeGreaterThan(5);
      // A served case hides the smuggled request in its body; every other case appends it.
      if (typeof c.expect === 'object') expect(c.raw, c.id).toContain('GET /smuggled');
      else expect(smuggledOf(c), c.id).toContain('/smuggled');
    }
  });

  test('harness control: a valid request with the smuggled one behind it gets both answered', async () => {
    calls.length = 0;
    const col = await RawClient.connect(srv.port);
    const socket = col.socket;
    socket.write(toBytes(`GET /first HTTP/1.1\r\nHost: example.com\r\n\r\n${SMUGGLED}`));
    await col.waitFor((d) => parseResponses(d).responses.length >= 2, 10_000);
    socket.destroy();
    expect(parseResponses(col.data).responses.map((r) => r.status)).toEqual([200, 200]);
    expect(calls.map((k) => k.path)).toEqual(['/first', '/smuggled']);
  });

  for (const [family, cases] of Object.entries(families)) {
    describe(family, () => {
      test.each(cases.map((c) => [c.id, c] as const))('%s', async (_id, c) => {
        if (typeof c.expect === 'object') await checkServed(c, c.expect.served);
        else await checkRejected(c, c.expect);
      });
    });
  }

  test('the server kept no connection open', async () => {
    expect(await eventually(() => srv.server.activeConnections === 0, 10_000)).toBe(true);
  });
});
