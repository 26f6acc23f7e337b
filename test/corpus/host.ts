import type { CorpusCase } from './types.js';

/**
 * Host on HTTP/1.1. RFC 9112 §3.2: "A server MUST respond with a 400 (Bad Request) status code to
 * any HTTP/1.1 request message that lacks a Host header field and to any request message that
 * contains more than one Host header field line or a Host header field with an invalid field
 * value." Host = uri-host [ ":" port ] (RFC 9110 §7.2; RFC 3986 §3.2.2, §3.2.3).
 */
export const cases: readonly CorpusCase[] = [
  {
    id: 'host-01-missing',
    description: 'HTTP/1.1 request without Host',
    rfc: 'RFC 9112 §3.2 (MUST 400)',
    raw: 'GET / HTTP/1.1\r\n\r\n',
    expect: 400,
  },
  {
    id: 'host-02-missing-with-body',
    description: 'HTTP/1.1 POST without Host, with a body',
    rfc: 'RFC 9112 §3.2 (MUST 400)',
    raw: 'POST / HTTP/1.1\r\nContent-Length: 5\r\n\r\nhello',
    expect: 400,
  },
  {
    id: 'host-03-duplicate-different',
    description: 'two Host fields with different values',
    rfc: 'RFC 9112 §3.2 (more than one Host field line: MUST 400)',
    raw: 'GET / HTTP/1.1\r\nHost: example.com\r\nHost: evil.example\r\n\r\n',
    expect: 400,
  },
  {
    id: 'host-04-duplicate-same',
    description: 'two Host fields with the same value',
    rfc: 'RFC 9112 §3.2 (more than one Host field line: MUST 400)',
    raw: 'GET / HTTP/1.1\r\nHost: example.com\r\nHost: example.com\r\n\r\n',
    expect: 400,
  },
  {
    id: 'host-05-duplicate-case',
    description: 'Host and host (field names are case-insensitive)',
    rfc: 'RFC 9112 §3.2; RFC 9110 §5.1',
    raw: 'GET / HTTP/1.1\r\nHost: example.com\r\nhost: example.com\r\n\r\n',
    expect: 400,
  },
  {
    id: 'host-06-list',
    description: 'Host: example.com, evil.example (a list)',
    rfc: 'RFC 9112 §3.2 (invalid Host value: MUST 400)',
    raw: 'GET / HTTP/1.1\r\nHost: example.com, evil.example\r\n\r\n',
    expect: 400,
  },
  {
    id: 'host-07-userinfo',
    description: 'Host: user@example.com (userinfo is not part of Host)',
    rfc: 'RFC 9112 §3.2; RFC 9110 §7.2',
    raw: 'GET / HTTP/1.1\r\nHost: user@example.com\r\n\r\n',
    expect: 400,
  },
  {
    id: 'host-08-path',
    description: 'Host: example.com/path',
    rfc: 'RFC 9112 §3.2; RFC 9110 §7.2',
    raw: 'GET / HTTP/1.1\r\nHost: example.com/path\r\n\r\n',
    expect: 400,
  },
  {
    id: 'host-09-bad-port',
    description: 'Host: example.com:abc (port = *DIGIT)',
    rfc: 'RFC 9112 §3.2; RFC 3986 §3.2.3',
    raw: 'GET / HTTP/1.1\r\nHost: example.com:abc\r\n\r\n',
    expect: 400,
  },
  {
    id: 'host-10-space-inside',
    description: 'Host: exa mple.com (SP inside the host)',
    rfc: 'RFC 9112 §3.2; RFC 3986 §3.2.2',
    raw: 'GET / HTTP/1.1\r\nHost: exa mple.com\r\n\r\n',
    expect: 400,
  },
  {
    id: 'host-11-unterminated-ip-literal',
    description: 'Host: [::1 (IP-literal without "]")',
    rfc: 'RFC 9112 §3.2; RFC 3986 §3.2.2 (IP-literal = "[" ... "]")',
    raw: 'GET / HTTP/1.1\r\nHost: [::1\r\n\r\n',
    expect: 400,
  },
];
