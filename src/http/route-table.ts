/**
 * A `RouteHandler` class's `static routes`, compiled once per class into what the per-request
 * lookup needs: a `Map` from canonical path to methods for the patterns without parameters (most
 * routes, one lookup), and a segment tree for the others (literal before `:param` before `*`,
 * backtracking when a more specific branch has no route for the method). No regular expression
 * and no closure per request; parameter values go into a caller's reusable array.
 *
 * Every fault in a table is found here, at compile time, with a message naming the route:
 * `ERR_ROUTE_METHOD_MISSING` (the table names a method the class does not define) and
 * `ERR_ROUTE_TABLE` (anything else: key, pattern, value, schema, duplicate).
 */
import { BaseHTTPError } from '../socketserver/errors.js';
import { canonicalize } from './canonical-path.js';
import { isTokenString } from './request-line.js';
import { isStandardSchema, type StandardSchemaV1 } from './standard-schema.js';

/** A route as the handler runs it. */
export interface CompiledRoute {
  /** `'GET /users/:id'`, as written in the table. */
  readonly key: string;
  readonly method: string;
  /** `'/users/:id'`, as written: `this.route` and the `route` label. */
  readonly pattern: string;
  /** The pattern with its literal segments canonical (what request paths are compared with). */
  readonly canonical: string;
  /** The method's name, and the function found under it on the class's prototype. */
  readonly call: string;
  readonly fn: (this: unknown, args: unknown) => unknown;
  readonly body: StandardSchemaV1 | undefined;
  readonly query: StandardSchemaV1 | undefined;
  /** Parameter names in path order; `*` last for a wildcard. */
  readonly params: readonly string[];
}

/** The routes of one path shape, by method. */
class PathEntry {
  readonly methods = new Map<string, CompiledRoute>();
}

/** Up to this many literal children are compared in place; more go into a Map. */
const LITERAL_SCAN = 4;

/** A node of the segment tree (patterns with parameters only). */
class SegmentNode {
  /** Literal children by canonical segment. */
  literal: Map<string, SegmentNode> | null = null;
  /**
   * The same children as two arrays while there are at most `LITERAL_SCAN`: compared in place
   * with `startsWith`, no substring made and hashed. bench/route-match.mjs (node 20, best of 5 ×
   * 2 000 000): find GET /users/:id 63–68 ns against 83–86 ns with the Map alone;
   * /users/:id/posts/:post 89–93 against 123 ns.
   */
  literalKeys: string[] | null = [];
  literalNodes: SegmentNode[] = [];
  /** The `:param` child (one per position, whatever the name: names belong to routes). */
  param: SegmentNode | null = null;
  /** Routes whose pattern ends in `*` here. */
  wildcard: PathEntry | null = null;
  /** Routes whose pattern ends at this node. */
  entry: PathEntry | null = null;
}

/** The routes of a method on an entry, `HEAD` falling back to `GET`. */
function pick(entry: PathEntry | null, method: string): CompiledRoute | null {
  if (entry === null) return null;
  const r = entry.methods.get(method);
  if (r !== undefined) return r;
  return method === 'HEAD' ? (entry.methods.get('GET') ?? null) : null;
}

/** The literal child of `node` for the segment `path[pos, end)`, if any. */
function literalChild(node: SegmentNode, path: string, pos: number, end: number): SegmentNode | undefined {
  const keys = node.literalKeys;
  if (keys === null) return node.literal?.get(path.slice(pos, end));
  const len = end - pos;
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i]!;
    if (k.length === len && path.startsWith(k, pos)) return node.literalNodes[i];
  }
  return undefined;
}

/** Finds a route in the tree from the segment starting at `pos`; parameter values into `values`. */
function walk(node: SegmentNode, path: string, pos: number, method: string, values: string[], n: number): CompiledRoute | null {
  let end = path.indexOf('/', pos);
  const last = end === -1;
  if (last) end = path.length;
  const child = literalChild(node, path, pos, end);
  if (child !== undefined) {
    const r = last ? pick(child.entry, method) : walk(child, path, end + 1, method, values, n);
    if (r !== null) return r;
  }
  const param = node.param;
  if (param !== null && end > pos) {
    const r = last ? pick(param.entry, method) : walk(param, path, end + 1, method, values, n + 1);
    if (r !== null) {
      values[n] = path.slice(pos, end);
      return r;
    }
  }
  if (node.wildcard !== null) {
    const r = pick(node.wildcard, method);
    if (r !== null) values[n] = path.slice(pos);
    return r;
  }
  return null;
}

