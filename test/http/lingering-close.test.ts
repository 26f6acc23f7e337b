// When the server closes a connection, does it linger for the client's FIN (reading and dropping
// what still arrives, so that a late packet does not reset the connection and destroy the
// response before the client read it), or close at once as node:http does?
// At once only when the client has finished sending: it said the connection ends with this
// request (RFC 9112 §9.6: `Connection: close`; HTTP/1.0 without keep-alive; HTTP/0.9), the
// request was accepted and read whole, and nothing followed it. Every other close lingers.
//
// Every client here is half-open (it never ends its side), and lingerMs is 60 s: a connection
// that lingers stays open for the whole test, one that does not closes as soon as its response is
// written. "Still open" is checked after a second connection's whole exchange with the same
// server, which closes at once: by then the server has long finished with the first one.
import { readFileSync } from 'node:fs';
import { connect as tlsConnect } from 'node:tls';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { BaseHTTPRequestHandler, HTTPSServer, type HTTPSServerOptions } from '../../src/index.js';
import { RawClient, sendRaw } from '../harness/client.js';
import { statuses } from '../harness/response.js';
import { eventually, startServer, type HandlerClass, type RunningServer } from '../harness/server.js';
import { Echo } from '../helpers/echo-handler.js';
import { makeCertificates, opensslMissing, type TestCertificates } from '../helpers/tls-certs.js';

const LINGER_MS = 60_000;
let srv: RunningServer | null = null;
const clients: RawClient[] = [];
afterEach(() => {
  for (const c of clients.splice(0)) c.close();
});

/** Sends `request` on a half-open connection and waits for the server's FIN (the response is complete then). */
async function exchange(request: string): Promise<RawClient> {
  const c = await RawClient.connect(srv!.port, { allowHalfOpen: true });
  clients.push(c);
  c.send(request);
  await new Promise<void>((resolve) => c.socket.once('end', resolve));
  return c;
}

/** One whole exchange on another connection that closes at once; then how many connections the server still has open. */
async function openAfterAnotherExchange(): Promise<number> {
  const other = await sendRaw(srv!.port, 'GET /other HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n');
  expect(statuses(other.text)).toEqual([200]);
  // The other connection is gone once the server saw it close (it did not linger either).
  expect(await eventually(() => srv!.server.activeConnections <= 1, 10_000)).toBe(true);
  return srv!.server.activeConnections;
}

describe('closing without lingering: the client has finished sending', () => {
  test.each([
    ['HTTP/1.1 with Connection: close', 'GET /a HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n'],
    ['a close token in a list', 'GET /a HTTP/1.1\r\nHost: a\r\nConnection: TE, Close\r\n\r\n'],
    ['HTTP/1.0 without keep-alive', 'GET /a HTTP/1.0\r\n\r\n'],
    ['HTTP/0.9', 'GET /a\r\n'],
    ['a body read whole', 'POST /a HTTP/1.1\r\nHost: a\r\nConnection: close\r\nContent-Length: 5\r\n\r\nhello'],
  ])('%s: the server closes as soon as the response is written', async (_name, request) => {
    srv = await startServer(Echo, { lingerMs: LINGER_MS });
    const c = await exchange(request);
    expect(c.text).toMatch(/path=\/a\n$|hello$/);
    // Closed by the server although the client never ended its side (a lingering close would hold it for 60 s).
    expect(await eventually(() => srv!.server.activeConnections === 0, 10_000)).toBe(true);
  });
});

