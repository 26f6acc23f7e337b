/**
 * HTTPSServer: CPython 3.14's constructor and defaults (ALPN http/1.1, the key read from certfile
 * when no keyfile is given, a password for an encrypted key), certificate loading errors with
 * their codes, and the core's behaviour over TLS: keep-alive and pipelining, framing errors,
 * timeouts (also for handshakes that stall or never start), shutdown draining, the lingering
 * close. curl checks the certificate chain (`--cacert`).
 */
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { connect as tlsConnect, type ConnectionOptions, type TLSSocket } from 'node:tls';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { BaseHTTPRequestHandler, HTTPSServer, type HTTPSServerOptions } from '../../src/index.js';
import { RawClient, sendRaw } from '../harness/client.js';
import { parseResponses } from '../harness/response.js';
import { eventually, startServer, type HandlerClass, type ServerSettings } from '../harness/server.js';
import { makeCertificates, opensslMissing, type TestCertificates } from '../helpers/tls-certs.js';

const CURL = '/usr/bin/curl';
const curlMissing = existsSync(CURL) ? '' : ` [skipped: ${CURL} not found; apt-get install curl]`;

/** Answers `GET /x` with `path=/x`; `/slow` waits for `Slow.release()` first. */
class Handler extends BaseHTTPRequestHandler {
  override protocolVersion = 'HTTP/1.1';
  static gate: Promise<void> = Promise.resolve();
  static open: () => void = () => {};
  static started = 0;

  static hold(): void {
    Handler.gate = new Promise((resolve) => (Handler.open = resolve));
  }

  async do_GET(): Promise<void> {
    if (this.path === '/slow') {
      Handler.started++;
      await Handler.gate;
    }
    const body = `path=${this.path}\n`;
    this.sendResponse(200);
    this.sendHeader('Content-Type', 'text/plain');
    this.sendHeader('Content-Length', body.length);
    this.endHeaders();
    this.wfile.write(body);
  }

  override logMessage(): void {}
}

let certs: TestCertificates;
beforeAll(() => {
  if (opensslMissing === '') certs = makeCertificates();
});
afterAll(() => certs?.remove());

const servers: HTTPSServer[] = [];
afterEach(async () => {
  Handler.open();
  for (const s of servers.splice(0)) {
    await s.shutdown();
    s.serverClose();
  }
});

/** Starts an HTTPSServer on 127.0.0.1:0 with `settings` applied before it binds (test/harness/server.ts: closed after the test). */
async function serve(options: Partial<HTTPSServerOptions> = {}, settings: ServerSettings = {}): Promise<HTTPSServer> {
  const tls: HTTPSServerOptions = { certfile: certs.cert, keyfile: certs.key, ...options };
  class Server extends HTTPSServer {
    constructor(address: readonly [string, number], handler: HandlerClass) {
      super(address, handler, tls);
    }
  }
  return (await startServer(Handler, settings, Server)).server;
}

/** A TLS connection that trusts the test certificate, and a collector of what it receives. */
async function tlsOpen(port: number, alpn: string[] = ['http/1.1'], ca = certs.cert, allowHalfOpen = false): Promise<{ socket: TLSSocket; got: RawClient }> {
  // allowHalfOpen reaches the underlying net.Socket; @types/node's ConnectionOptions lacks it.
  const options: ConnectionOptions & { allowHalfOpen: boolean } = {
    host: '127.0.0.1',
    port,
    ca: readFileSync(ca),
    servername: 'localhost',
    ALPNProtocols: alpn,
    allowHalfOpen,
  };
  const socket = tlsConnect(options);
  const got = new RawClient(socket);
  await new Promise<void>((resolve, reject) => {
    socket.once('secureConnect', resolve);
    socket.once('error', reject);
  });
  return { socket, got };
}

const text = (got: RawClient): string => got.data.toString('latin1');

