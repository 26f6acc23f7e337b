import { SMUGGLED, type CorpusCase } from './types.js';

/**
 * Size limits at their defaults (maxRequestLineBytes 65536, maxHeaderLineBytes 65536, 99 header
 * lines, maxBodyBytes 1 MiB). RFC 9112 §3: a request-target longer than the server will parse:
 * 414 (RFC 9110 §15.5.15). RFC 6585 §5: 431. RFC 9110 §15.5.14: 413; the core sends it before
 * reading (buffering) the body, then closes.
 */
const MIB = 1_048_576;

export const cases: readonly CorpusCase[] = [
  {
    id: 'limit-01-request-line-414',
    description: 'request line of 65551 bytes (over 65536)',
    rfc: 'RFC 9112 §3; RFC 9110 §15.5.15 (414)',
    raw: `GET /${'a'.repeat(65_536)} HTTP/1.1\r\nHost: example.com\r\n\r\n`,
    expect: 414,
  },
  {
    id: 'limit-02-header-line-431',
    description: 'one header line of 65545 bytes (over 65536)',
    rfc: 'RFC 6585 §5 (431)',
    raw: `GET / HTTP/1.1\r\nHost: example.com\r\nX-Big: ${'a'.repeat(65_536)}\r\n\r\n`,
    expect: 431,
  },
  {
    id: 'limit-03-too-many-headers-431',
    description: '100 header lines (the core, as CPython, allows 99)',
    rfc: 'RFC 6585 §5 (431)',
    raw: `GET / HTTP/1.1\r\nHost: example.com\r\n${Array.from({ length: 99 }, (_, i) => `X-H${i}: v\r\n`).join('')}\r\n`,
    expect: 431,
  },
  {
    id: 'limit-04-99-headers-served',
    description: '99 header lines (the maximum) with a body: served, framed by Content-Length',
    rfc: 'RFC 9112 §5; RFC 6585 §5',
    raw: `POST /h99 HTTP/1.1\r\nHost: example.com\r\nContent-Length: 45\r\n${Array.from({ length: 97 }, (_, i) => `X-H${i}: v\r\n`).join('')}\r\n${SMUGGLED}`,
    expect: { served: { method: 'POST', path: '/h99', body: SMUGGLED } },
    smuggled: '',
  },
  {
    id: 'limit-05-cl-over-max-413',
    description: `Content-Length: ${MIB + 1} (maxBodyBytes + 1), body not sent`,
    rfc: 'RFC 9110 §15.5.14 (413)',
    raw: `POST / HTTP/1.1\r\nHost: example.com\r\nContent-Length: ${MIB + 1}\r\n\r\nhello`,
    expect: 413,
  },
  {
    id: 'limit-06-cl-max-safe-413',
    description: 'Content-Length: 9007199254740991 (MAX_SAFE_INTEGER: valid, too large)',
    rfc: 'RFC 9110 §15.5.14 (413)',
    raw: 'POST / HTTP/1.1\r\nHost: example.com\r\nContent-Length: 9007199254740991\r\n\r\nhello',
    expect: 413,
  },
  {
    id: 'limit-07-chunk-size-over-max-413',
    description: 'one chunk announcing 0xFFFFFFFF bytes (its data never sent)',
    rfc: 'RFC 9110 §15.5.14 (413)',
    raw: 'POST / HTTP/1.1\r\nHost: example.com\r\nTransfer-Encoding: chunked\r\n\r\nFFFFFFFF\r\nhello',
    expect: 413,
  },
  {
    id: 'limit-08-chunks-sum-over-max-413',
    description: 'two chunks announcing 0x80000 + 0x80001 bytes (one past maxBodyBytes); the first sent whole, the second not',
    rfc: 'RFC 9110 §15.5.14 (413)',
    raw: `POST / HTTP/1.1\r\nHost: example.com\r\nTransfer-Encoding: chunked\r\n\r\n80000\r\n${'a'.repeat(0x80000)}\r\n80001\r\na`,
    expect: 413,
    handlerMayRun: 'the second size line comes 512 KiB in, past the bytes buffered when the head is parsed',
  },
];
