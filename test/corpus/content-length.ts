import { SMUGGLED, type CorpusCase } from './types.js';

/**
 * Content-Length syntax. RFC 9110 §8.6: Content-Length = 1*DIGIT. RFC 9112 §6.3 item 5: an invalid
 * Content-Length in a request is an unrecoverable framing error: "the server MUST respond with a
 * 400 (Bad Request) status code and then close the connection".
 *
 * Decisions stated here (they are the core's, and they are RFC-conformant):
 * - A list, even of identical values ("5, 5") and two identical fields, is rejected. §8.6 lets a
 *   recipient accept such a list; the core does not, because any upstream that disagrees desyncs.
 * - Leading zeros ("007") are valid 1*DIGIT and mean 7: served, see cl-14.
 * - A value above Number.MAX_SAFE_INTEGER cannot be represented exactly: 400, not 413 (§6.3
 *   item 5, and RFC 9110 §8.6 "anticipate potentially large decimal numerals and prevent parsing
 *   errors due to integer conversion overflows or precision loss").
 */
export const cases: readonly CorpusCase[] = [
  {
    id: 'cl-01-list-same',
    description: 'Content-Length: 5, 5 (a list of identical values)',
    rfc: 'RFC 9112 §6.3 item 5; RFC 9110 §8.6',
    raw: 'POST / HTTP/1.1\r\nHost: example.com\r\nContent-Length: 5, 5\r\n\r\nhello',
    expect: 400,
  },
  {
    id: 'cl-02-list-different',
    description: 'Content-Length: 5, 40 (a list of different values)',
    rfc: 'RFC 9112 §6.3 item 5; RFC 9110 §8.6',
    raw: 'POST / HTTP/1.1\r\nHost: example.com\r\nContent-Length: 5, 40\r\n\r\nhello',
    expect: 400,
  },
  {
    id: 'cl-03-duplicate-same',
    description: 'Two Content-Length fields with the same value',
    rfc: 'RFC 9112 §6.3 item 5; RFC 9110 §8.6',
    raw: 'POST / HTTP/1.1\r\nHost: example.com\r\nContent-Length: 5\r\nContent-Length: 5\r\n\r\nhello',
    expect: 400,
  },
  {
    id: 'cl-04-duplicate-different',
    description: 'Two Content-Length fields, 4 then 49: the second covers a smuggled request',
    rfc: 'RFC 9112 §6.3 item 5',
    raw: 'POST / HTTP/1.1\r\nHost: example.com\r\nContent-Length: 4\r\nContent-Length: 49\r\n\r\nPING',
    expect: 400,
  },
  {
    id: 'cl-05-duplicate-case',
    description: 'Content-Length and content-length (field names are case-insensitive)',
    rfc: 'RFC 9112 §6.3 item 5; RFC 9110 §5.1',
    raw: 'POST / HTTP/1.1\r\nHost: example.com\r\nContent-Length: 5\r\ncontent-length: 0\r\n\r\nhello',
    expect: 400,
  },
  {
    id: 'cl-06-plus-sign',
    description: 'Content-Length: +5',
    rfc: 'RFC 9110 §8.6 (1*DIGIT); RFC 9112 §6.3 item 5',
    raw: 'POST / HTTP/1.1\r\nHost: example.com\r\nContent-Length: +5\r\n\r\nhello',
    expect: 400,
  },
  {
    id: 'cl-07-negative',
    description: 'Content-Length: -1',
    rfc: 'RFC 9110 §8.6 (1*DIGIT); RFC 9112 §6.3 item 5',
    raw: 'POST / HTTP/1.1\r\nHost: example.com\r\nContent-Length: -1\r\n\r\n',
    expect: 400,
  },
  {
    id: 'cl-08-negative-zero',
    description: 'Content-Length: -0',
    rfc: 'RFC 9110 §8.6 (1*DIGIT); RFC 9112 §6.3 item 5',
    raw: 'POST / HTTP/1.1\r\nHost: example.com\r\nContent-Length: -0\r\n\r\n',
    expect: 400,
  },
  {
    id: 'cl-09-hex',
    description: 'Content-Length: 0x5 (hex prefix)',
    rfc: 'RFC 9110 §8.6 (1*DIGIT); RFC 9112 §6.3 item 5',
    raw: 'POST / HTTP/1.1\r\nHost: example.com\r\nContent-Length: 0x5\r\n\r\nhello',
    expect: 400,
  },
  {
    id: 'cl-10-hex-digits',
    description: 'Content-Length: 1a (hex digit; parseInt would read 1)',
    rfc: 'RFC 9110 §8.6 (1*DIGIT); RFC 9112 §6.3 item 5',
    raw: 'POST / HTTP/1.1\r\nHost: example.com\r\nContent-Length: 1a\r\n\r\nhello',
    expect: 400,
  },
  {
    id: 'cl-11-internal-space',
    description: 'Content-Length: 1 0 (space inside the number)',
    rfc: 'RFC 9110 §8.6 (1*DIGIT); RFC 9112 §6.3 item 5',
    raw: 'POST / HTTP/1.1\r\nHost: example.com\r\nContent-Length: 1 0\r\n\r\nhello12345',
    expect: 400,
  },
  {
    id: 'cl-12-empty',
    description: 'Content-Length with an empty value',
    rfc: 'RFC 9110 §8.6 (1*DIGIT); RFC 9112 §6.3 item 5',
    raw: 'POST / HTTP/1.1\r\nHost: example.com\r\nContent-Length: \r\n\r\n',
    expect: 400,
  },
  {
    id: 'cl-13-suffix',
    description: 'Content-Length: 45x (numeric prefix parsing would read 45)',
    rfc: 'RFC 9110 §8.6 (1*DIGIT); RFC 9112 §6.3 item 5',
    raw: 'POST / HTTP/1.1\r\nHost: example.com\r\nContent-Length: 45x\r\n\r\n',
    expect: 400,
  },
  {
    id: 'cl-14-leading-zeros-served',
    description: 'Content-Length: 0045 is valid 1*DIGIT meaning 45: the body is exactly the 45-byte request behind it',
    rfc: 'RFC 9110 §8.6 (1*DIGIT; leading zeros are digits)',
    raw: `POST /lz HTTP/1.1\r\nHost: example.com\r\nContent-Length: 0045\r\n\r\n${SMUGGLED}`,
    expect: { served: { method: 'POST', path: '/lz', body: SMUGGLED } },
    smuggled: '',
  },
  {
    id: 'cl-15-unsafe-integer',
    description: 'Content-Length: 9007199254740992 (MAX_SAFE_INTEGER + 1: precision loss)',
    rfc: 'RFC 9110 §8.6 (prevent integer overflow / precision loss); RFC 9112 §6.3 item 5',
    raw: 'POST / HTTP/1.1\r\nHost: example.com\r\nContent-Length: 9007199254740992\r\n\r\n',
    expect: 400,
  },
  {
    id: 'cl-16-overflow-20-digits',
    description: 'Content-Length: 99999999999999999999 (overflows 64 bits)',
    rfc: 'RFC 9110 §8.6; RFC 9112 §6.3 item 5',
    raw: 'POST / HTTP/1.1\r\nHost: example.com\r\nContent-Length: 99999999999999999999\r\n\r\n',
    expect: 400,
  },
  {
    id: 'cl-17-overflow-wraps-to-small',
    description: 'Content-Length: 18446744073709551621 (2^64 + 5: a wrapping parser reads 5)',
    rfc: 'RFC 9110 §8.6; RFC 9112 §6.3 item 5',
    raw: 'POST / HTTP/1.1\r\nHost: example.com\r\nContent-Length: 18446744073709551621\r\n\r\nhello',
    expect: 400,
  },
  {
    id: 'cl-18-exponent',
    description: 'Content-Length: 5e0 (Number() would read 5)',
    rfc: 'RFC 9110 §8.6 (1*DIGIT); RFC 9112 §6.3 item 5',
    raw: 'POST / HTTP/1.1\r\nHost: example.com\r\nContent-Length: 5e0\r\n\r\nhello',
    expect: 400,
  },
  {
    id: 'cl-19-decimal',
    description: 'Content-Length: 5.0',
    rfc: 'RFC 9110 §8.6 (1*DIGIT); RFC 9112 §6.3 item 5',
    raw: 'POST / HTTP/1.1\r\nHost: example.com\r\nContent-Length: 5.0\r\n\r\nhello',
    expect: 400,
  },
  {
    id: 'cl-20-underscore',
    description: 'Content-Length: 1_0 (numeric separator)',
    rfc: 'RFC 9110 §8.6 (1*DIGIT); RFC 9112 §6.3 item 5',
    raw: 'POST / HTTP/1.1\r\nHost: example.com\r\nContent-Length: 1_0\r\n\r\nhelloworld',
    expect: 400,
  },
  {
    id: 'cl-21-octal-prefix',
    description: 'Content-Length: 0o5 (octal prefix)',
    rfc: 'RFC 9110 §8.6 (1*DIGIT); RFC 9112 §6.3 item 5',
    raw: 'POST / HTTP/1.1\r\nHost: example.com\r\nContent-Length: 0o5\r\n\r\nhello',
    expect: 400,
  },
  {
    id: 'cl-22-non-numeric',
    description: 'Content-Length: abc',
    rfc: 'RFC 9110 §8.6 (1*DIGIT); RFC 9112 §6.3 item 5',
    raw: 'POST / HTTP/1.1\r\nHost: example.com\r\nContent-Length: abc\r\n\r\n',
    expect: 400,
  },
];
