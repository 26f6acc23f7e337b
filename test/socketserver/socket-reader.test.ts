import { connect, createServer, type Socket } from 'node:net';
import { describe, expect, test } from 'vitest';
import { SocketReader } from '../../src/index.js';
import { flushSoon } from '../../src/socketserver/flush-soon.js';
import { READABLE } from '../../src/socketserver/socket-reader.js';

const checkPhase = (): Promise<void> => new Promise((r) => setImmediate(r));

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
    const socks = [0, 1, 2].map(() => {
      const sock = connect({ port: 9, host: '127.0.0.1' });
      sock.on('error', () => {});
      return sock;
    });
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
