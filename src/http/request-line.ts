import { TCHAR } from './header-parser.js';
import { isLineSpace } from './head-scanner.js';

/**
 * The request line's pieces: words, version, method and target checks, and the Connection
 * token rule. Pure functions, used by `BaseHTTPRequestHandler.parseRequest()`.
 */

/** True when the comma-separated list `list` (lower-case, OWS-trimmed) holds `token`: as its one element or as one of several. */
export function hasToken(list: string, token: string): boolean {
  if (list === token) return true;
  if (!list.includes(',')) return false;
  return list.split(',').some((t) => t.trim() === token);
}

/** Words of the request line split on SP/HTAB/VT/FF (and CR, refused later). */
export function splitWords(buf: Buffer, from: number, to: number, text: string): string[] {
  const words: string[] = [];
  let i = from;
  while (i < to) {
    while (i < to && (isLineSpace(buf[i]!) || buf[i] === 0x0d)) i++;
    if (i === to) break;
    const s = i;
    while (i < to && !isLineSpace(buf[i]!) && buf[i] !== 0x0d) i++;
    words.push(text.slice(s - from, i - from));
  }
  return words;
}

/**
 * RFC 9112 §2.3: `HTTP-version = HTTP-name "/" DIGIT "." DIGIT`, one digit each. CPython 3.13
 * takes up to ten digits each (`HTTP/01.1`, `HTTP/1.01`, `HTTP/1.10`), and then compares
 * version strings, so `HTTP/01.1` got no `100 Continue` there while it did here: anything but
 * the grammar is refused (API.md: where the RFC is stricter, it wins; docs/python-mapping.md).
 */
export const V11: [number, number] = [1, 1];
export const V10: [number, number] = [1, 0];
export function parseVersion(v: string): [number, number] | null {
  // The two versions every client sends skip the checks (1.6 % of a hello-world profile before;
  // docs/performance.md). Callers never mutate the tuple.
  if (v === 'HTTP/1.1') return V11;
  if (v === 'HTTP/1.0') return V10;
  if (v.length !== 8 || !v.startsWith('HTTP/') || v.charCodeAt(6) !== 0x2e) return null;
  const major = v.charCodeAt(5) - 0x30;
  const minor = v.charCodeAt(7) - 0x30;
  if (major < 0 || major > 9 || minor < 0 || minor > 9) return null;
  return [major, minor];
}

export function isTokenString(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (TCHAR[s.charCodeAt(i)] !== 1) return false;
  return s.length > 0;
}

const ABSOLUTE_FORM = /^[A-Za-z][A-Za-z0-9+.-]*:\/\//;
const AUTHORITY_FORM = /^[^/?#@\s]+:[0-9]+$/;

/** RFC 9112 §3.2: origin-form, absolute-form, authority-form (CONNECT), asterisk (OPTIONS); visible ASCII only. */
export function validTarget(command: string, target: string): boolean {
  for (let i = 0; i < target.length; i++) {
    const c = target.charCodeAt(i);
    if (c <= 0x20 || c >= 0x7f) return false;
  }
  const first = target.charCodeAt(0);
  if (first === 0x2f) return true;
  if (target === '*') return command === 'OPTIONS';
  if (command === 'CONNECT') return AUTHORITY_FORM.test(target);
  return ABSOLUTE_FORM.test(target);
}
