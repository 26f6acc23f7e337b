import { readFileSync } from 'node:fs';
import type { Socket } from 'node:net';
import { createSecureContext, type SecureContextOptions, Server as TLSServer, type TLSSocket } from 'node:tls';
import { BaseHTTPError } from '../socketserver/errors.js';
import { TIMER_MAX_MS } from '../socketserver/settings.js';
import type { HTTPLimits, HTTPServerOptions } from './limits.js';

/** TLS settings: CPython 3.14's `HTTPSServer` keyword arguments, in camelCase; and `HTTPServer`'s options. */
export interface HTTPSServerOptions extends HTTPServerOptions {
  /** Path of the PEM certificate chain; it also holds the private key when `keyfile` is not given. */
  readonly certfile: string;
  /** Path of the PEM private key (default: read from `certfile`). */
  readonly keyfile?: string | null;
  /** Passphrase of an encrypted key, or a function returning it. */
  readonly password?: string | (() => string) | null;
  /** ALPN protocols offered, in order of preference (default `['http/1.1']`). */
  readonly alpnProtocols?: readonly string[] | null;
}

/** The timeouts a pending handshake is held to: the HTTP server's own. */
export type HandshakeLimits = Readonly<Pick<HTTPLimits, 'keepAliveTimeoutMs' | 'headersTimeoutMs'>>;

function readPem(file: string, code: 'ERR_TLS_CERT' | 'ERR_TLS_KEY', what: string): Buffer {
  try {
    return readFileSync(file);
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    throw new BaseHTTPError(code, `cannot read the ${what} ${JSON.stringify(file)}: ${err.code ?? err.message}`, undefined, e);
  }
}

/**
 * Reads the certificate chain and key and checks that they make a TLS context (CPython's
 * `load_cert_chain`); returns them as `node:tls` context options. Throws a
 * `BaseHTTPError` whose code says which input is at fault: `ERR_TLS_CERT` (certfile unreadable
 * or not a PEM certificate), `ERR_TLS_KEY` (key unreadable, not a PEM key, or not the
 * certificate's), `ERR_TLS_PASSWORD` (an encrypted key that the password does not open).
 */
export function loadSecureContext(options: HTTPSServerOptions): SecureContextOptions {
  const cert = readPem(options.certfile, 'ERR_TLS_CERT', 'certificate file');
  const keyfile = options.keyfile ?? null;
  const key = keyfile === null ? cert : readPem(keyfile, 'ERR_TLS_KEY', 'key file');
  const keyName = keyfile === null ? `key in ${JSON.stringify(options.certfile)}` : `key ${JSON.stringify(keyfile)}`;
  try {
    createSecureContext({ cert });
  } catch (e) {
    throw new BaseHTTPError('ERR_TLS_CERT', `${JSON.stringify(options.certfile)} holds no usable PEM certificate: ${(e as Error).message}`, undefined, e);
  }
  const password = typeof options.password === 'function' ? options.password() : (options.password ?? undefined);
  const context = { cert, key, ...(password === undefined ? {} : { passphrase: password }) };
  try {
    createSecureContext(context);
    return context;
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    // A wrong (or no) password usually fails the decryption's padding check (BAD_DECRYPT); about
    // 1 in 200 wrong passwords pass it and the garbage then fails to decode (ERR_OSSL_UNSUPPORTED,
    // "DECODER routines::unsupported"), so any failure to read an encrypted key other than a
    // mismatch with the certificate is the password's.
    if (err.code === 'ERR_OSSL_BAD_DECRYPT' || (isEncryptedPem(key) && err.code !== 'ERR_OSSL_X509_KEY_VALUES_MISMATCH')) {
      const why = password === undefined ? 'is encrypted and no password was given' : 'does not open with the password given';
      throw new BaseHTTPError('ERR_TLS_PASSWORD', `the ${keyName} ${why}`, undefined, e);
    }
    const why = err.code === 'ERR_OSSL_X509_KEY_VALUES_MISMATCH' ? 'does not belong to the certificate' : `is not a usable PEM private key (${err.message})`;
    throw new BaseHTTPError('ERR_TLS_KEY', `the ${keyName} ${why}`, undefined, e);
  }
}

/** True if the PEM holds an encrypted private key (PKCS#8 `ENCRYPTED PRIVATE KEY`, or a legacy `Proc-Type: 4,ENCRYPTED` one). */
function isEncryptedPem(pem: Buffer): boolean {
  const text = pem.toString('latin1');
  return text.includes('-----BEGIN ENCRYPTED PRIVATE KEY-----') || /^Proc-Type:[ \t]*4,ENCRYPTED/m.test(text);
}

