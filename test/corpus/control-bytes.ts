import { type CorpusCase, SMUGGLED } from './types.js';

/**
 * NUL and other control bytes. RFC 9110 §5.5: "Field values containing CR, LF, or NUL characters
 * are invalid and dangerous ... a recipient ... MUST either reject the message or replace each of
 * those characters with SP"; other CTLs are invalid too (field-vchar = VCHAR / obs-text, with SP
 * and HTAB between). RFC 9110 §5.1 / §9.1: field names and methods are tokens (no CTL). RFC 9112
 * §3.2 / RFC 3986: a request-target has no CTL or DEL. The core answers 400 to all of them, but
 * in `traceparent` / `tracestate`, where such a field is dropped (issue 14: an invalid trace header
 * is ignored, never a 400) — but for a bare CR and NUL, which can make two parsers disagree on
 * where the message ends, and are refused in any field.
 */
export const cases: readonly CorpusCase[] = [
  {
    id: 'ctl-01-nul-in-value',
    description: 'NUL inside a field value',
    rfc: 'RFC 9110 §5.5 (NUL: MUST reject or replace)',
    raw: 'GET / HTTP/1.1\r\nHost: example.com\r\nX-Test: val\x00ue\r\n\r\n',
    expect: 400,
  },
  {
    id: 'ctl-02-nul-after-te',
    description: 'Transfer-Encoding: chunked<NUL> with Content-Length (a C-string parser sees chunked)',
    rfc: 'RFC 9110 §5.5; RFC 9112 §6.1',
    raw: 'POST / HTTP/1.1\r\nHost: example.com\r\nTransfer-Encoding: chunked\x00\r\nContent-Length: 5\r\n\r\nhello',
    expect: 400,
  },
  {
    id: 'ctl-03-nul-in-name',
    description: 'NUL inside a field name',
    rfc: 'RFC 9110 §5.1 (field-name = token)',
    raw: 'GET / HTTP/1.1\r\nHost: example.com\r\nX-Te\x00st: v\r\n\r\n',
    expect: 400,
  },
  {
    id: 'ctl-04-nul-in-target',
    description: 'NUL inside the request-target',
    rfc: 'RFC 9112 §3.2; RFC 3986 §2',
    raw: 'GET /\x00test HTTP/1.1\r\nHost: example.com\r\n\r\n',
    expect: 400,
  },
  {
    id: 'ctl-05-nul-in-method',
    description: 'NUL inside the method',
    rfc: 'RFC 9110 §9.1 (method = token)',
    raw: 'G\x00ET / HTTP/1.1\r\nHost: example.com\r\n\r\n',
    expect: 400,
  },
  {
    id: 'ctl-06-nul-in-version',
    description: 'NUL after the version',
    rfc: 'RFC 9112 §2.3 (HTTP-version grammar)',
    raw: 'GET / HTTP/1.1\x00\r\nHost: example.com\r\n\r\n',
    expect: 400,
  },
  {
    id: 'ctl-07-bel-bs-in-value',
    description: 'BEL and BS inside a field value',
    rfc: 'RFC 9110 §5.5 (field-vchar)',
    raw: 'GET / HTTP/1.1\r\nHost: example.com\r\nX-Test: abc\x07\x08def\r\n\r\n',
    expect: 400,
  },
  {
    id: 'ctl-08-esc-in-value',
    description: 'ESC (terminal escape) inside a field value',
    rfc: 'RFC 9110 §5.5 (field-vchar)',
    raw: 'GET / HTTP/1.1\r\nHost: example.com\r\nUser-Agent: x\x1b[31mred\r\n\r\n',
    expect: 400,
  },
  {
    id: 'ctl-09-ff-in-value',
    description: 'form feed inside a field value',
    rfc: 'RFC 9110 §5.5 (field-vchar)',
    raw: 'GET / HTTP/1.1\r\nHost: example.com\r\nX-Test: hello\x0cworld\r\n\r\n',
    expect: 400,
  },
  {
    id: 'ctl-10-del-in-value',
    description: 'DEL (0x7F, a CTL) inside a field value',
    rfc: 'RFC 9110 §5.5 (field-vchar = VCHAR / obs-text; DEL is neither)',
    raw: 'GET / HTTP/1.1\r\nHost: example.com\r\nX-Test: a\x7fb\r\n\r\n',
    expect: 400,
  },
  {
    id: 'ctl-11-del-in-target',
    description: 'DEL inside the request-target',
    rfc: 'RFC 9112 §3.2; RFC 3986 §2',
    raw: 'GET /a\x7fb HTTP/1.1\r\nHost: example.com\r\n\r\n',
    expect: 400,
  },
  {
    id: 'ctl-12-soh-in-name',
    description: 'SOH and HTAB inside a field name ("Foo\\x01\\test")',
    rfc: 'RFC 9110 §5.1 (field-name = token)',
    raw: 'GET / HTTP/1.1\r\nHost: example.com\r\nFoo\x01\test: Bar\r\n\r\n',
    expect: 400,
  },
  {
    id: 'ctl-13-nul-in-host',
    description: 'NUL inside the Host value',
    rfc: 'RFC 9110 §5.5; RFC 9112 §3.2 (invalid Host: 400)',
    raw: 'GET / HTTP/1.1\r\nHost: example.com\x00.evil\r\n\r\n',
    expect: 400,
  },
  {
    id: 'ctl-14-controls-in-traceparent-served',
    description: 'SOH, VT, ESC and DEL inside traceparent and tracestate: the two fields dropped, the request served (a fresh trace)',
    rfc: 'RFC 9110 §5.5 (other CTLs: invalid); W3C Trace Context §4.3 (invalid: restart the trace)',
    raw: `POST /trace HTTP/1.1\r\nHost: example.com\r\ntraceparent: 00-${'a'.repeat(32)}\x0b-${'b'.repeat(16)}-01\x01\r\ntracestate: k=v\x1b\x7f\r\nContent-Length: 45\r\n\r\n${SMUGGLED}`,
    expect: { served: { method: 'POST', path: '/trace', body: SMUGGLED } },
    smuggled: '',
  },
  {
    id: 'ctl-15-bare-cr-in-traceparent',
    description: 'a bare CR inside traceparent: still refused (where a line ends is framing, whatever the field)',
    rfc: 'RFC 9112 §2.2 (bare CR)',
    raw: `GET / HTTP/1.1\r\nHost: example.com\r\ntraceparent: 00-${'a'.repeat(32)}\r-${'b'.repeat(16)}-01\r\n\r\n`,
    expect: 400,
  },
  {
    id: 'ctl-17-nul-in-traceparent',
    description: 'NUL inside traceparent: still refused (a C-string parser in front would end the message at the NUL, and not see what follows)',
    rfc: 'RFC 9110 §5.5 (NUL: MUST reject or replace)',
    raw: `GET / HTTP/1.1\r\nHost: example.com\r\ntraceparent: 00-${'a'.repeat(32)}\x00-${'b'.repeat(16)}-01\r\n\r\n`,
    expect: 400,
  },
  {
    id: 'ctl-16-soh-in-traceparent-lookalike',
    description: 'SOH inside a field named like a trace header but not one (traceparents): refused as any field',
    rfc: 'RFC 9110 §5.5',
    raw: 'GET / HTTP/1.1\r\nHost: example.com\r\ntraceparents: a\x01b\r\n\r\n',
    expect: 400,
  },
];
