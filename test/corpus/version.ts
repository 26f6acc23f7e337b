import type { CorpusCase } from './types.js';

/**
 * The HTTP-version. RFC 9112 §2.3: HTTP-version = HTTP-name "/" DIGIT "." DIGIT, case-sensitive
 * "HTTP", one digit each (CPython 3.13 takes up to ten digits each: HTTP/01.1 was HTTP/1.1 there,
 * and here before issue 12). Anything else: 400 "Bad request version"; a major version of 2 or
 * more gets 505, RFC 9110 §15.6.6. A request that reaches these checks has three words, so the
 * error carries a status line.
 */
export const cases: readonly CorpusCase[] = [
  {
    id: 'version-01-lowercase',
    description: 'http/1.1 (HTTP-name is case-sensitive)',
    rfc: 'RFC 9112 §2.3',
    raw: 'GET / http/1.1\r\nHost: example.com\r\n\r\n',
    expect: 400,
  },
  {
    id: 'version-02-no-minor',
    description: 'HTTP/1 (no minor version)',
    rfc: 'RFC 9112 §2.3',
    raw: 'GET / HTTP/1\r\nHost: example.com\r\n\r\n',
    expect: 400,
  },
  {
    id: 'version-03-three-parts',
    description: 'HTTP/1.1.1',
    rfc: 'RFC 9112 §2.3',
    raw: 'GET / HTTP/1.1.1\r\nHost: example.com\r\n\r\n',
    expect: 400,
  },
  {
    id: 'version-04-sign',
    description: 'HTTP/+1.1',
    rfc: 'RFC 9112 §2.3',
    raw: 'GET / HTTP/+1.1\r\nHost: example.com\r\n\r\n',
    expect: 400,
  },
  {
    id: 'version-05-http2',
    description: 'HTTP/2.0 on an HTTP/1 connection',
    rfc: 'RFC 9110 §15.6.6 (505 HTTP Version Not Supported)',
    raw: 'GET / HTTP/2.0\r\nHost: example.com\r\n\r\n',
    expect: 505,
  },
  {
    id: 'version-06-h2-preface',
    description: 'the HTTP/2 connection preface sent to an HTTP/1.1 server',
    rfc: 'RFC 9113 §3.4; RFC 9110 §15.6.6',
    raw: 'PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n',
    expect: 505,
  },
  {
    id: 'version-07-leading-zero-major',
    description: 'HTTP/01.1 (two digits for the major version; CPython reads 1.1)',
    rfc: 'RFC 9112 §2.3',
    raw: 'GET / HTTP/01.1\r\nHost: example.com\r\n\r\n',
    expect: 400,
  },
  {
    id: 'version-08-leading-zero-minor',
    description: 'HTTP/1.01 (two digits for the minor version; CPython reads 1.1)',
    rfc: 'RFC 9112 §2.3',
    raw: 'GET / HTTP/1.01\r\nHost: example.com\r\n\r\n',
    expect: 400,
  },
  {
    id: 'version-09-two-digit-minor',
    description: 'HTTP/1.10',
    rfc: 'RFC 9112 §2.3',
    raw: 'GET / HTTP/1.10\r\nHost: example.com\r\n\r\n',
    expect: 400,
  },
  {
    id: 'version-10-two-digit-major',
    description: 'HTTP/10.0 (not a version at all, so 400, not 505)',
    rfc: 'RFC 9112 §2.3',
    raw: 'GET / HTTP/10.0\r\nHost: example.com\r\n\r\n',
    expect: 400,
  },
  {
    id: 'version-11-trailing-junk',
    description: 'HTTP/1.1x (junk glued to the version)',
    rfc: 'RFC 9112 §2.3',
    raw: 'GET / HTTP/1.1x\r\nHost: example.com\r\n\r\n',
    expect: 400,
  },
  {
    id: 'version-12-trailing-word',
    description: 'HTTP/1.1 junk (a fourth word after the version)',
    rfc: 'RFC 9112 §3',
    raw: 'GET / HTTP/1.1 junk\r\nHost: example.com\r\n\r\n',
    expect: 400,
  },
  {
    id: 'version-13-leading-zero-expect-continue',
    description: 'HTTP/01.1 with Expect: 100-continue gets 400, never a 100 Continue',
    rfc: 'RFC 9112 §2.3; RFC 9110 §10.1.1',
    raw: 'POST / HTTP/01.1\r\nHost: example.com\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\nhello',
    expect: 400,
  },
];