/** A connection still in its handshake: when it connected. */
interface Pending {
  readonly socket: Socket;
  readonly since: number;
}

/** Where a connection comes from; unique among the connections open on one listener. */
function peer(socket: Socket): string {
  return `${socket.remoteAddress ?? ''} ${socket.remotePort ?? 0}`;
}

/**
 * The listening socket of an HTTPS server: a `node:tls` server that hands each connection to
 * `accept` once its handshake is done, with ALPN (`http/1.1` by default), and holds handshakes
 * to the HTTP server's timeouts, so that a client cannot keep a connection in its handshake:
 *
 * - no byte within `keepAliveTimeoutMs` of connecting: closed (as a plain connection that sends
 *   no request);
 * - the handshake not done within `headersTimeoutMs` of connecting: closed (as a request head
 *   that does not arrive in time).
 *
 * Checked by one sweep per listener while handshakes are pending, every tenth of the shorter
 * timeout (10 ms to 1 s). Node's own `handshakeTimeout` is an idle timer that a client resets by
 * sending a byte now and then; it stays as a backstop above both. `close()` also closes the
 * connections still in their handshake: a server that stops accepting has no request of theirs.
 * Failed handshakes (`tlsClientError`) are closed by node and not reported, as CPython drops a
 * connection whose accept fails.
 */
export class TLSListener extends TLSServer {
  /** Connections in their handshake, by peer (their TLS socket reports the same peer). */
  readonly #pending = new Map<string, Pending>();
  readonly #limits: HandshakeLimits;
  #sweeper: NodeJS.Timeout | null = null;

  constructor(context: SecureContextOptions, alpnProtocols: readonly string[], limits: HandshakeLimits, accept: (socket: TLSSocket) => void) {
    super({
      // The options themselves, not a `secureContext`: node's server builds its own context from
      // its options and ignores that one.
      ...context,
      ALPNProtocols: [...alpnProtocols],
      // Half-open, as the plain listener: a client may send its request and close its side.
      allowHalfOpen: true,
      // Capped at node's longest timer delay, which the timeouts may reach (LIMIT_RULES).
      handshakeTimeout: Math.min(TIMER_MAX_MS, Math.max(limits.keepAliveTimeoutMs, limits.headersTimeoutMs) + 1000),
    });
    this.#limits = limits;
    // Node's own 'connection' listener (added by the constructor) has wrapped the socket first.
    this.on('connection', (socket: Socket) => this.#track(socket));
    this.on('secureConnection', (socket: TLSSocket) => {
      this.#untrack(peer(socket), null);
      accept(socket);
    });
  }

  #track(socket: Socket): void {
    const key = peer(socket);
    this.#pending.set(key, { socket, since: performance.now() });
    socket.once('close', () => this.#untrack(key, socket));
    if (this.#sweeper === null) {
      const { keepAliveTimeoutMs, headersTimeoutMs } = this.#limits;
      const period = Math.min(1000, Math.max(10, Math.min(keepAliveTimeoutMs, headersTimeoutMs) / 10));
      this.#sweeper = setInterval(() => this.#sweep(), period);
      this.#sweeper.unref();
    }
  }

  /** Forgets a pending handshake (done, or closed: then only if `socket` is still the one under `key`). */
  #untrack(key: string, socket: Socket | null): void {
    const entry = this.#pending.get(key);
    if (entry === undefined || (socket !== null && entry.socket !== socket)) return;
    this.#pending.delete(key);
    if (this.#pending.size === 0 && this.#sweeper !== null) {
      clearInterval(this.#sweeper);
      this.#sweeper = null;
    }
  }

  #sweep(): void {
    const now = performance.now();
    const { keepAliveTimeoutMs, headersTimeoutMs } = this.#limits;
    for (const { socket, since } of this.#pending.values()) {
      const limit = socket.bytesRead === 0 ? keepAliveTimeoutMs : headersTimeoutMs;
      if (now - since >= limit) socket.destroy();
    }
  }

  /** Number of connections still in their handshake. */
  get pendingHandshakes(): number {
    return this.#pending.size;
  }

  /** Stops listening and closes the connections still in their handshake. */
  override close(callback?: (err?: Error) => void): this {
    for (const { socket } of [...this.#pending.values()]) socket.destroy();
    return super.close(callback);
  }
}
