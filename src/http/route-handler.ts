import { isUtf8 } from 'node:buffer';
import { parse as parseQuery } from 'node:querystring';
import { BaseHTTPError } from '../socketserver/errors.js';
import { ABOVE_ROOT, canonicalize, pathOfTarget } from './canonical-path.js';
import { HTTPError, isJsonMediaType, PROBLEM_CONTENT_TYPE, problemJson, type ProblemFieldError } from './problem.js';
import { BaseHTTPRequestHandler } from './request-handler.js';
import { allowList, type CompiledRoute, compileRoutes, type RouteTable } from './route-table.js';
import type { RawQuery } from './route-types.js';
import { issuesToErrors, type StandardSchemaResult, type StandardSchemaV1 } from './standard-schema.js';

/** Marks `RouteHandler.prototype`, for a check that works across copies of the library. */
const ROUTE_HANDLER = Symbol.for('basehttp.RouteHandler');

/** True for `RouteHandler` and its subclasses (from any copy of the library). */
export function isRouteHandlerClass(cls: unknown): boolean {
  if (typeof cls !== 'function') return false;
  const proto = (cls as { prototype?: Record<symbol, unknown> }).prototype;
  return proto !== undefined && proto !== null && proto[ROUTE_HANDLER] === true;
}

/** Compiled tables by class: each class is compiled once, on first use (or by `prepare()`). */
const tables = new WeakMap<object, RouteTable>();

/**
 * Parameter values of the request being routed. One array for the process, not one per request
 * or connection: `find()` fills it and `routeParams()` copies it out before any user code runs,
 * so no request can see another's.
 */
const VALUES: string[] = [];

/** The query of a request without `?`: one frozen object for all of them. */
const EMPTY_QUERY: RawQuery = Object.freeze(Object.create(null) as RawQuery);

/** `%2F` and `%25` kept encoded in a `*` value, so that decoding it again stays unambiguous. */
const KEEP_ENCODED = /%(2F|25)/g;

/** A route method's argument. */
interface RouteArgsRuntime {
  params: Record<string, string>;
  query: unknown;
  body: unknown;
}

function isPromiseLike(value: unknown): value is PromiseLike<unknown> {
  return typeof value === 'object' && value !== null && typeof (value as { then?: unknown }).then === 'function';
}

/**
 * The compiled route table of a `RouteHandler` class, compiled on first use and cached per class
 * (a subclass is compiled on its own: it may override route methods). Throws `ERR_ROUTE_TABLE` /
 * `ERR_ROUTE_METHOD_MISSING` for a faulty table.
 */
export function routeTableOf(cls: abstract new (...args: never[]) => RouteHandler): RouteTable {
  let table = tables.get(cls);
  if (table === undefined) {
    table = compileRoutes(cls.name || 'RouteHandler', (cls as { routes?: unknown }).routes, cls.prototype);
    const proto = cls.prototype as unknown as Record<string, unknown>;
    for (const method of table.methods) {
      const name = `do_${method}`;
      if (typeof proto[name] !== 'function') {
        Object.defineProperty(proto, name, { value: RouteHandler.prototype.do_GET, writable: true, configurable: true });
      }
    }
    tables.set(cls, table);
  }
  return table;
}

/**
 * A handler for JSON services: routes from a table, validated input, JSON answers and RFC 9457
 * problem details for every error. It keeps the seed's model: one handler per connection,
 * requests dispatched to `do_<COMMAND>`, whose implementations here look the request up in the
 * class's `static routes`.
 *
 * ```ts
 * class Users extends RouteHandler {
 *   static routes = { 'GET /users/:id': 'get', 'POST /users': { call: 'create', body: NewUser } };
 *   get({ params }) { return { id: params.id }; }        // 200 application/json
 *   create({ body }) { this.sendJson(201, body); }       // or answer yourself
 * }
 * ```
 *
 * - For route methods: `route`, `canonicalPath`, `sendJson()`, and everything of
 *   `BaseHTTPRequestHandler`; `throw new HTTPError(status, detail?)` answers a problem.
 * - May be overridden: route methods; `sendError()` (here it answers problem+json); the
 *   `BaseHTTPRequestHandler` hooks. A `do_X` defined by a subclass takes that method from the
 *   router (call `super.do_X()` to route).
 * - Class fields that may be overridden: `static routes` (the table, see docs/routes.md),
 *   `maxBodyBytes` (undefined: the server's `maxBodyBytes`), and those of `BaseHTTPRequestHandler`.
 *
 * Per request: the canonical path (`canonicalize()`; 400 when it climbs above the root) → the
 * route (404; 405 with `Allow`; `HEAD` by the `GET` route; `OPTIONS` 204 with `Allow`) →
 * `query` (400) and `body` (415, 413, 400, 422) validated through their Standard Schema → the
 * method with `{ params, query, body }` → a value other than `undefined` is sent as 200 JSON.
 * An `HTTPError` answers its status; any other exception answers 500 through the core (generic
 * detail, the error to `server.handleError`). A 4xx leaves a keep-alive connection open; a 5xx,
 * a 413, a 408 and every refusal of the parser close it.
 */
