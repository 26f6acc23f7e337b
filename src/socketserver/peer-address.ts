/**
 * A connection's `clientAddress`, read from the socket when something first reads it.
 *
 * Python's `accept()` returns the peer's address with the socket. Node accepts without asking
 * for it, so the address is one more system call (`getpeername(2)`, through node's
 * `socket.remoteAddress`), which cost ~3.5 µs of server CPU per connection here: 47.3–48.7 µs
 * per `Connection: close` request against 43.4–47.5 with this lazy address (4 alternating
 * rounds, server on core 0, `wrk -t1 -c50` on core 1; node:http, which reads it only when asked
 * too, 50.7–53.0). A server that never looks at the address (no log line, no access check) no
 * longer pays for it: see docs/performance.md, "The peer's address when it is read".
 *
 * - For servers: {@link lazyPeerAddress} (`BaseServer.getRequest`'s default) and
 *   {@link peerAddress} (read now: for a server that reads every connection's address anyway,
 *   or must have it even for a connection that is reset first, as the service's access and
 *   error records do).
 *
 * A handler's `clientAddress` is read from the socket the first time the handler's property is
 * read (`settledAddress`), and is then a plain array: one kept and read after the connection
 * closed still names the client.
 *
 * The lazy address is an array in every way callers see (`Array.isArray`, indexing,
 * destructuring, `length`, `JSON.stringify`, `Object.keys`, equality in tests, `util.inspect`):
 * a `Proxy` whose first use of any kind reads the socket's address into it. The difference from
 * Python: a connection reset before anything read its address has no address left to read
 * (`getpeername` fails, as node's `socket.remoteAddress` is then `undefined`), and reads as
 * `['', 0]`, as an address that could not be read at accept did before (node's own
 * `socket.remoteAddress` is `undefined` then). Read it in `verifyRequest()` (or override
 * `getRequest()` with {@link peerAddress}) to have it always.
 */
import type { Socket } from 'node:net';
import { inspect } from 'node:util';
import type { Address } from './address.js';

/** `[remoteAddress, remotePort]` read now (`['', 0]` when the socket has none: it is closed or was reset). */
export function peerAddress(socket: Socket): Address {
  return [socket.remoteAddress ?? '', socket.remotePort ?? 0];
}

/**
 * The proxy's target: empty, and holding its socket, until a first read fills it with
 * `[host, port]` and lets the socket go. The socket is a private field: no key, so nothing
 * that lists the array's keys sees it.
 */
class PendingAddress extends Array<string | number> {
  #socket: Socket | null;

  constructor(socket: Socket) {
    super();
    this.#socket = socket;
  }

  /** Fills in the address on first use; returns the (now filled) array. */
  resolve(): this {
    const socket = this.#socket;
    if (socket !== null) {
      this.#socket = null;
      this.push(socket.remoteAddress ?? '', socket.remotePort ?? 0);
    }
    return this;
  }

  /**
   * `util.inspect` looks at a proxy's target without its traps, then calls this with the proxy
   * as `this`: reading through it fills the target first.
   */
  [inspect.custom](): (string | number)[] {
    const address = this as unknown as Address;
    return [address[0], address[1]];
  }
}
// The address's `constructor` is Array's, as for any other address: equality checks that compare
// constructors (vitest's toStrictEqual) see an array, and `map()`, `slice()`… make plain arrays.
Object.defineProperty(PendingAddress.prototype, 'constructor', { value: Array, writable: true, configurable: true });

/** The key under which a lazy address gives its filled target ({@link settledAddress}). */
const TARGET: unique symbol = Symbol('basehttp.peerAddressTarget');

/** Every way of looking at the address fills it first, then looks at the filled array. */
const TRAPS: ProxyHandler<PendingAddress> = {
  get: (t, key, receiver) => (key === TARGET ? t.resolve() : Reflect.get(t.resolve(), key, receiver)),
  has: (t, key) => Reflect.has(t.resolve(), key),
  ownKeys: (t) => Reflect.ownKeys(t.resolve()),
  getOwnPropertyDescriptor: (t, key) => Reflect.getOwnPropertyDescriptor(t.resolve(), key),
  // An Address is read-only; a caller that writes to it anyway writes to the filled array.
  set: (t, key, value, receiver) => Reflect.set(t.resolve(), key, value, receiver),
  defineProperty: (t, key, descriptor) => Reflect.defineProperty(t.resolve(), key, descriptor),
  deleteProperty: (t, key) => Reflect.deleteProperty(t.resolve(), key),
};

/** The socket's `[host, port]`, read from it on first use (see the module comment). */
export function lazyPeerAddress(socket: Socket): Address {
  return new Proxy(new PendingAddress(socket), TRAPS) as unknown as Address;
}

/**
 * `address` read now if it is lazy, as the array it filled (no proxy left between its reader and
 * it); any other address as it is. What a handler's `clientAddress` gives: read while the
 * connection is open, it stays right after it closed, wherever the handler keeps it.
 */
export function settledAddress(address: Address): Address {
  return (address as { [TARGET]?: Address })[TARGET] ?? address;
}