/** Every path entry of the tree that matches `path` (for `Allow`). */
function collect(node: SegmentNode, path: string, pos: number, into: PathEntry[]): void {
  let end = path.indexOf('/', pos);
  const last = end === -1;
  if (last) end = path.length;
  const child = literalChild(node, path, pos, end);
  if (child !== undefined) {
    if (last) {
      if (child.entry !== null) into.push(child.entry);
    } else {
      collect(child, path, end + 1, into);
    }
  }
  if (node.param !== null && end > pos) {
    if (last) {
      if (node.param.entry !== null) into.push(node.param.entry);
    } else {
      collect(node.param, path, end + 1, into);
    }
  }
  if (node.wildcard !== null) into.push(node.wildcard);
}

/** A compiled route table. */
export class RouteTable {
  /** Every route, in table order. */
  readonly routes: readonly CompiledRoute[];
  /** Most parameters of any route (the size of the caller's value array). */
  readonly maxParams: number;
  /** Every method of the table, in table order (`Allow` for `OPTIONS *`). */
  readonly methods: readonly string[];
  readonly #static = new Map<string, PathEntry>();
  readonly #tree: SegmentNode | null;

  constructor(routes: readonly CompiledRoute[], owner: string) {
    this.routes = routes;
    let tree: SegmentNode | null = null;
    let maxParams = 0;
    const methods = new Set<string>();
    for (const r of routes) {
      methods.add(r.method);
      maxParams = Math.max(maxParams, r.params.length);
      let entry: PathEntry;
      if (r.params.length === 0) {
        entry = this.#static.get(r.canonical) ?? new PathEntry();
        this.#static.set(r.canonical, entry);
      } else {
        tree ??= new SegmentNode();
        entry = place(tree, r.canonical);
      }
      const twin = entry.methods.get(r.method);
      if (twin !== undefined) {
        throw tableError(owner, r.key, `matches the same requests as '${twin.key}'`);
      }
      entry.methods.set(r.method, r);
    }
    this.#tree = tree;
    this.maxParams = maxParams;
    this.methods = [...methods];
  }