export class RouteHandler extends BaseHTTPRequestHandler {
  /** Largest body a `body` route reads, in bytes; undefined: the server's `maxBodyBytes`. */
  maxBodyBytes: number | undefined = undefined;

  /**
   * `route` and `canonicalPath` belong to the request whose `requestNumber` they were set in, and
   * `parseRequest()` forgets them: a request the core refuses (414, 431 and 408 never reach
   * `parseRequest()`) reads null, never the previous request's values.
   */
  #route: string | null = null;
  #canonicalPath: string | null = null;
  #routedAt = -1;

  #table!: RouteTable;
  /** What the next `sendError()` adds to its problem (set just before it, cleared by it). */
  #allow: string | null = null;
  #errors: readonly ProblemFieldError[] | undefined = undefined;
  #headers: Readonly<Record<string, string | number>> | undefined = undefined;
  /** Callbacks for route methods that return a Promise, made on first use per connection. */
  #onValue: ((value: unknown) => void) | null = null;
  #onThrow: ((error: unknown) => void) | null = null;

  /** Compiles (and so checks) the class's route table; `HTTPServer` calls it before binding. */
  static override prepare(): void {
    super.prepare();
    routeTableOf(this);
  }

  /** Prepares the connection: finds the class's compiled table. May be extended. */
  override setup(): void {
    super.setup();
    this.#table = routeTableOf(this.constructor as typeof RouteHandler);
  }

  /** Forgets the previous request's route before parsing the next. May be extended. */
  override parseRequest(): boolean | Promise<boolean> {
    this.#routedAt = -1;
    return super.parseRequest();
  }

  /** The matched route's pattern as written in the table (`'/users/:id'`), or null. */
  get route(): string | null {
    return this.#routedAt === this.requestNumber ? this.#route : null;
  }

  /** The canonical path the request was routed on, or null (not routed, or the path was refused). */
  get canonicalPath(): string | null {
    return this.#routedAt === this.requestNumber ? this.#canonicalPath : null;
  }

  do_GET(): void | Promise<void> {
    return this.#serve();
  }
  do_HEAD(): void | Promise<void> {
    return this.#serve();
  }
  do_POST(): void | Promise<void> {
    return this.#serve();
  }
  do_PUT(): void | Promise<void> {
    return this.#serve();
  }
  do_DELETE(): void | Promise<void> {
    return this.#serve();
  }
  do_PATCH(): void | Promise<void> {
    return this.#serve();
  }
  do_OPTIONS(): void | Promise<void> {
    return this.#serve();
  }

