import { type Socket, Socket as NetSocket } from 'node:net';
import { format, inspect, types } from 'node:util';
import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest';
import { type Address, BaseHTTPRequestHandler, HTTPServer, lazyPeerAddress, peerAddress, settledAddress } from '../../src/index.js';
import { ServiceServer } from '../../src/service/service-server.js';
import { openSocket, sendRaw } from '../harness/client.js';
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
    ['join', (a) => a.join(' '), '10.0.0.7 5123'],
    ['template string', (a) => `${String(a)}`, '10.0.0.7,5123'],
    ['Object.freeze', (a) => Object.freeze(a)[0], '10.0.0.7'],
    ['util.format %o', (a) => format('%o', a).includes("'10.0.0.7'"), true],
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

  /**
   * Counts reads of the peer's address (node's `Socket#_getpeername`, called by both
   * `remoteAddress` and `remotePort`) on the server's side of connections to `port`.
   */
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
    /** What `/who` requests kept of `this.clientAddress`, read after their connection closed. */
    static seen: Address[] = [];
    /** Peer reads of this connection counted when do_GET began (before it read anything). */
    static readsAtStart: number[] = [];
    static reads: () => number = () => 0;
    /** `/wait`: runs once the test fires this (after resetting the connection). */
    static release: Promise<void> = Promise.resolve();
    static entered: () => void = () => {};
    async do_GET(): Promise<void> {
      Quiet.readsAtStart.push(Quiet.reads());
      if (this.path === '/who') Quiet.seen.push(this.clientAddress);
      if (this.path === '/wait') {
        const closed = new Promise((resolve) => this.request.once('close', resolve));
        Quiet.entered();
        await closed;
        Quiet.seen.push([...this.clientAddress]);
      }
      this.sendResponse(204);
      this.endHeaders();
    }
    override logRequest(): void {}
  }
  /** The same handler, logging with the library's logRequest (CPython's line on stderr). */
  class Logged extends Quiet {
    override logRequest = BaseHTTPRequestHandler.prototype.logRequest;
  }

  /** stderr lines written during `fn` (mocked: not printed). */
  async function stderrDuring(fn: () => Promise<void>): Promise<string[]> {
    const lines: string[] = [];
    vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
      lines.push(String(chunk));
      return true;
    });
    try {
      await fn();
    } finally {
      vi.restoreAllMocks();
    }
    return lines;
  }

  /** Opens a connection to `/wait`, resets it once its handler runs, and waits for the handler's end. */
  async function resetWhileHandled(port: number): Promise<void> {
    const entered = new Promise<void>((resolve) => (Quiet.entered = resolve));
    const client = await openSocket(port);
    client.on('error', () => {});
    client.write('GET /wait HTTP/1.1\r\nHost: t\r\n\r\n');
    await entered;
    client.resetAndDestroy();
    await vi.waitFor(() => expect(Quiet.seen).toHaveLength(1), { timeout: 5000 });
  }

  beforeEach(() => {
    Quiet.seen = [];
    Quiet.readsAtStart = [];
  });

  test('a connection whose address nothing reads costs no getpeername; a kept address survives the close', async () => {
    let port = -1;
    Quiet.reads = countPeerReads(() => port);
    const running = await startServer(Quiet);
    port = running.port;
    const r = await sendRaw(port, 'GET / HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n');
    expect(statuses(r.text)).toEqual([204]);
    expect(Quiet.reads()).toBe(0);

    const r2 = await sendRaw(port, 'GET /who HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n');
    expect(statuses(r2.text)).toEqual([204]);
    expect(Quiet.seen).toHaveLength(1);
    // Read here, after its connection closed: the handler kept the address it settled.
    const kept = Quiet.seen[0]!;
    expect(types.isProxy(kept)).toBe(false);
    expect(kept[0]).toBe('127.0.0.1');
    expect(kept[1]).toBeGreaterThan(0);
    expect(Quiet.reads()).toBeGreaterThan(0);
  });

  test("a class with its own logRequest, reset before anything read the address, reads it as ['', 0]", async () => {
    const running = await startServer(Quiet);
    await resetWhileHandled(running.port);
    expect(Quiet.seen[0]).toEqual(['', 0]);
  });

  test("the library's logRequest: the address is read in setup(), so the line names a client that reset first", async () => {
    let port = -1;
    Quiet.reads = countPeerReads(() => port);
    const running = await startServer(Logged);
    port = running.port;
    const lines = await stderrDuring(async () => {
      const r = await sendRaw(port, 'GET /x HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n');
      expect(statuses(r.text)).toEqual([204]);
      await resetWhileHandled(port);
    });
    expect(Quiet.readsAtStart[0]).toBeGreaterThan(0);
    expect(lines.filter((l) => l.includes('"GET /x '))).toEqual([expect.stringMatching(/^127\.0\.0\.1 - - \[.*\] "GET \/x HTTP\/1\.1" 204 \d+\n$/)]);
    expect(Quiet.seen[0]![0]).toBe('127.0.0.1');
    expect(lines.filter((l) => l.includes('"GET /wait '))).toEqual([expect.stringMatching(/^127\.0\.0\.1 - - /)]);
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