  /**
   * The route for `method` on the canonical `path` (`HEAD` served by a `GET` route), or null.
   * Parameter values (still percent-encoded) are written to `values[0…]` in path order.
   */
  find(method: string, path: string, values: string[]): CompiledRoute | null {
    const r = pick(this.#static.get(path) ?? null, method);
    if (r !== null) return r;
    const tree = this.#tree;
    return tree === null ? null : walk(tree, path, 1, method, values, 0);
  }

  /** The `Allow` value for `path` (`GET, HEAD, …, OPTIONS`), or null when no pattern matches it. */
  allow(path: string): string | null {
    const entries: PathEntry[] = [];
    const s = this.#static.get(path);
    if (s !== undefined) entries.push(s);
    if (this.#tree !== null) collect(this.#tree, path, 1, entries);
    if (entries.length === 0) return null;
    return allowList(entries.flatMap((e) => [...e.methods.keys()]));
  }
}

/** `GET, HEAD, …, OPTIONS`: each method once, `HEAD` after `GET`, `OPTIONS` last. */
export function allowList(methods: readonly string[]): string {
  const out: string[] = [];
  for (const m of methods) {
    if (m === 'OPTIONS' || out.includes(m)) continue;
    out.push(m);
    if (m === 'GET' && !methods.includes('HEAD')) out.push('HEAD');
  }
  out.push('OPTIONS');
  return out.join(', ');
}

/** The tree node for a pattern with parameters, created as needed; returns its entry. */
function place(tree: SegmentNode, pattern: string): PathEntry {
  let node = tree;
  const segments = pattern.slice(1).split('/');
  for (let i = 0; i < segments.length; i++) {
    const s = segments[i]!;
    if (s === '*') return (node.wildcard ??= new PathEntry());
    if (s.charCodeAt(0) === 0x3a) {
      node = node.param ??= new SegmentNode();
    } else {
      const literal = (node.literal ??= new Map());
      let child = literal.get(s);
      if (child === undefined) {
        child = new SegmentNode();
        literal.set(s, child);
        if (literal.size > LITERAL_SCAN) {
          node.literalKeys = null;
        } else {
          node.literalKeys!.push(s);
          node.literalNodes.push(child);
        }
      }
      node = child;
    }
  }
  return (node.entry ??= new PathEntry());
}

function tableError(owner: string, key: string, message: string): BaseHTTPError {
  return new BaseHTTPError('ERR_ROUTE_TABLE', `${owner}.routes['${key}']: ${message}`);
}

const PARAM_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** Characters a literal segment may hold: RFC 3986 pchar, `%` for percent-encodings. */
const LITERAL = /^[A-Za-z0-9\-._~!$&'()*+,;=:@%]*$/;

/** Checks a pattern and returns it canonical (what it matches against), with its parameter names. */
function parsePattern(owner: string, key: string, pattern: string): { canonical: string; params: string[] } {
  if (pattern.charCodeAt(0) !== 0x2f) throw tableError(owner, key, `the pattern must start with '/'`);
  if (pattern === '/') return { canonical: pattern, params: [] };
  const segments = pattern.slice(1).split('/');
  const params: string[] = [];
  const out: string[] = [];
  for (let i = 0; i < segments.length; i++) {
    const s = segments[i]!;
    const last = i === segments.length - 1;
    if (s === '*') {
      if (!last) throw tableError(owner, key, `'*' must be the last segment`);
      params.push('*');
      out.push(s);
    } else if (s.charCodeAt(0) === 0x3a) {
      const name = s.slice(1);
      if (!PARAM_NAME.test(name) || name === '__proto__') throw tableError(owner, key, `'${s}' is not a parameter: ':' then a name of letters, digits and '_'`);
      if (params.includes(name)) throw tableError(owner, key, `the parameter ':${name}' appears twice`);
      params.push(name);
      out.push(s);
    } else {
      if (s === '' && !(last && i > 0)) throw tableError(owner, key, 'empty segment (a canonical path has no `//`)');
      if (!LITERAL.test(s)) throw tableError(owner, key, `the segment '${s}' holds a character a path segment cannot`);
      if (s === '') {
        out.push(s);
        continue;
      }
      // Stored canonical (unreserved characters decoded, hex upper-cased), as request paths are.
      const c = canonicalize(`/${s}`);
      if (typeof c !== 'string' || c === '/') {
        throw tableError(owner, key, `the segment '${s}' can never match: a dot segment, or a malformed '%'`);
      }
      out.push(c.slice(1));
    }
  }
  return { canonical: `/${out.join('/')}`, params };
}

/** The routes of a handler class, compiled; throws `ERR_ROUTE_TABLE` or `ERR_ROUTE_METHOD_MISSING`. */
export function compileRoutes(owner: string, table: unknown, proto: object): RouteTable {
  if (table === undefined) return new RouteTable([], owner);
  if (typeof table !== 'object' || table === null || Array.isArray(table)) {
    throw new BaseHTTPError('ERR_ROUTE_TABLE', `${owner}.routes must be an object of 'METHOD /pattern' keys`);
  }
  const routes: CompiledRoute[] = [];
  for (const [key, value] of Object.entries(table)) {
    const space = key.indexOf(' ');
    const method = key.slice(0, space);
    if (space <= 0 || !isTokenString(method) || key.indexOf(' ', space + 1) !== -1) {
      throw tableError(owner, key, `a key is 'METHOD /pattern' (one space; the method a token, as sent: case-sensitive)`);
    }
    const pattern = key.slice(space + 1);
    const { canonical, params } = parsePattern(owner, key, pattern);
    let call: unknown;
    let body: unknown;
    let query: unknown;
    if (typeof value === 'string') {
      call = value;
    } else if (typeof value === 'object' && value !== null) {
      ({ call, body, query } = value as { call?: unknown; body?: unknown; query?: unknown });
      const extra = Object.keys(value).filter((k) => k !== 'call' && k !== 'body' && k !== 'query');
      if (extra.length > 0) throw tableError(owner, key, `unknown option '${extra[0]}' (a route takes call, body, query)`);
    }
    if (typeof call !== 'string' || call === '') {
      throw tableError(owner, key, `the value is a method name, or { call: 'methodName', body?, query? }`);
    }
    if (body !== undefined && !isStandardSchema(body)) throw tableError(owner, key, `'body' is not a Standard Schema (zod 4, valibot, arktype…)`);
    if (query !== undefined && !isStandardSchema(query)) throw tableError(owner, key, `'query' is not a Standard Schema (zod 4, valibot, arktype…)`);
    const fn = (proto as Record<string, unknown>)[call];
    if (typeof fn !== 'function') {
      throw new BaseHTTPError('ERR_ROUTE_METHOD_MISSING', `${owner}.routes['${key}']: names the method '${call}', which ${owner} does not define`);
    }
    routes.push({
      key,
      method,
      pattern,
      canonical,
      call,
      fn: fn as CompiledRoute['fn'],
      body: body as StandardSchemaV1 | undefined,
      query: query as StandardSchemaV1 | undefined,
      params,
    });
  }
  return new RouteTable(routes, owner);
}