  #serve(): void | Promise<void> {
    const target = this.path;
    const q = target.indexOf('?');
    let path = q === -1 ? target : target.slice(0, q);
    if (path.charCodeAt(0) !== 0x2f) {
      path = pathOfTarget(target);
      if (path === '*') return this.#asterisk();
      if (path.charCodeAt(0) !== 0x2f) return this.sendError(400, 'The request target has no path to route');
    }
    const canonical = canonicalize(path);
    if (typeof canonical !== 'string') {
      return this.sendError(400, canonical === ABOVE_ROOT ? 'The path climbs above the root' : 'The path holds a malformed percent-encoding');
    }
    const route = this.#table.find(this.command!, canonical, VALUES);
    this.#canonicalPath = canonical;
    this.#route = route === null ? null : route.pattern;
    this.#routedAt = this.requestNumber;
    if (route === null) return this.#unrouted(canonical);
    const params = routeParams(route);
    if (params === null) return this.sendError(400, 'A path parameter is not percent-encoded UTF-8');
    let query: unknown = q === -1 ? EMPTY_QUERY : parseQuery(target.slice(q + 1));
    if (route.query !== undefined) {
      const result = route.query['~standard'].validate(query);
      if (isPromiseLike(result)) return Promise.resolve(result).then((r) => this.#afterQuery(route, params, r));
      query = this.#checked(result, 400, 'The query string does not match the schema');
      if (query === INVALID) return;
    }
    return route.body === undefined ? this.#call(route, params, query, undefined) : this.#withBody(route, params, query);
  }

