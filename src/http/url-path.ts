import { isUtf8 } from 'node:buffer';

/**
 * Percent-encoding as CPython's `urllib.parse` does it, for the directory listing's links and
 * the file server's paths: `quote()` (RFC 3986 unreserved characters and `/` stay, the rest is
 * UTF-8 `%XX`, upper-case hex) and `unquote()`.
 */

/** `A–Z a–z 0–9 _ . - ~` and `/`: what Python's `quote(s, safe='/')` leaves as is. */
const SAFE = new Uint8Array(128);
for (const c of 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.-~/') SAFE[c.charCodeAt(0)] = 1;
const HEX = '0123456789ABCDEF';

/** Python's `urllib.parse.quote(s)` (safe `/`), e.g. `a b&<.txt` → `a%20b%26%3C.txt`. */
export function quote(s: string): string {
  let out = '';
  for (const byte of Buffer.from(s, 'utf8')) {
    out += byte < 128 && SAFE[byte] === 1 ? String.fromCharCode(byte) : `%${HEX[byte >> 4]}${HEX[byte & 15]}`;
  }
  return out;
}

function hexValue(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  const l = c | 0x20;
  return l >= 0x61 && l <= 0x66 ? l - 0x57 : -1;
}

/** The bytes `s` stands for: `%XX` decoded, anything else as UTF-8; a `%` without two hex digits stays. */
export function unquoteToBytes(s: string): Buffer {
  const raw = Buffer.from(s, 'utf8');
  if (!raw.includes(0x25)) return raw;
  const out = Buffer.allocUnsafe(raw.length);
  let n = 0;
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i]!;
    if (c === 0x25 && i + 2 < raw.length) {
      const hi = hexValue(raw[i + 1]!);
      const lo = hexValue(raw[i + 2]!);
      if (hi >= 0 && lo >= 0) {
        out[n++] = (hi << 4) | lo;
        i += 2;
        continue;
      }
    }
    out[n++] = c;
  }
  return out.subarray(0, n);
}

/**
 * Python's `urllib.parse.unquote(s)`: `%XX` decoded as UTF-8, an invalid sequence becoming U+FFFD
 * (CPython's listing falls back to this when `errors='surrogatepass'` fails).
 */
export function unquote(s: string): string {
  return unquoteToBytes(s).toString('utf8');
}

/** `unquote(s)`, or null when the decoded bytes are not UTF-8 (a path no file name can match). */
export function unquoteStrict(s: string): string | null {
  const bytes = unquoteToBytes(s);
  return isUtf8(bytes) ? bytes.toString('utf8') : null;
}
