import type { Socket } from 'node:net';
import type { Address } from './address.js';
import { settledAddress } from './peer-address.js';
import type { BaseServer } from './base-server.js';

/**
 * Base class for request handler classes (Python's `SocketServer.BaseRequestHandler`).
 *
 * The server instantiates one handler per accepted connection ("request" in SocketServer's
 * words), then calls `setup()`, `handle()` and `finish()` on it — the constructor does not start
 * handling, so subclass class fields (`protocolVersion = 'HTTP/1.1'`) are in place first.
 *
 * - For the server: `setup()`, `handle()`, `finish()`.
 * - May be overridden: `setup()`, `handle()` (may return a Promise), `finish()`.
 * - Fields: `request` (the socket), `clientAddress`, `server`.
 */
export class BaseRequestHandler {
  /** The connection's socket. */
  readonly request: Socket;
  /** The address the server gave, until the first read of {@link clientAddress} settles it. */
  #clientAddress: Address;
  /** The server that accepted the connection. */
  readonly server: BaseServer;

  constructor(request: Socket, clientAddress: Address, server: BaseServer) {
    this.request = request;
    this.#clientAddress = clientAddress;
    this.server = server;
  }

  /**
   * The peer's `[host, port]`. Read from the socket the first time this is read (a connection
   * whose handler never reads it costs no `getpeername`: `peer-address.ts`), then kept: the
   * array stays right after the connection closed. Read after the peer reset the connection,
   * before anything read it: `['', 0]`.
   */
  get clientAddress(): Address {
    // Settling a settled (plain) address gives it back as it is.
    return (this.#clientAddress = settledAddress(this.#clientAddress));
  }

  /** Called before `handle()` to prepare the handler. May be overridden. Default: nothing. */
  setup(): void {}

  /** Serves the connection. May be overridden. Default: nothing. */
  handle(): void | Promise<void> {}

  /** Called after `handle()`, even when it failed, to clean up. May be overridden. Default: nothing. */
  finish(): void {}
}

/** A handler class as the server receives it. */
export type RequestHandlerClass = new (request: Socket, clientAddress: Address, server: BaseServer) => BaseRequestHandler;

/**
 * `setup()` then `handle()`; `finish()` at once when `handle()` threw or finished synchronously.
 * Returns `handle()`'s Promise when it has one: the caller (`BaseServer`) runs `finish()` after it
 * settles.
 */
export function runHandler(handler: BaseRequestHandler): void | Promise<void> {
  handler.setup();
  let r: void | Promise<void>;
  try {
    r = handler.handle();
  } catch (e) {
    handler.finish();
    throw e;
  }
  if (r === undefined) handler.finish();
  return r;
}
