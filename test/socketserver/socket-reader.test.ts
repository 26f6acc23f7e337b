import { connect, createServer, type Socket } from 'node:net';
import { describe, expect, test } from 'vitest';
import { SocketReader } from '../../src/index.js';

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
});