describe(`HTTPSServer${opensslMissing}`, () => {
  it.skipIf(opensslMissing !== '' || curlMissing !== '')(`curl --cacert gets the page over TLS with ALPN http/1.1${curlMissing}`, async () => {
    const server = await serve();
    const url = `https://localhost:${server.serverAddress[1]}/hello`;
    const r = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
      execFile(CURL, ['-sS', '-v', '--cacert', certs.cert, url], { timeout: 10_000 }, (err, stdout, stderr) =>
        resolve({ code: err === null ? 0 : ((err as { code?: number }).code ?? 1), stdout, stderr }),
      );
    });
    expect(r.stderr).not.toMatch(/SSL certificate problem/);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('path=/hello\n');
    expect(r.stderr).toMatch(/ALPN.*http\/1\.1/);
  });

  it.skipIf(opensslMissing !== '')('offers http/1.1 by default, and the protocols given in alpnProtocols', async () => {
    const byDefault = await serve();
    const a = await tlsOpen(byDefault.serverAddress[1], ['h2', 'http/1.1']);
    expect(a.socket.alpnProtocol).toBe('http/1.1');
    a.socket.destroy();
    const custom = await serve({ alpnProtocols: ['x-test', 'http/1.1'] });
    expect(custom.alpnProtocols).toEqual(['x-test', 'http/1.1']);
    const b = await tlsOpen(custom.serverAddress[1], ['x-test']);
    expect(b.socket.alpnProtocol).toBe('x-test');
    b.socket.destroy();
  });

  it.skipIf(opensslMissing !== '')('keeps a TLS connection alive over pipelined requests, then closes it when idle', async () => {
    const server = await serve({}, { keepAliveTimeoutMs: 300 });
    const { socket, got } = await tlsOpen(server.serverAddress[1]);
    socket.write('GET /a HTTP/1.1\r\nHost: x\r\n\r\nGET /b HTTP/1.1\r\nHost: x\r\n\r\n');
    expect(await got.waitFor((d) => parseResponses(d).responses.length === 2, 5_000)).toBe(true);
    expect(text(got)).toMatch(/path=\/a\n[^]*path=\/b\n$/);
    expect(await got.waitClosed(5_000)).toBe('close');
  });

  it.skipIf(opensslMissing !== '')('refuses ambiguous framing with 400 and closes, over TLS as over TCP', async () => {
    const server = await serve();
    const { socket, got } = await tlsOpen(server.serverAddress[1]);
    socket.write('POST /x HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n');
    expect(await got.waitClosed(5_000)).toBe('close');
    expect(text(got)).toMatch(/^HTTP\/1\.1 400 /);
  });

  it.skipIf(opensslMissing !== '')('answers 408 to a request head that does not arrive within headersTimeoutMs', async () => {
    const server = await serve({}, { headersTimeoutMs: 300 });
    const { socket, got } = await tlsOpen(server.serverAddress[1]);
    socket.write('GET /late HTTP/1.1\r\nHost: x\r\n');
    expect(await got.waitClosed(5_000)).toBe('close');
    expect(text(got)).toMatch(/^HTTP\/1\.1 408 Request Timeout\r\n/);
  });

  it.skipIf(opensslMissing !== '')('closes a connection that never starts its handshake after keepAliveTimeoutMs', async () => {
    const server = await serve({}, { keepAliveTimeoutMs: 200, headersTimeoutMs: 10_000 });
    const r = await sendRaw(server.serverAddress[1], [], { timeoutMs: 5_000 });
    expect(r.ending).not.toBe('timeout');
    expect(r.data.length).toBe(0);
    expect(r.elapsedMs).toBeGreaterThanOrEqual(200);
  });

  it.skipIf(opensslMissing !== '')('closes a stalled handshake (half a ClientHello) after headersTimeoutMs, not before', async () => {
    const server = await serve({}, { keepAliveTimeoutMs: 100, headersTimeoutMs: 700 });
    // A TLS record header announcing a 512-byte handshake message, and only its first bytes.
    const halfHello = Buffer.from([0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, 0xfc, 0x03, 0x03]);
    const r = await sendRaw(server.serverAddress[1], [halfHello], { timeoutMs: 5_000 });
    expect(r.ending).not.toBe('timeout');
    expect(r.elapsedMs).toBeGreaterThanOrEqual(700);
    expect(await eventually(() => server.activeConnections === 0, 2_000)).toBe(true);
  });

  it.skipIf(opensslMissing !== '')('drops a plain-HTTP client and goes on serving TLS clients', async () => {
    const server = await serve();
    const plain = await sendRaw(server.serverAddress[1], 'GET / HTTP/1.1\r\nHost: x\r\n\r\n', { timeoutMs: 5_000 });
    expect(plain.ending).not.toBe('timeout');
    expect(plain.data.toString('latin1')).not.toMatch(/^HTTP/);
    const { socket, got } = await tlsOpen(server.serverAddress[1]);
    socket.write('GET /after HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    expect(await got.waitClosed(5_000)).toBe('close');
    expect(text(got)).toMatch(/path=\/after\n$/);
  });

  it.skipIf(opensslMissing !== '')('shutdown(): an idle TLS connection closes at once, a busy one gets its response with Connection: close', async () => {
    const server = await serve({}, { keepAliveTimeoutMs: 60_000 });
    Handler.hold();
    Handler.started = 0;
    const idle = await tlsOpen(server.serverAddress[1]);
    idle.socket.write('GET /first HTTP/1.1\r\nHost: x\r\n\r\n');
    expect(await idle.got.waitFor((d) => d.toString('latin1').endsWith('path=/first\n'), 5_000)).toBe(true);
    const busy = await tlsOpen(server.serverAddress[1]);
    busy.socket.write('GET /slow HTTP/1.1\r\nHost: x\r\n\r\n');
    expect(await eventually(() => Handler.started === 1, 5_000)).toBe(true);
    // A connection still in its handshake is closed too.
    const pendingGot = await RawClient.connect(server.serverAddress[1]);
    const stopped = server.shutdown();
    expect(await idle.got.waitClosed(5_000)).toBe('close');
    expect(await pendingGot.waitClosed(5_000)).not.toBe('timeout');
    Handler.open();
    await stopped;
    expect(await busy.got.waitClosed(5_000)).toBe('close');
    expect(text(busy.got)).toMatch(/^HTTP\/1\.1 200 OK\r\n[^]*Connection: close\r\n[^]*path=\/slow\n$/);
    expect(server.connectionsCut).toBe(0);
  });

  it.skipIf(opensslMissing !== '')('resets a half-open TLS client after lingerMs (node refuses resetAndDestroy on TLS sockets)', async () => {
    const server = await serve({}, { lingerMs: 100 });
    const { socket, got } = await tlsOpen(server.serverAddress[1], ['http/1.1'], certs.cert, true);
    // The client never closes its side: the server's lingering close must end it. (It sends the
    // start of another request after its `Connection: close` one: without it, the server would
    // close at once, with no lingering close — test/http/lingering-close.test.ts.)
    socket.write('GET /bye HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\nGET /more HTTP/1.1\r\n');
    expect(await got.waitFor((d) => d.toString('latin1').endsWith('path=/bye\n'), 5_000)).toBe(true);
    expect(await eventually(() => server.activeConnections === 0, 5_000)).toBe(true);
    // The reset reached the client: its next write fails.
    socket.write('GET /again HTTP/1.1\r\nHost: x\r\n\r\n');
    expect(await got.waitClosed(5_000)).not.toBe('timeout');
    const next = await tlsOpen(server.serverAddress[1]);
    next.socket.write('GET /still HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    expect(await next.got.waitClosed(5_000)).toBe('close');
    expect(text(next.got)).toMatch(/path=\/still\n$/);
  });
});

