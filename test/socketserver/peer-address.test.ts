import { type Socket, Socket as NetSocket } from 'node:net';
import { inspect, types } from 'node:util';
import { afterEach, describe, expect, test, vi } from 'vitest';
import { type Address, BaseHTTPRequestHandler, HTTPServer, lazyPeerAddress, peerAddress, settledAddress } from '../../src/index.js';
import { ServiceServer } from '../../src/service/service-server.js';
import { sendRaw } from '../harness/client.js';
import { statuses } from '../harness/response.js';
import { startServer } from '../harness/server.js';

/** A stand-in socket that counts how often its address is read. */
function countingSocket(host = '10.0.0.7', port = 5123): { socket: Socket; reads: () => number } {
  let reads = 0;
  const socket = {
    get remoteAddress() {
      reads++;
      return host;
    },
    get remotePort() {
      return port;
    },
  } as unknown as Socket;
  return { socket, reads: () => reads };
}

describe('lazyPeerAddress: an array that reads the socket on first use', () => {
  test('nothing is read from the socket until the address is used, then once', () => {
    const { socket, reads } = countingSocket();
    const address = lazyPeerAddress(socket);
    expect(reads()).toBe(0);
    expect(address[0]).toBe('10.0.0.7');
    expect(address[1]).toBe(5123);
    expect(address.length).toBe(2);
    expect(reads()).toBe(1);
  });

  // Each check on an address nothing has read yet: whichever comes first must see the address.
  const firstUses: [string, (a: Address) => unknown, unknown][] = [
    ['indexing', (a) => a[0], '10.0.0.7'],
    ['destructuring', (a) => { const [h, p] = a; return `${h}:${p}`; }, '10.0.0.7:5123'], // prettier-ignore
    ['length', (a) => a.length, 2],
    ['Array.isArray', (a) => Array.isArray(a), true],
    ['JSON.stringify', (a) => JSON.stringify(a), '["10.0.0.7",5123]'],
    ['Object.keys', (a) => Object.keys(a), ['0', '1']],
    ['spread', (a) => [...a], ['10.0.0.7', 5123]],
    ['util.inspect', (a) => inspect(a), "[ '10.0.0.7', 5123 ]"],
    ['template string', (a) => `${a.join(' ')}`, '10.0.0.7 5123'],
    ['in', (a) => 1 in a, true],
    ['hasOwnProperty', (a) => Object.hasOwn(a, 0), true],
    ['map makes a plain array', (a) => Object.getPrototypeOf(a.map((x) => x)) === Array.prototype, true],
  ];
  test.each(firstUses)('first use by %s', (_name, use, expected) => {
    const { socket } = countingSocket();
    expect(use(lazyPeerAddress(socket))).toEqual(expected);
  });

  test('equal, even strictly, to the plain array before anything read it', () => {
    expect(lazyPeerAddress(countingSocket().socket)).toEqual(['10.0.0.7', 5123]);
    expect(lazyPeerAddress(countingSocket().socket)).toStrictEqual(['10.0.0.7', 5123]);
    expect(lazyPeerAddress(countingSocket().socket)).not.toEqual(['10.0.0.7', 5124]);
    expect(['10.0.0.7', 5123]).toStrictEqual(lazyPeerAddress(countingSocket().socket));
  });

  test("a socket with no address left (closed or reset before the first read) reads as ['', 0], as peerAddress does", () => {
    const closed = new NetSocket();
    closed.destroy();
    expect(lazyPeerAddress(closed)).toEqual(['', 0]);
    expect(peerAddress(closed)).toEqual(['', 0]);
  });

  test('peerAddress reads at once and is a plain array', () => {
    const { socket, reads } = countingSocket();
    const address = peerAddress(socket);
    expect(reads()).toBe(1);
    expect(Object.getPrototypeOf(address)).toBe(Array.prototype);
    expect(address).toEqual(['10.0.0.7', 5123]);
  });
});

describe('the servers', () => {
  afterEach(() => vi.restoreAllMocks());

  /** Counts getpeername calls (node's `Socket#_getpeername`) on the server's side of connections to `port`. */
  function countPeerReads(port: () => number): () => number {
    let n = 0;
    const proto = NetSocket.prototype as unknown as { _getpeername(): unknown };
    const original = proto._getpeername;
    vi.spyOn(proto, '_getpeername').mockImplementation(function (this: Socket) {
      if (this.localPort === port()) n++;
      return original.call(this);
    });
    return () => n;
  }

  class Quiet extends BaseHTTPRequestHandler {
    override protocolVersion = 'HTTP/1.1';
    static seen: Address[] = [];
    do_GET(): void {
      if (this.path === '/who') Quiet.seen.push(this.clientAddress);
      this.sendResponse(204);
      this.endHeaders();
    }
    override logRequest(): void {}
  }

  test('a connection whose address nothing reads costs no getpeername; one that reads it has the client address', async () => {
    let port = -1;
    const reads = countPeerReads(() => port);
    const running = await startServer(Quiet);
    port = running.port;
    const r = await sendRaw(port, 'GET / HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n');
    expect(statuses(r.text)).toEqual([204]);
    expect(reads()).toBe(0);

    const r2 = await sendRaw(port, 'GET /who HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n');
    expect(statuses(r2.text)).toEqual([204]);
    expect(Quiet.seen).toHaveLength(1);
    const [host, seenPort] = Quiet.seen[0]!;
    expect(host).toBe('127.0.0.1');
    expect(seenPort).toBeGreaterThan(0);
    expect(reads()).toBeGreaterThanOrEqual(1);
  });

  test('the default log line still names the client (read when the line is written)', async () => {
    const lines: string[] = [];
    vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
      lines.push(String(chunk));
      return true;
    });
    class Logged extends Quiet {
      override logRequest(code?: number | string, size?: number | string): void {
        BaseHTTPRequestHandler.prototype.logRequest.call(this, code, size);
      }
    }
    const running = await startServer(Logged);
    const r = await sendRaw(running.port, 'GET /x HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n');
    expect(statuses(r.text)).toEqual([204]);
    vi.restoreAllMocks();
    expect(lines.join('')).toMatch(/^127\.0\.0\.1 - - \[.*\] "GET \/x HTTP\/1\.1" 204 \d+\n$/);
  });

  test("the service's server reads the address at once (its records must name a client that reset early)", () => {
    const { socket, reads } = countingSocket();
    const [request, address] = ServiceServer.prototype.getRequest.call(null, socket);
    expect(request).toBe(socket);
    expect(reads()).toBe(1);
    expect(Object.getPrototypeOf(address)).toBe(Array.prototype);
    expect(HTTPServer.prototype.getRequest.call(null, socket)[1]).toEqual(['10.0.0.7', 5123]);
  });
});

describe('settledAddress: what a handler keeps', () => {
  test('a lazy address becomes the plain array it filled; any other address stays as it is', () => {
    const { socket, reads } = countingSocket();
    const settled = settledAddress(lazyPeerAddress(socket));
    expect(reads()).toBe(1);
    expect(types.isProxy(settled)).toBe(false);
    expect(settled).toStrictEqual(['10.0.0.7', 5123]);
    const plain: Address = ['::1', 1];
    expect(settledAddress(plain)).toBe(plain);
  });
});
