import type { CorpusCase } from './types.js';

/**
 * Bare CR and LF in the wrong places. RFC 9112 §2.2: "A sender MUST NOT generate a bare CR ...
 * A recipient of such a bare CR MUST consider that element to be invalid or replace each bare CR
 * with SP before processing the element or forwarding the message." RFC 9110 §5.5: CR, LF or NUL
 * inside a field value: "MUST either reject the message or replace each of those characters with
 * SP". Both are conformant; the core rejects (400), which no downstream can read differently. A
 * lone LF as a line terminator is accepted (§2.2 MAY, as CPython).
 */
export const cases: readonly CorpusCase[] = [
  {
    id: 'crlf-01-request-line-bare-cr',
    description: 'request line terminated by a bare CR',
    rfc: 'RFC 9112 §2.2 (bare CR)',
    raw: 'GET / HTTP/1.1\rHost: example.com\r\n\r\n',
    expect: 400,
  },
  {
    id: 'crlf-02-value-bare-cr',
    description: 'bare CR inside a field value',
    rfc: 'RFC 9112 §2.2; RFC 9110 §5.5',
    raw: 'GET / HTTP/1.1\r\nHost: example.com\r\nX-Test: val\rue\r\n\r\n',
    expect: 400,
  },
  {
    id: 'crlf-03-value-bare-cr-hides-cl',
    description: 'bare CR separating two fields: "X: 1\\rContent-Length: 49" (a CR-as-newline parser sees a body)',
    rfc: 'RFC 9112 §2.2; RFC 9110 §5.5',
    raw: 'GET / HTTP/1.1\r\nHost: example.com\r\nX: 1\rContent-Length: 49\r\n\r\nPING',
    expect: 400,
  },
  {
    id: 'crlf-04-name-bare-cr',
    description: 'bare CR inside a field name ("Content\\rLength: 3")',
    rfc: 'RFC 9112 §2.2; RFC 9110 §5.1 (field-name = token)',
    raw: 'POST / HTTP/1.1\r\nHost: example.com\r\nContent\rLength: 3\r\n\r\nabc',
    expect: 400,
  },
  {
    id: 'crlf-05-end-of-head-bare-cr',
    description: 'head terminated by CRLF CR (no final LF) followed by a request',
    rfc: 'RFC 9112 §2.2 (bare CR)',
    raw: 'GET / HTTP/1.1\r\nHost: example.com\r\n\rZ',
    expect: 400,
  },
  {
    id: 'crlf-06-target-bare-cr',
    description: 'bare CR inside the request-target',
    rfc: 'RFC 9112 §2.2; §3.2 (request-target has no CTL)',
    raw: 'GET /a\rb HTTP/1.1\r\nHost: example.com\r\n\r\n',
    expect: 400,
  },
  {
    id: 'crlf-07-version-bare-cr',
    description: 'bare CR after the version, then CRLF ("HTTP/1.1\\r\\r\\n")',
    rfc: 'RFC 9112 §2.2 (bare CR)',
    raw: 'GET / HTTP/1.1\r\r\nHost: example.com\r\n\r\n',
    expect: 400,
  },
  {
    id: 'crlf-08-value-cr-before-crlf',
    description: 'field value ending in CR CR LF',
    rfc: 'RFC 9112 §2.2; RFC 9110 §5.5',
    raw: 'GET / HTTP/1.1\r\nHost: example.com\r\nX-Test: v\r\r\n\r\n',
    expect: 400,
  },
];
