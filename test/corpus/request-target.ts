import { SMUGGLED, type CorpusCase } from './types.js';

/**
 * Request-target forms. RFC 9112 §3.2: origin-form starts with "/"; absolute-form
 * (scheme "://" ...) MUST be accepted by a server (§3.2.2 "A server MUST accept the absolute-form
 * in requests"); authority-form "is only used for CONNECT requests" (§3.2.3); asterisk-form "is
 * only used for a server-wide OPTIONS request" (§3.2.4). §3: "Recipients of an invalid
 * request-line SHOULD respond with either a 400 (Bad Request) error or a 301 (Moved Permanently)".
 * The core answers 400 to any other form.
 */
export const cases: readonly CorpusCase[] = [
  {
    id: 'target-01-asterisk-get',
    description: 'GET * (asterisk-form outside OPTIONS)',
    rfc: 'RFC 9112 §3.2.4; §3',
    raw: 'GET * HTTP/1.1\r\nHost: example.com\r\n\r\n',
    expect: 400,
  },
  {
    id: 'target-02-authority-get',
    description: 'GET example.com:443 (authority-form outside CONNECT)',
    rfc: 'RFC 9112 §3.2.3; §3',
    raw: 'GET example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n',
    expect: 400,
  },
  {
    id: 'target-03-authority-post',
    description: 'POST example.com:80 with a body (authority-form outside CONNECT)',
    rfc: 'RFC 9112 §3.2.3; §3',
    raw: 'POST example.com:80 HTTP/1.1\r\nHost: example.com\r\nContent-Length: 5\r\n\r\nhello',
    expect: 400,
  },
  {
    id: 'target-04-relative-path',
    description: 'GET example.com/path (no leading slash, no scheme)',
    rfc: 'RFC 9112 §3.2; §3',
    raw: 'GET example.com/path HTTP/1.1\r\nHost: example.com\r\n\r\n',
    expect: 400,
  },
  {
    id: 'target-05-query-only',
    description: 'GET ?q=1 (no path)',
    rfc: 'RFC 9112 §3.2.1 (origin-form = absolute-path [ "?" query ]); §3',
    raw: 'GET ?q=1 HTTP/1.1\r\nHost: example.com\r\n\r\n',
    expect: 400,
  },
  {
    id: 'target-06-fragment-only',
    description: 'GET #frag',
    rfc: 'RFC 9112 §3.2; §3',
    raw: 'GET #frag HTTP/1.1\r\nHost: example.com\r\n\r\n',
    expect: 400,
  },
  {
    id: 'target-07-absolute-form-served',
    description: 'absolute-form GET http://example.com/abs with a body: accepted (MUST), framed by Content-Length',
    rfc: 'RFC 9112 §3.2.2 ("A server MUST accept the absolute-form in requests")',
    raw: `GET http://example.com/abs HTTP/1.1\r\nHost: example.com\r\nContent-Length: 45\r\n\r\n${SMUGGLED}`,
    expect: { served: { method: 'GET', body: SMUGGLED } },
    smuggled: '',
  },
  {
    id: 'target-08-options-asterisk-served',
    description: 'OPTIONS * with a body: served, path "*", body framed by Content-Length',
    rfc: 'RFC 9112 §3.2.4',
    raw: `OPTIONS * HTTP/1.1\r\nHost: example.com\r\nContent-Length: 45\r\n\r\n${SMUGGLED}`,
    expect: { served: { method: 'OPTIONS', path: '*', body: SMUGGLED } },
    smuggled: '',
  },
];