describe('a lingering close: the client may still be sending', () => {
  class Http10Server extends Echo {
    override protocolVersion = 'HTTP/1.0';
  }
  class IgnoresBody extends Echo {
    override async do_POST(): Promise<void> {
      this.sendResponse(200);
      this.sendHeader('Content-Length', 0);
      this.endHeaders();
    }
  }
  class ClosesItself extends BaseHTTPRequestHandler {
    override protocolVersion = 'HTTP/1.1';
    do_GET(): void {
      this.sendResponse(200);
      this.sendHeader('Content-Length', 0);
      this.sendHeader('Connection', 'close');
      this.endHeaders();
    }
    override logMessage(): void {}
  }

  test.each([
    ['more bytes after the Connection: close request', Echo, 'GET /a HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\nGET /b HTTP/1.1\r\n'],
    ['a refused request (its body, if any, unread)', Echo, 'GET /a HTTP/1.1\r\nConnection: close\r\n\r\n'],
    ['a body the handler left unread', IgnoresBody, 'POST /a HTTP/1.1\r\nHost: a\r\nConnection: close\r\nContent-Length: 10\r\n\r\nhello'],
    ['HTTP/1.0 with keep-alive, answered by an HTTP/1.0 server', Http10Server, 'GET /a HTTP/1.0\r\nConnection: keep-alive\r\n\r\n'],
    ['HTTP/1.1 without close, answered by an HTTP/1.0 server', Http10Server, 'GET /a HTTP/1.1\r\nHost: a\r\n\r\n'],
    ['the handler closes a connection the client would keep', ClosesItself, 'GET /a HTTP/1.1\r\nHost: a\r\n\r\n'],
  ] as const)('%s: the server waits for the client to end', async (_name, Handler, request) => {
    srv = await startServer(Handler, { lingerMs: LINGER_MS });
    const c = await exchange(request);
    expect(c.text.startsWith('HTTP/1.')).toBe(true);
    expect(await openAfterAnotherExchange()).toBe(1);
    // What the client still sends is read and dropped, not answered with a reset.
    c.send('more');
    c.socket.end();
    await c.closed;
    expect(c.ending).toBe('close');
    expect(await eventually(() => srv!.server.activeConnections === 0, 10_000)).toBe(true);
  });

  test('the same server closes a finished client at once and lingers for one that is not', async () => {
    srv = await startServer(Echo, { lingerMs: LINGER_MS });
    const lingering = await exchange('GET /a HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\nGET /b');
    const done = await exchange('GET /a HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n');
    expect(done.text).toMatch(/path=\/a\n$/);
    expect(await eventually(() => srv!.server.activeConnections === 1, 10_000)).toBe(true);
    lingering.socket.end();
    expect(await eventually(() => srv!.server.activeConnections === 0, 10_000)).toBe(true);
  });
});

describe('closing at once still delivers the whole response', () => {
  // 8 MiB: far more than the socket buffers hold, so most of it is still in the server's hands
  // when the handler returns and the server closes; the client reads only once the handler is done.
  const BIG = Buffer.alloc(8 * 1024 * 1024, 0x61);
  let handlerDone: () => void = () => {};
  class Big extends BaseHTTPRequestHandler {
    override protocolVersion = 'HTTP/1.1';
    do_GET(): void {
      this.sendResponse(200);
      this.sendHeader('Content-Length', BIG.length);
      this.endHeaders();
      this.wfile.write(BIG);
      handlerDone();
    }
    override logMessage(): void {}
  }
  let certs: TestCertificates | null = null;
  beforeAll(() => {
    if (opensslMissing === '') certs = makeCertificates();
  });
  afterAll(() => certs?.remove());

  /** Sends a Connection: close GET on `socket`, reads nothing until the handler returned, then everything; resolves with what arrived. */
  async function fetchBig(socket: import('node:net').Socket): Promise<Buffer> {
    const done = new Promise<void>((resolve) => (handlerDone = resolve));
    const chunks: Buffer[] = [];
    socket.pause();
    socket.on('data', (d: Buffer) => chunks.push(d));
    const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    socket.write('GET /big HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n');
    await done;
    socket.resume();
    await closed;
    return Buffer.concat(chunks);
  }

  const bodyOf = (got: Buffer): Buffer => got.subarray(got.indexOf('\r\n\r\n') + 4);

  test('over TCP', async () => {
    srv = await startServer(Big, { lingerMs: LINGER_MS });
    const c = await RawClient.connect(srv.port);
    const got = await fetchBig(c.socket);
    expect(got.subarray(0, 15).toString()).toBe('HTTP/1.1 200 OK');
    expect(bodyOf(got).equals(BIG)).toBe(true);
  });

  test.skipIf(opensslMissing !== '')(`over TLS${opensslMissing}`, async () => {
    const tls: HTTPSServerOptions = { certfile: certs!.cert, keyfile: certs!.key };
    class Server extends HTTPSServer {
      constructor(address: readonly [string, number], handler: HandlerClass) {
        super(address, handler, tls);
      }
    }
    const served = await startServer(Big, { lingerMs: LINGER_MS }, Server);
    const socket = tlsConnect({ host: '127.0.0.1', port: served.port, ca: readFileSync(certs!.cert), servername: 'localhost' });
    await new Promise<void>((resolve, reject) => {
      socket.once('secureConnect', resolve);
      socket.once('error', reject);
    });
    const got = await fetchBig(socket);
    expect(got.subarray(0, 15).toString()).toBe('HTTP/1.1 200 OK');
    expect(bodyOf(got).equals(BIG)).toBe(true);
  });
});
