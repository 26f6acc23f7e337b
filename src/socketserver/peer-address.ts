/**
 * A connection's `clientAddress`, read from the socket when something first reads it.
 *
 * Python's `accept()` returns the peer's address with the socket. Node accepts without asking
 * for it, so the address is one more system call (`getpeername(2)`, through node's
 * `socket.remoteAddress`): ~4.7 µs of server CPU per `Connection: close` request here, 47.96
 * against 43.29 µs with this lazy address (medians of 5 alternating rounds, server on core 0,
 * `wrk -t1 -c50` on core 1; node:http, which also reads it only when asked, 51.56). A server
 * that never looks at the address (no request log, no access check) no longer pays for it:
 * docs/performance.md, "The peer's address, read when it is first read".
 *
 * - For servers: {@link lazyPeerAddress} (`BaseServer.getRequest`'s default) and
 *   {@link peerAddress} (read now: for a server that must have every connection's address even
 *   when the peer resets first, as the service's access and error records do).
 * - For handlers: {@link settledAddress} (what a handler's `clientAddress` gives: the first read
 *   of the property reads the socket, and the handler then keeps a plain array, right after the
 *   connection closed too). `BaseHTTPRequestHandler` reads it in `setup()` when the class logs
 *   with the library's `logRequest`, which prints it after every response anyway.
 *
 * The lazy address is a `Proxy` over an array whose first use of any kind (indexing,
 * destructuring, `length`, `Array.isArray`, `JSON.stringify`, `Object.keys`, `Object.freeze`,
 * equality in tests, `util.inspect`) reads the socket's address into it. What tells it from a
 * plain array: `structuredClone()` and `postMessage()` refuse it (a proxy cannot be cloned: send
 * `[...address]`), its prototype is not `Array.prototype` itself, and `util.inspect` with
 * `showProxy` shows the proxy. The difference from Python: a connection reset before anything
 * read its address has no address left to read (`getpeername` fails; node's own
 * `socket.remoteAddress` is `undefined` then) and reads as `['', 0]`, as an address that could not
 * be read at accept always did. Read it in `verifyRequest()`, or override `getRequest()` with
 * {@link peerAddress}, to have it always.
 */
import type { Socket } from 'node:net';
import { inspect } from 'node:util';
import type { Address } from './address.js';

/** `[remoteAddress, remotePort]` read now (`['', 0]` when the socket has none: it is closed or was reset). */
export function peerAddress(socket: Socket): Address {
  return [socket.remoteAddress ?? '', socket.remotePort ?? 0];
}

/**
 * The key under which a lazy address gives its filled target ({@link settledAddress}); shared
 * by every copy of the library loaded in the process.
 */
const TARGET: unique symbol = Symbol.for('basehttp.peerAddressTarget') as typeof TARGET;

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

  /**
   * Fills in the address on first use; returns the (now filled) array. Static, so that no
   * method of the target shows through the proxy (`'fill' in address` is false).
   */
  static fill(t: PendingAddress): PendingAddress {
    const socket = t.#socket;
    if (socket !== null) {
      t.#socket = null;
      t.push(...peerAddress(socket));
    }
    return t;
  }

  /**
   * `util.inspect` looks at a proxy's target without its traps, then calls this with the proxy
   * as `this` (reading through it fills the target); `util.format('%o')` calls it with the
   * target itself.
   */
  [inspect.custom](): (string | number)[] {
    const t = (this as { [TARGET]?: PendingAddress })[TARGET] ?? PendingAddress.fill(this);
    return [t[0]!, t[1]!];
  }
}
// The address's `constructor` is Array's, as for any other address: equality checks that compare
// constructors (vitest's toStrictEqual) see an array, and `map()`, `slice()`… make plain arrays.
Object.defineProperty(PendingAddress.prototype, 'constructor', { value: Array, writable: true, configurable: true });

/** Every way of looking at the address fills it first, then looks at the filled array. */
const fill = PendingAddress.fill;
const TRAPS: ProxyHandler<PendingAddress> = {
  get: (t, key, receiver) => (key === TARGET ? fill(t) : Reflect.get(fill(t), key, receiver)),
  has: (t, key) => Reflect.has(fill(t), key),
  ownKeys: (t) => Reflect.ownKeys(fill(t)),
  getOwnPropertyDescriptor: (t, key) => Reflect.getOwnPropertyDescriptor(fill(t), key),
  // An Address is read-only; a caller that writes to it anyway writes to the filled array.
  set: (t, key, value, receiver) => Reflect.set(fill(t), key, value, receiver),
  defineProperty: (t, key, descriptor) => Reflect.defineProperty(fill(t), key, descriptor),
  deleteProperty: (t, key) => Reflect.deleteProperty(fill(t), key),
  // Object.freeze() and the like: filled first, or the empty target could never be filled.
  preventExtensions: (t) => Reflect.preventExtensions(fill(t)),
  isExtensible: (t) => Reflect.isExtensible(fill(t)),
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
