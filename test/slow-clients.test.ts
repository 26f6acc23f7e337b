import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { recordingHandler } from './helpers/recording-handler.js';
import { sendRaw } from './helpers/raw-client.js';
import { parseResponses } from './helpers/http-response.js';
import { LoadChild } from './helpers/load-child.js';
import { sampleMemory } from './helpers/memory.js';
import { eventually, startServer, type RunningServer } from './helpers/server.js';

// Slow clients (issue 6 item 3): 1000 connections that send one header byte per second (held by
// a child process, so this process measures the server alone) do not delay a normal client beyond
// 100 ms, are closed at the header timeout, and leave memory where it was.

const SLOW = 1_000;
const HEADERS_TIMEOUT_MS = 2_500;
/** The server checks timeouts on a sweep (period: a tenth of the shortest timeout, here 250 ms). */
const SWEEP_SLACK_MS = 750;

const { Handler } = recordingHandler({ protocolVersion: 'HTTP/1.1' });
let srv: RunningServer;
let child: LoadChild | null = null;

beforeAll(async () => {
  srv = await startServer(Handler, { headersTimeoutMs: HEADERS_TIMEOUT_MS, requestQueueSize: 2_048 });
});
afterAll(async () => {
  await child?.close();
  await srv?.close();
});

describe('slow clients', () => {
  test(`${SLOW} one-byte-per-second clients: normal client under 100 ms, all closed at the header timeout, memory bounded`, async () => {
    const before = sampleMemory();
    child = new LoadChild();
    const started = performance.now();
    const opened = await child.open({ mode: 'slow-header', port: srv.port, count: SLOW, intervalMs: 1_000, batch: 100 });
    expect(opened.opened, `opened ${opened.opened}, failed ${opened.failed}`).toBe(SLOW);
    expect(await eventually(() => srv.server.activeConnections >= SLOW, 2_000)).toBe(true);

    // A normal client, one request after another, from now until the slow ones are all gone
    // (this covers the moment the server times all of them out).
    const latencies: number[] = [];
    let peak = sampleMemory();
    const probeUntil = started + HEADERS_TIMEOUT_MS + SWEEP_SLACK_MS + 1_000;
    while (performance.now() < probeUntil) {
      const r = await sendRaw(srv.port, 'GET /normal HTTP/1.1\r\nHost: example.com\r\nConnection: close\r\n\r\n', { timeoutMs: 2_000 });
      expect(parseResponses(r.data).responses.map((x) => x.status)).toEqual([200]);
      latencies.push(r.elapsedMs);
      if (latencies.length === 10) peak = sampleMemory(); // all slow connections still open
      await new Promise((res) => setTimeout(res, 20));
    }
    const report = await child.report();
    const closeTimes = report.closeAfterFirstByteMs;
    const sorted = [...latencies].sort((a, b) => a - b);
    console.log(
      `slow clients: ${SLOW} opened in ${opened.ms} ms; normal client ${latencies.length} requests, ` +
        `median ${sorted[Math.floor(sorted.length / 2)]!.toFixed(1)} ms, max ${sorted.at(-1)!.toFixed(1)} ms; ` +
        `closed ${report.closed}, after first byte ${Math.min(...closeTimes)}..${Math.max(...closeTimes)} ms; ` +
        `memory before ${JSON.stringify(before)}, with ${SLOW} slow ${JSON.stringify(peak)}`,
    );
    expect(Math.max(...latencies), 'a normal client was delayed beyond 100 ms').toBeLessThan(100);
    expect(report.closed, 'slow connections still open after the header timeout').toBe(SLOW);
    expect(Math.min(...closeTimes), 'closed before the header timeout').toBeGreaterThanOrEqual(HEADERS_TIMEOUT_MS - 50);
    expect(Math.max(...closeTimes), 'closed too long after the header timeout').toBeLessThanOrEqual(HEADERS_TIMEOUT_MS + SWEEP_SLACK_MS);
    // Bytes came, so the server answers 408 before closing.
    expect(report.firstBytes).toEqual(['HTTP/1.1 408']);

    expect(await eventually(() => srv.server.activeConnections === 0, 2_000)).toBe(true);
    const after = sampleMemory();
    console.log(`slow clients: memory after ${JSON.stringify(after)}`);
    // 1000 open connections: well under 40 KiB of heap each; all of it returned afterwards.
    expect(peak.heapUsedMiB + peak.externalMiB - (before.heapUsedMiB + before.externalMiB)).toBeLessThan(40);
    expect(after.heapUsedMiB + after.externalMiB - (before.heapUsedMiB + before.externalMiB)).toBeLessThan(8);
    await child.close();
    child = null;
  }, 30_000);
});