describe(`HTTPSServer certificates${opensslMissing}`, () => {
  it.skipIf(opensslMissing !== '')('reads the key from certfile when keyfile is not given', async () => {
    const server = await serve({ certfile: certs.combined, keyfile: null });
    expect(server.keyfile).toBeNull();
    const { socket } = await tlsOpen(server.serverAddress[1]);
    socket.destroy();
  });

  it.skipIf(opensslMissing !== '')('opens an encrypted key with password, a string or a function', async () => {
    for (const password of [certs.password, () => certs.password]) {
      const server = new HTTPSServer(['127.0.0.1', 0], Handler, true, { certfile: certs.encryptedCert, keyfile: certs.encryptedKey, password });
      servers.push(server);
      await server.ready;
      void server.serveForever();
      const { socket } = await tlsOpen(server.serverAddress[1], ['http/1.1'], certs.encryptedCert);
      expect(socket.authorized).toBe(true);
      socket.destroy();
    }
  });

  it.skipIf(opensslMissing !== '')('rejects ready with a code naming the input at fault, and listens on nothing', async () => {
    const cases: Array<[Partial<HTTPSServerOptions>, string, RegExp]> = [
      [{ certfile: `${certs.dir}/missing.pem` }, 'ERR_TLS_CERT', /cannot read the certificate file .*missing\.pem.*ENOENT/],
      [{ certfile: certs.garbage }, 'ERR_TLS_CERT', /no usable PEM certificate/],
      [{ keyfile: `${certs.dir}/nokey.pem` }, 'ERR_TLS_KEY', /cannot read the key file/],
      [{ keyfile: certs.garbage }, 'ERR_TLS_KEY', /not a usable PEM private key/],
      [{ keyfile: certs.encryptedKey, password: certs.password }, 'ERR_TLS_KEY', /does not belong to the certificate/],
      [{ certfile: certs.encryptedCert, keyfile: certs.encryptedKey }, 'ERR_TLS_PASSWORD', /is encrypted and no password was given/],
      [{ certfile: certs.encryptedCert, keyfile: certs.encryptedKey, password: 'wrong' }, 'ERR_TLS_PASSWORD', /does not open with the password given/],
    ];
    for (const [options, code, message] of cases) {
      const server = new HTTPSServer(['127.0.0.1', 0], Handler, { certfile: certs.cert, keyfile: certs.key, ...options });
      const error = await server.ready.then(
        () => null,
        (e: unknown) => e as { code?: string; message?: string },
      );
      expect(error?.code, JSON.stringify(options)).toBe(code);
      expect(error?.message).toMatch(message);
      expect(server.socket?.listening ?? false).toBe(false);
    }
  });

  it.skipIf(opensslMissing !== '')("with bindAndActivate false (CPython's four-argument form), binds only when asked, then serves TLS", async () => {
    const server = new HTTPSServer(['127.0.0.1', 0], Handler, false, { certfile: certs.cert, keyfile: certs.key });
    servers.push(server);
    // Nothing binds by itself (with bindAndActivate true, 127.0.0.1:0 listens within a few ms).
    const early = await Promise.race([server.ready.then(() => 'listening'), new Promise((resolve) => setTimeout(() => resolve('not yet'), 200))]);
    expect(early).toBe('not yet');
    expect(server.socket).toBeNull();
    expect(server.certfile).toBe(certs.cert);
    await server.serverBind();
    await server.serverActivate();
    await server.ready;
    void server.serveForever();
    const { socket, got } = await tlsOpen(server.serverAddress[1]);
    expect(socket.alpnProtocol).toBe('http/1.1');
    socket.write('GET /late HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n');
    expect(await got.waitClosed(10_000)).not.toBe('timeout');
    expect(text(got)).toMatch(/^HTTP\/1\.1 200 [^]*\r\n\r\npath=\/late\n$/);
  });

  it('needs a certfile', () => {
    expect(() => new HTTPSServer(['127.0.0.1', 0], Handler, false, {} as HTTPSServerOptions)).toThrow(expect.objectContaining({ code: 'ERR_TLS_CERT' }));
  });
});
