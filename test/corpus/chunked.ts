import { SMUGGLED, type CorpusCase } from './types.js';

/**
 * The chunked coding. RFC 9112 §7.1:
 *   chunk = chunk-size [ chunk-ext ] CRLF chunk-data CRLF ; chunk-size = 1*HEXDIG
 *   "Recipients MUST anticipate potentially large hexadecimal numerals and prevent parsing errors
 *   due to integer conversion overflows or precision loss."
 * §7.1.1: chunk-ext = *( BWS ";" BWS chunk-ext-name [ BWS "=" BWS chunk-ext-val ] ), name a token,
 *   value a token or quoted-string; "A server ought to limit the total length of chunk extensions".
 * A chunk that breaks this grammar is unrecoverable framing (§6.3 item 4 / item 5 reasoning): 400
 * and close. The core insists on CRLF after chunk lines and chunk data (no bare LF).
 */
const HEAD = 'POST / HTTP/1.1\r\nHost: example.com\r\nTransfer-Encoding: chunked\r\n\r\n';

export const cases: readonly CorpusCase[] = [
  {
    id: 'chunk-01-size-plus',
    description: 'chunk-size +5',
    rfc: 'RFC 9112 §7.1 (chunk-size = 1*HEXDIG)',
    raw: `${HEAD}+5\r\nhello\r\n0\r\n\r\n`,
    expect: 400,
  },
  {
    id: 'chunk-02-size-negative',
    description: 'chunk-size -1',
    rfc: 'RFC 9112 §7.1 (chunk-size = 1*HEXDIG)',
    raw: `${HEAD}-1\r\nhello\r\n0\r\n\r\n`,
    expect: 400,
  },
  {
    id: 'chunk-03-size-0x',
    description: 'chunk-size 0x5 (hex prefix)',
    rfc: 'RFC 9112 §7.1 (chunk-size = 1*HEXDIG)',
    raw: `${HEAD}0x5\r\nhello\r\n0\r\n\r\n`,
    expect: 400,
  },
  {
    id: 'chunk-04-size-leading-space',
    description: 'chunk-size " 5" (leading space)',
    rfc: 'RFC 9112 §7.1 (chunk-size = 1*HEXDIG)',
    raw: `${HEAD} 5\r\nhello\r\n0\r\n\r\n`,
    expect: 400,
  },
  {
    id: 'chunk-05-size-trailing-space',
    description: 'chunk-size "5 " (whitespace without a chunk-ext: BWS is only allowed before ";")',
    rfc: 'RFC 9112 §7.1, §7.1.1 (BWS only precedes ";")',
    raw: `${HEAD}5 \r\nhello\r\n0\r\n\r\n`,
    expect: 400,
  },
  {
    id: 'chunk-06-size-empty',
    description: 'empty chunk-size line',
    rfc: 'RFC 9112 §7.1 (chunk-size = 1*HEXDIG)',
    raw: `${HEAD}\r\nhello\r\n0\r\n\r\n`,
    expect: 400,
  },
  {
    id: 'chunk-07-size-not-hex',
    description: 'chunk-size g',
    rfc: 'RFC 9112 §7.1 (chunk-size = 1*HEXDIG)',
    raw: `${HEAD}g\r\nhello\r\n0\r\n\r\n`,
    expect: 400,
  },
  {
    id: 'chunk-08-size-underscore',
    description: 'chunk-size 1_0',
    rfc: 'RFC 9112 §7.1 (chunk-size = 1*HEXDIG)',
    raw: `${HEAD}1_0\r\nhello world!!!!!\r\n0\r\n\r\n`,
    expect: 400,
  },
  {
    id: 'chunk-09-size-overflow',
    description: 'chunk-size of 24 hex digits (overflows 64 bits; a wrapping parser reads 5)',
    rfc: 'RFC 9112 §7.1 (prevent integer overflow / precision loss)',
    raw: `${HEAD}000000010000000000000005\r\nhello\r\n0\r\n\r\n`,
    expect: 400,
  },
  {
    id: 'chunk-10-size-overflow-ff',
    description: 'chunk-size FFFFFFFFFFFFFFFF0 (17 hex digits)',
    rfc: 'RFC 9112 §7.1 (prevent integer overflow / precision loss)',
    raw: `${HEAD}FFFFFFFFFFFFFFFF0\r\nhello\r\n0\r\n\r\n`,
    expect: 400,
  },
  {
    id: 'chunk-11-size-bare-cr',
    description: 'chunk-size line ended by bare CR',
    rfc: 'RFC 9112 §7.1 (CRLF); §2.2 (bare CR is invalid)',
    raw: `${HEAD}5\rhello\r\n0\r\n\r\n`,
    expect: 400,
  },
  {
    id: 'chunk-12-size-lf-only',
    description: 'chunk-size line ended by bare LF',
    rfc: 'RFC 9112 §7.1 (chunk lines end in CRLF; the core takes no bare LF inside a body)',
    raw: `${HEAD}5\nhello\r\n0\r\n\r\n`,
    expect: 400,
  },
  {
    id: 'chunk-13-size-cr-cr-lf',
    description: 'chunk-size line ended by CR CR LF',
    rfc: 'RFC 9112 §7.1; §2.2 (bare CR is invalid)',
    raw: `${HEAD}5\r\r\nhello\r\n0\r\n\r\n`,
    expect: 400,
  },
  {
    id: 'chunk-14-data-lf-only',
    description: 'chunk-data followed by bare LF',
    rfc: 'RFC 9112 §7.1 (chunk-data CRLF)',
    raw: `${HEAD}5\r\nhello\n0\r\n\r\n`,
    expect: 400,
  },
  {
    id: 'chunk-15-data-too-long',
    description: 'chunk-data longer than chunk-size (hello!! for 5)',
    rfc: 'RFC 9112 §7.1 (chunk-data CRLF)',
    raw: `${HEAD}5\r\nhello!!\r\n0\r\n\r\n`,
    expect: 400,
  },
  {
    id: 'chunk-16-data-missing-crlf',
    description: 'chunk-data not followed by CRLF (next chunk-size glued on)',
    rfc: 'RFC 9112 §7.1 (chunk-data CRLF)',
    raw: `${HEAD}5\r\nhello0\r\n\r\n`,
    expect: 400,
  },
  {
    id: 'chunk-17-data-too-short',
    description: 'chunk-data shorter than chunk-size: the size swallows the next chunk line, then an empty size line',
    rfc: 'RFC 9112 §7.1 (chunk-size = 1*HEXDIG)',
    raw: `${HEAD}5\r\nhi\r\n0\r\n\r\n`,
    expect: 400,
  },
  {
    id: 'chunk-18-ext-empty',
    description: 'chunk-ext with an empty name ("5;")',
    rfc: 'RFC 9112 §7.1.1 (chunk-ext-name = token)',
    raw: `${HEAD}5;\r\nhello\r\n0\r\n\r\n`,
    expect: 400,
  },
  {
    id: 'chunk-19-ext-bad-name',
    description: 'chunk-ext name with a non-token char ("5;bad[=x")',
    rfc: 'RFC 9112 §7.1.1 (chunk-ext-name = token)',
    raw: `${HEAD}5;bad[=x\r\nhello\r\n0\r\n\r\n`,
    expect: 400,
  },
  {
    id: 'chunk-20-ext-empty-value',
    description: 'chunk-ext with "=" but no value',
    rfc: 'RFC 9112 §7.1.1 (chunk-ext-val = token / quoted-string)',
    raw: `${HEAD}5;a=\r\nhello\r\n0\r\n\r\n`,
    expect: 400,
  },
  {
    id: 'chunk-21-ext-unterminated-quote',
    description: 'chunk-ext quoted-string without its closing quote',
    rfc: 'RFC 9112 §7.1.1; RFC 9110 §5.6.4 (quoted-string)',
    raw: `${HEAD}5;a="abc\r\nhello\r\n0\r\n\r\n`,
    expect: 400,
  },
  {
    id: 'chunk-22-ext-space-in-name',
    description: 'chunk-ext "a b" (a second word with no ";" or "=")',
    rfc: 'RFC 9112 §7.1.1',
    raw: `${HEAD}5;a b\r\nhello\r\n0\r\n\r\n`,
    expect: 400,
  },
  {
    id: 'chunk-23-ext-nul',
    description: 'chunk-ext containing NUL',
    rfc: 'RFC 9112 §7.1.1 (token); RFC 9110 §5.5 (NUL is dangerous)',
    raw: `${HEAD}5;\x00ext\r\nhello\r\n0\r\n\r\n`,
    expect: 400,
  },
  {
    id: 'chunk-24-ext-bare-cr',
    description: 'chunk-ext containing a bare CR ("5;a\\rX")',
    rfc: 'RFC 9112 §7.1.1; §2.2 (bare CR is invalid)',
    raw: `${HEAD}5;a\rX\r\nhello\r\n0\r\n\r\n`,
    expect: 400,
  },
  {
    id: 'chunk-25-ext-too-long',
    description: 'chunk-ext of 70000 bytes (unbounded extension: memory and line-length abuse)',
    rfc: 'RFC 9112 §7.1.1 ("A server ought to limit the total length of chunk extensions")',
    raw: `${HEAD}5;${'a'.repeat(70_000)}\r\nhello\r\n0\r\n\r\n`,
    expect: 400,
  },
  {
    id: 'chunk-26-trailer-bare-cr',
    description: 'trailer field containing a bare CR',
    rfc: 'RFC 9112 §7.1.2 (trailer fields parse as header fields); §2.2',
    raw: `${HEAD}5\r\nhello\r\n0\r\nX-T: a\rb\r\n\r\n`,
    expect: 400,
  },
  {
    id: 'chunk-27-trailer-obs-fold',
    description: 'trailer section with obs-fold',
    rfc: 'RFC 9112 §7.1.2; §5.2 (obs-fold in a request: reject or replace)',
    raw: `${HEAD}5\r\nhello\r\n0\r\nX-T: a\r\n b\r\n\r\n`,
    expect: 400,
  },
  {
    id: 'chunk-28-valid-ext-served',
    description: 'valid extensions (token and quoted-string values) and leading-zero size 02d: body is the smuggled text, decoded',
    rfc: 'RFC 9112 §7.1, §7.1.1 (recipient MUST ignore unrecognized chunk extensions)',
    raw: `POST /ext HTTP/1.1\r\nHost: example.com\r\nTransfer-Encoding: chunked\r\n\r\n02d;name=value;q="a;b"\r\n${SMUGGLED}\r\n0\r\n\r\n`,
    expect: { served: { method: 'POST', path: '/ext', body: SMUGGLED } },
    smuggled: '',
  },
];
