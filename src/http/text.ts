/**
 * Text helpers that reproduce CPython's output byte for byte where the seed's behaviour shows
 * through: `repr()` of a latin-1 string, `html.escape(s, quote=False)`, the log line escaping of
 * 3.13's `_control_char_table`, and `%(name)s` error page formatting.
 */

const HEX = '0123456789abcdef';

/** `\xNN` for a code unit. */
function hex2(c: number): string {
  return `\\x${HEX[c >> 4]}${HEX[c & 15]}`;
}

/** Latin-1 code points Python's `str.isprintable()` rejects: C0, DEL, C1, NBSP, soft hyphen. */
function unprintable(c: number): boolean {
  return c < 0x20 || (c >= 0x7f && c <= 0xa0) || c === 0xad;
}

/** Python 3's `repr(s)` for a string of latin-1 code points (the request line as CPython decodes it). */
export function pyRepr(s: string): string {
  const quote = s.includes("'") && !s.includes('"') ? '"' : "'";
  let out = quote;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    const ch = s[i]!;
    if (ch === quote || ch === '\\') out += `\\${ch}`;
    else if (c === 9) out += '\\t';
    else if (c === 10) out += '\\n';
    else if (c === 13) out += '\\r';
    else if (c > 0xff) out += c > 0xffff ? ch : `\\u${c.toString(16).padStart(4, '0')}`;
    else if (unprintable(c)) out += hex2(c);
    else out += ch;
  }
  return out + quote;
}

/** Python's `html.escape(s, quote=False)`. */
export function htmlEscape(s: string): string {
  return s.replace(/[&<>]/g, (c) => (c === '&' ? '&amp;' : c === '<' ? '&lt;' : '&gt;'));
}

const CONTROL = /[\x00-\x1f\x7f-\x9f\\]/g;

/**
 * CPython 3.13's log escaping (`_control_char_table`): C0, DEL and C1 control characters become
 * `\xNN` and the backslash is doubled, so a client cannot forge log lines.
 */
export function escapeControl(s: string): string {
  CONTROL.lastIndex = 0;
  if (!CONTROL.test(s)) return s;
  return s.replace(CONTROL, (c) => (c === '\\' ? '\\\\' : hex2(c.charCodeAt(0))));
}

/**
 * Python's `format % mapping` for `%(name)s` / `%(name)d` / `%%`, as `errorMessageFormat` uses it.
 */
export function percentFormat(format: string, values: Readonly<Record<string, string | number>>): string {
  return format.replace(/%(?:\(([^)]*)\)([sdir])|%)/g, (m, name: string | undefined, conv: string | undefined) => {
    if (m === '%%') return '%';
    const v = values[name!];
    if (v === undefined) return m;
    return conv === 's' || conv === 'r' ? String(v) : String(Math.trunc(Number(v)));
  });
}
