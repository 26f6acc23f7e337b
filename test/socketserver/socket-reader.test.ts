import { connect, createServer, type Socket } from 'node:net';
import { describe, expect, test } from 'vitest';
import { SocketReader } from '../../src/index.js';
import { flushSoon, MAX_DEFER_MS } from '../../src/socketserver/flush-soon.js';
import { READABLE } from '../../src/socketserver/socket-reader.js';

const checkPhase = (): Promise<void> => new Promise((r) => setImmediate(r));
/** flush-soon.ts reads the clock at every 8th deferral of a turn. */
const CHECK_EVERY_FOR_TEST = 8;

describe('SocketReader', () => {
  test('two readers on one socket each see every byte once', async () => {
    const seen = await new Promise<[string, string]>((resolve, reject) => {
      const server = createServer((sock: Socket) => {
        const a = new SocketReader(sock);
        const b = new SocketReader(sock);
        sock.on('end', () => {
          resolve([a.buffer.toString('latin1', a.start), b.buffer.toString('latin1', b.start)]);
          sock.destroy();
          server.close();
        });
      });
      server.listen(0, '127.0.0.1', () => {
        const port = (server.address() as { port: number }).port;
        const c = connect(port, '127.0.0.1', () => c.end('hello'));
        c.on('error', reject);
      });
    });
    expect(seen).toEqual(['hello', 'hello']);
  });

  test('beforeWait (the older name) still sets the flush done before each wait', async () => {
    const sock = connect({ port: 9, host: '127.0.0.1' });
    sock.on('error', () => {});
    const r = new SocketReader(sock);
    let flushed = 0;
    r.beforeWait = () => flushed++;
    expect(typeof r.beforeWait).toBe('function');
    r.beforeWait!();
    expect(flushed).toBe(1);
    r.beforeWait = null;
    expect(r.flushBeforeWait).toBe(null);
    sock.destroy();
  });

  test('flushes before a wait at the end of the turn, every waiting connection together, in order', async () => {
    // Connected sockets: one that failed to connect could end (and skip its flush) mid-test.
    const server = createServer();
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as { port: number }).port;
    const socks = await Promise.all(
      [0, 1, 2].map(
        () =>
          new Promise<Socket>((r) => {
            const c = connect(port, '127.0.0.1', () => r(c));
          }),
      ),
    );
    const order: string[] = [];
    const readers = socks.map((sock, i) => {
      const r = new SocketReader(sock);
      r.flushBeforeWait = { flush: () => order.push(`flush ${i}`) };
      return r;
    });
    readers[0]!.waitThen({ [READABLE]: () => {} });
    void readers[1]!.wait();
    readers[2]!.waitThen({ [READABLE]: () => {} });
    order.push('end of the handlers');
    await Promise.resolve(); // microtasks run: still not flushed
    order.push('after microtasks');
    await checkPhase();
    expect(order).toEqual(['end of the handlers', 'after microtasks', 'flush 0', 'flush 1', 'flush 2']);
    // The next turn's waits are flushed in their own turn.
    readers[1]!.waitThen({ [READABLE]: () => {} });
    await checkPhase();
    expect(order.slice(5)).toEqual(['flush 1']);
    for (const sock of socks) sock.destroy();
    server.close();
  });

  test('flushSoon: a writer that throws does not keep the others from being flushed; its error is thrown after them', async () => {
    await checkPhase(); // nothing deferred from before
    const flushed: string[] = [];
    const start = performance.now();
    flushSoon({ flush: () => flushed.push('first') });
    while (performance.now() - start < MAX_DEFER_MS + 0.5); // a slow synchronous handler
    flushSoon({
      flush: () => {
        throw new Error('bad writer');
      },
    });
    for (let i = 3; i < CHECK_EVERY_FOR_TEST; i++) flushSoon({ flush: () => flushed.push(`w${i}`) });
    // The 8th deferral flushes the turn at once (it runs long), here, in the caller.
    expect(() => flushSoon({ flush: () => flushed.push('last') })).toThrow('bad writer');
    expect(flushed).toEqual(['first', 'w3', 'w4', 'w5', 'w6', 'w7', 'last']);
    // Nothing is left behind: the next turn flushes only its own.
    flushSoon({ flush: () => flushed.push('next') });
    await checkPhase();
    expect(flushed.slice(7)).toEqual(['next']);
  });

  test('flushSoon: a turn that runs past MAX_DEFER_MS writes what was deferred so far at once', async () => {
    await checkPhase(); // nothing deferred from before
    const flushed: number[] = [];
    const start = performance.now();
    for (let i = 0; i < CHECK_EVERY_FOR_TEST; i++) {
      if (i === 1) while (performance.now() - start < MAX_DEFER_MS + 0.5); // a slow synchronous handler
      flushSoon({ flush: () => flushed.push(i) });
    }
    // The 8th deferral read the clock, found the first over a millisecond old, and flushed.
    expect(flushed).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
  });

  test('flushSoon: a writer given twice is flushed twice, the second time with nothing to write', async () => {
    let flushes = 0;
    let pending = 1;
    const w = {
      flush: () => {
        flushes++;
        pending = 0;
      },
    };
    flushSoon(w);
    flushSoon(w);
    expect([flushes, pending]).toEqual([0, 1]);
    await checkPhase();
    expect([flushes, pending]).toEqual([2, 0]);
  });
});
