import { describe, expect, test } from 'vitest';
import { RawClient, sendRaw } from '../harness/client.js';
import { statuses } from '../harness/response.js';
import { startServer, type RunningServer } from '../harness/server.js';
import { Echo } from '../helpers/echo-handler.js';

let srv: RunningServer | null = null;

// The lower bounds below are exact, not "about": the server measures its timeouts with
// performance.now() in this same process, from events that follow the test's t0 (the head's
// first byte; the end of the response), so a close before t0 + timeout cannot happen however
// late any timer runs. The upper bounds only say "closed by the timeout, eventually".
describe('timeouts', () => {
  test('a head that does not arrive within headersTimeoutMs gets 408 and close', async () => {
    srv = await startServer(Echo, { headersTimeoutMs: 200 });
    const t0 = performance.now();
    const r = await sendRaw(srv.port, 'GET / HTTP/1.1\r\nHost: t\r\n', { timeoutMs: 15_000 });
    const took = performance.now() - t0;
    expect(statuses(r.text)).toEqual([408]);
    expect(r.closed).toBe(true);
    expect(took).toBeGreaterThanOrEqual(200);
    expect(took).toBeLessThan(10_000);
  });

  test('an idle keep-alive connection is closed silently after keepAliveTimeoutMs', async () => {
    srv = await startServer(Echo, { keepAliveTimeoutMs: 200 });
    const c = await RawClient.connect(srv.port);
    const t0 = performance.now(); // before the request, so before the idle time starts
    c.send('GET / HTTP/1.1\r\nHost: t\r\n\r\n');
    await c.read((s) => s.includes('path=/'));
    await c.closed;
    const took = performance.now() - t0;
    expect(took).toBeGreaterThanOrEqual(200);
    expect(took).toBeLessThan(10_000);
  });

  test('a connection that never sends anything is closed silently', async () => {
    srv = await startServer(Echo, { keepAliveTimeoutMs: 150 });
    const r = await sendRaw(srv.port, '', { timeoutMs: 10_000 });
    expect(r.closed).toBe(true);
    expect(r.text).toBe('');
  });

  test('a body that stops arriving gets 408 after requestTimeoutMs', async () => {
    srv = await startServer(Echo, { requestTimeoutMs: 200 });
    const r = await sendRaw(srv.port, 'POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 10\r\n\r\n12', { timeoutMs: 10_000 });
    expect(statuses(r.text)).toEqual([408]);
    expect(r.closed).toBe(true);
  });

  test("the handler's timeout attribute (seconds) bounds each read, as in Python", async () => {
    class Patient extends Echo {
      override timeout = 0.2;
    }
    srv = await startServer(Patient);
    const r = await sendRaw(srv.port, 'POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 10\r\n\r\n12', { timeoutMs: 10_000 });
    // CPython logs "Request timed out" and closes without an answer.
    expect(r.text).toBe('');
    expect(r.closed).toBe(true);
  });

  test("a socket timeout while waiting for the next request line gets a requestStart and requestNumber of its own; one inside a request keeps that request's", async () => {
    const starts: Array<[string, number]> = [];
    const numbers: number[] = [];
    class Patient extends Echo {
      override timeout = 0.2;
      override do_GET(): void {
        starts.push(['GET', this.requestStart]);
        numbers.push(this.requestNumber);
        super.do_GET();
      }
      override async do_POST(): Promise<void> {
        starts.push(['POST', this.requestStart]);
        numbers.push(this.requestNumber);
        return super.do_POST();
      }
      override logError(fmt: string): void {
        if (fmt.startsWith('Request timed out')) {
          starts.push(['timeout', this.requestStart]);
          numbers.push(this.requestNumber);
        }
      }
    }
    srv = await startServer(Patient);
    // Idle after an answered request: the timeout is no part of it.
    const c = await RawClient.connect(srv.port);
    c.send('GET / HTTP/1.1\r\nHost: t\r\n\r\n');
    await c.read((s) => s.includes('path=/'));
    await c.closed;
    // Inside a request (its body stops arriving): the timeout belongs to it.
    await sendRaw(srv.port, 'POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 10\r\n\r\n12', { timeoutMs: 10_000 });
    expect(starts.map(([what]) => what)).toEqual(['GET', 'timeout', 'POST', 'timeout']);
    expect(starts[1]![1]).toBeGreaterThan(starts[0]![1]);
    expect(starts[3]![1]).toBe(starts[2]![1]);
    // Numbered per connection: the idle timeout is the first connection's second "request".
    expect(numbers).toEqual([1, 2, 1, 1]);
  });
});
