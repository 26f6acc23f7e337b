import type { CorpusCase } from './types.js';

/**
 * The HTTP-version. RFC 9112 §2.3: HTTP-version = HTTP-name "/" DIGIT "." DIGIT, case-sensitive
 * "HTTP". The core follows CPython 3.13 (HTTP/<digits>.<digits>, else 400 "Bad request version";
 * a major version of 2 or more gets 505, RFC 9110 §15.6.6). A request that reaches these checks has
 * three words, so the error carries a status line.
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
];