  #afterQuery(route: CompiledRoute, params: Record<string, string>, result: StandardSchemaResult<unknown>): void | Promise<void> {
    const query = this.#checked(result, 400, 'The query string does not match the schema');
    if (query === INVALID) return;
    return route.body === undefined ? this.#call(route, params, query, undefined) : this.#withBody(route, params, query);
  }

  /** A schema's value, or `INVALID` after answering `code` with its issues. */
  #checked(result: StandardSchemaResult<unknown>, code: number, detail: string): unknown {
    if (result.issues !== undefined) {
      this.#errors = issuesToErrors(result.issues);
      this.sendError(code, detail);
      return INVALID;
    }
    return result.value;
  }

  async #withBody(route: CompiledRoute, params: Record<string, string>, query: unknown): Promise<void> {
    if (!isJsonMediaType(this.headers.get('content-type'))) {
      return this.sendError(415, `${route.key} takes a JSON body (application/json or */*+json)`);
    }
    // Over the limit readBody() rejects with status 413 and the core answers (and closes).
    const raw = await this.readBody(this.maxBodyBytes);
    if (!isUtf8(raw)) return this.sendError(400, 'The body is not UTF-8');
    let value: unknown;
    try {
      value = JSON.parse(raw.toString('utf8'));
    } catch (e) {
      return this.sendError(400, `The body is not JSON: ${(e as Error).message}`);
    }
    let result = (route.body as StandardSchemaV1)['~standard'].validate(value);
    if (isPromiseLike(result)) result = await result;
    const body = this.#checked(result, 422, 'The body does not match the schema');
    if (body === INVALID) return;
    return this.#call(route, params, query, body);
  }

  /** Runs the route method and answers with what it returns. */
  #call(route: CompiledRoute, params: Record<string, string>, query: unknown, body: unknown): void | Promise<void> {
    const args: RouteArgsRuntime = { params, query, body };
    let value: unknown;
    try {
      value = route.fn.call(this, args);
    } catch (e) {
      return this.#thrown(e);
    }
    if (isPromiseLike(value)) {
      return Promise.resolve(value).then((this.#onValue ??= (v) => this.#answer(v)), (this.#onThrow ??= (e) => this.#thrown(e)));
    }
    this.#answer(value);
  }

  /** True once a final response (not a 1xx) was started for this request. */
  #answered(): boolean {
    return this.statusCode !== null && this.statusCode >= 200;
  }

  #answer(value: unknown): void {
    if (value === undefined) {
      if (!this.#answered()) {
        throw new BaseHTTPError('ERR_ROUTE_NO_ANSWER', `${this.command} ${this.route}: the route method returned undefined and sent no response`);
      }
      return;
    }
    if (this.#answered()) {
      throw new BaseHTTPError('ERR_ROUTE_ANSWERED_TWICE', `${this.command} ${this.route}: the route method answered and also returned a value`);
    }
    this.sendJson(200, value);
  }

  /** An exception from a route method: an `HTTPError` is answered here, anything else by the core. */
  #thrown(e: unknown): void {
    if (!HTTPError.is(e) || this.#answered()) throw e;
    this.#errors = e.errors;
    this.#headers = e.headers;
    this.sendError(e.status, e.detail);
  }

  /** No route for this method: 404, 405 with `Allow`, or the automatic `OPTIONS` answer. */
  #unrouted(canonical: string): void {
    const allow = this.#table.allow(canonical);
    if (allow === null) return this.sendError(404);
    if (this.command === 'OPTIONS') return this.#options(allow);
    this.#allow = allow;
    this.sendError(405);
  }

  /** `OPTIONS *`: what the whole table allows. */
  #asterisk(): void {
    if (this.command !== 'OPTIONS') return this.sendError(400, 'The request target * is for OPTIONS only');
    this.#options(allowList(this.#table.methods));
  }

  #options(allow: string): void {
    this.sendResponse(204);
    this.sendHeader('Allow', allow);
    this.endHeaders();
  }

  /**
   * Sends `value` as JSON (`application/json`, `Content-Length`), without the body for `HEAD`.
   * `JSON.stringify` errors (a cycle, a BigInt) propagate: the core answers 500.
   */
  sendJson(code: number, value: unknown): void {
    const text = JSON.stringify(value) ?? 'null';
    this.sendResponse(code);
    if (code < 200 || code === 204 || code === 304) {
      this.endHeaders();
      return;
    }
    const n = Buffer.byteLength(text);
    this.sendHeader('Content-Type', 'application/json');
    this.sendHeader('Content-Length', n);
    this.endHeaders();
    if (this.command === 'HEAD') return;
    // ASCII (the usual JSON) goes in as latin-1: write() would measure the string a second time
    // (Buffer.byteLength of {"id":"42"}: 14–15 ns, bench/route-match.mjs).
    if (n === text.length) this.wfile.writeLatin1(text);
    else this.wfile.write(text);
  }

  /**
   * Sends and logs an error as an RFC 9457 problem (`application/problem+json`, see
   * docs/routes.md): the status line has the standard reason phrase, `detail` is `explain` or
   * else `message`, `instance` the request's path. `Connection: close` only when the connection
   * closes anyway (a refused request, a 5xx, 408, 413, or a client that asked to close): a 4xx
   * of the router or a route method keeps a keep-alive connection open. May be overridden.
   */
  override sendError(code: number, message?: string, explain?: string): void {
    const allow = this.#allow;
    const errors = this.#errors;
    const headers = this.#headers;
    this.#allow = null;
    this.#errors = undefined;
    this.#headers = undefined;
    const entry = this.responses[code];
    const title = entry === undefined ? 'Unknown Status' : entry[0];
    this.logError('code %d, message %s', code, message ?? title);
    let detail = explain ?? message;
    if (detail === title) detail = undefined;
    if (detail === undefined && code >= 500 && entry !== undefined) detail = entry[1];
    const close = this.closeConnection || this.rejectReason !== null || code >= 500 || code === 413 || code === 408;
    this.sendResponse(code);
    if (close) this.sendHeader('Connection', 'close');
    if (allow !== null) this.sendHeader('Allow', allow);
    if (headers !== undefined) for (const name of Object.keys(headers)) this.sendHeader(name, headers[name]!);
    if (code < 200 || code === 204 || code === 205 || code === 304) {
      this.endHeaders();
      return;
    }
    const body = problemJson(code, title, detail, this.command ? pathOfTarget(this.path) : undefined, errors);
    this.sendHeader('Content-Type', PROBLEM_CONTENT_TYPE);
    this.sendHeader('Content-Length', Buffer.byteLength(body));
    this.endHeaders();
    if (this.command !== 'HEAD') this.wfile.write(body);
  }
}

Object.defineProperty(RouteHandler.prototype, ROUTE_HANDLER, { value: true });

/** Marks a failed validation (the answer was sent). */
const INVALID: unique symbol = Symbol('invalid');

/** The route's parameters from `VALUES`, percent-decoded; null when one is not valid UTF-8. */
function routeParams(route: CompiledRoute): Record<string, string> | null {
  const names = route.params;
  const params: Record<string, string> = {};
  for (let i = 0; i < names.length; i++) {
    const name = names[i]!;
    let v = VALUES[i]!;
    if (v.includes('%')) {
      try {
        // `*` keeps %2F and %25 encoded: the value's slashes are always real separators.
        v = decodeURIComponent(name === '*' ? v.replace(KEEP_ENCODED, '%25$1') : v);
      } catch {
        return null;
      }
    }
    params[name] = v;
  }
  return params;
}
