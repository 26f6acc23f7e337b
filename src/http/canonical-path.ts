/**
 * The canonical form of a request path, which `RouteHandler` matches routes against (and which
 * a raw handler can use for its own guards): a guard written as `path.startsWith('/admin')` on
 * the raw target is bypassed by `//admin`, `/./admin`, `/x/../admin` or `/%61dmin`; on the
 * canonical path it is not.
 *
 * The steps, in order (RFC 3986 §6.2.2):
 * 1. percent-encoded unreserved characters (`A-Z a-z 0-9 - . _ ~`) are decoded, the hex digits
 *    of every other percent-encoding are upper-cased (§6.2.2.1–2), so `%2e` is `.` and `%2f` is
 *    `%2F`, which stays data: never a separator;
 * 2. repeated slashes are collapsed (`//x` is `/x`);
 * 3. dot segments are removed (§5.2.4: `/a/./b` is `/a/b`, `/a/b/..` is `/a/`), except that a
 *    `..` with nothing left to remove climbs above the root, which is refused.
 * A trailing slash is kept (`/users/` and `/users` are different paths).
 */

/** `canonicalize()` result: the path climbs above the root (`/..`, `/a/../..`). */
export const ABOVE_ROOT = 1;
/** `canonicalize()` result: a `%` not followed by two hex digits. */
export const BAD_ESCAPE = 2;

/** Hex digit value by char code, -1 for anything else. */
const HEX = new Int8Array(128).fill(-1);
for (let i = 0; i < 10; i++) HEX[0x30 + i] = i;
for (let i = 0; i < 6; i++) {
  HEX[0x41 + i] = 10 + i;
  HEX[0x61 + i] = 10 + i;
}
const UPPER_HEX = '0123456789ABCDEF';

/** RFC 3986 §2.3 unreserved characters. */
function isUnreserved(c: number): boolean {
  return (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || (c >= 0x30 && c <= 0x39) || c === 0x2d || c === 0x2e || c === 0x5f || c === 0x7e;
}

/**
 * The canonical form of `path` (an absolute path without its query, starting with `/`), or
 * `ABOVE_ROOT` / `BAD_ESCAPE`. Returns `path` itself, with no allocation, when it is already
 * canonical: no `%`, no `//`, no `.` or `..` segment — the common case, checked in one pass.
 */
export function canonicalize(path: string): string | typeof ABOVE_ROOT | typeof BAD_ESCAPE {
  const n = path.length;
  for (let i = 0; i < n; i++) {
    const c = path.charCodeAt(i);
    if (c === 0x25) return slow(path);
    if (c === 0x2f && i + 1 < n) {
      const d = path.charCodeAt(i + 1);
      if (d === 0x2f) return slow(path);
      if (d === 0x2e) {
        // `/.` starts a dot segment only when followed by the end, `/`, or `./`/`.` + end.
        const e = i + 2 < n ? path.charCodeAt(i + 2) : 0x2f;
        if (e === 0x2f) return slow(path);
        if (e === 0x2e && (i + 3 >= n || path.charCodeAt(i + 3) === 0x2f)) return slow(path);
      }
    }
  }
  return path;
}

function slow(path: string): string | typeof ABOVE_ROOT | typeof BAD_ESCAPE {
  let decoded = '';
  let from = 0;
  for (let i = path.indexOf('%'); i !== -1; i = path.indexOf('%', i)) {
    const hi = i + 1 < path.length ? (HEX[path.charCodeAt(i + 1)] ?? -1) : -1;
    const lo = i + 2 < path.length ? (HEX[path.charCodeAt(i + 2)] ?? -1) : -1;
    if (hi < 0 || lo < 0) return BAD_ESCAPE;
    const v = hi * 16 + lo;
    decoded += path.slice(from, i) + (isUnreserved(v) ? String.fromCharCode(v) : `%${UPPER_HEX[hi]}${UPPER_HEX[lo]}`);
    i += 3;
    from = i;
  }
  decoded += path.slice(from);
  const segments = decoded.split('/');
  const out: string[] = [];
  for (let i = 1; i < segments.length; i++) {
    const s = segments[i]!;
    if (s === '' || s === '.') continue;
    if (s === '..') {
      if (out.length === 0) return ABOVE_ROOT;
      out.pop();
      continue;
    }
    out.push(s);
  }
  const last = segments[segments.length - 1];
  const trailing = out.length > 0 && (last === '' || last === '.' || last === '..');
  return `/${out.join('/')}${trailing ? '/' : ''}`;
}

/**
 * The canonical path of a request target (`this.path`): the query removed, then
 * {@link canonicalize}d. An absolute-form target (`http://host/a`) gives its path; `*` gives
 * `*`. Returns null for a path that climbs above the root or holds a malformed
 * percent-encoding (a server answers those 400), and for an authority-form target (CONNECT).
 */
export function canonicalPath(target: string): string | null {
  const p = pathOfTarget(target);
  if (p === '*') return p;
  if (p.charCodeAt(0) !== 0x2f) return null;
  const c = canonicalize(p);
  return typeof c === 'string' ? c : null;
}

/**
 * The path part of a request target, query removed: origin-form as is, absolute-form
 * (`scheme://authority/path`) its path (`/` when empty), `*` as is.
 */
export function pathOfTarget(target: string): string {
  const q = target.indexOf('?');
  const p = q === -1 ? target : target.slice(0, q);
  if (p.charCodeAt(0) === 0x2f || p === '*') return p;
  const scheme = p.indexOf('://');
  if (scheme === -1) return p;
  const slash = p.indexOf('/', scheme + 3);
  return slash === -1 ? '/' : p.slice(slash);
}
