import type { CorpusCase } from './types.js';

/**
 * Whitespace before the colon, obs-fold, whitespace-led lines after the request line, and malformed
 * field lines. RFC 9112 §5.1: "No whitespace is allowed between the field name and colon ... A
 * server MUST reject, with a response status code of 400 (Bad Request), any received request
 * message that contains whitespace between a header field name and colon." RFC 9112 §5.2: a server
 * receiving obs-fold in a request "MUST either reject the message by sending a 400 ... or replace
 * each received obs-fold with one or more SP octets"; the core rejects. RFC 9112 §2.2: whitespace
 * between the start-line and the first field: "MUST either reject the message as invalid or consume
 * each whitespace-preceded line without further processing of it"; the core rejects.
 */
export const cases: readonly CorpusCase[] = [
  {
    id: 'ws-01-space-before-colon',
    description: 'Host : example.com (SP before the colon)',
    rfc: 'RFC 9112 §5.1 (MUST reject with 400)',
    raw: 'GET / HTTP/1.1\r\nHost : example.com\r\n\r\n',
    expect: 400,
  },
  {
    id: 'ws-02-tab-before-colon',
    description: 'X-Test<HTAB>: v (HTAB before the colon)',
    rfc: 'RFC 9112 §5.1 (MUST reject with 400)',
    raw: 'GET / HTTP/1.1\r\nHost: example.com\r\nX-Test\t: v\r\n\r\n',
    expect: 400,
  },
  {
    id: 'ws-03-space-before-colon-cl',
    description: '"Content-Length : 49" beside a valid Content-Length (a normalising parser sees two)',
    rfc: 'RFC 9112 §5.1 (MUST reject with 400)',
    raw: 'POST / HTTP/1.1\r\nHost: example.com\r\nContent-Length: 4\r\nContent-Length : 49\r\n\r\nPING',
    expect: 400,
  },
  {
    id: 'ws-04-space-before-colon-te',
    description: '"Transfer-Encoding : chunked" with Content-Length',
    rfc: 'RFC 9112 §5.1 (MUST reject with 400)',
    raw: 'POST / HTTP/1.1\r\nHost: example.com\r\nTransfer-Encoding : chunked\r\nContent-Length: 5\r\n\r\nhello',
    expect: 400,
  },
  {
    id: 'ws-05-obs-fold-sp',
    description: 'obs-fold: a field line continued by a line starting with SP',
    rfc: 'RFC 9112 §5.2 (reject with 400 or replace)',
    raw: 'GET / HTTP/1.1\r\nHost: example.com\r\nX-Test: value\r\n continued\r\n\r\n',
    expect: 400,
  },
  {
    id: 'ws-06-obs-fold-htab',
    description: 'obs-fold: a field line continued by a line starting with HTAB',
    rfc: 'RFC 9112 §5.2 (reject with 400 or replace)',
    raw: 'GET / HTTP/1.1\r\nHost: example.com\r\nX-Test: value\r\n\tcontinued\r\n\r\n',
    expect: 400,
  },
  {
    id: 'ws-07-obs-fold-te',
    description: 'Transfer-Encoding value on an obs-fold continuation line, with Content-Length',
    rfc: 'RFC 9112 §5.2; §6.1',
    raw: 'POST / HTTP/1.1\r\nHost: example.com\r\nTransfer-Encoding:\r\n chunked\r\nContent-Length: 5\r\n\r\nhello',
    expect: 400,
  },
  {
    id: 'ws-08-obs-fold-hides-cl',
    description: 'obs-fold line that reads as " Content-Length: 49" to a folding-unaware parser',
    rfc: 'RFC 9112 §5.2',
    raw: 'POST / HTTP/1.1\r\nHost: example.com\r\nFoo: bar\r\n Content-Length: 49\r\n\r\nPING',
    expect: 400,
  },
  {
    id: 'ws-09-space-led-first-line',
    description: 'first field line starts with SP (" Host: example.com")',
    rfc: 'RFC 9112 §2.2 (whitespace after the start-line: reject or consume)',
    raw: 'GET / HTTP/1.1\r\n Host: example.com\r\n\r\n',
    expect: 400,
  },
  {
    id: 'ws-10-whitespace-only-line',
    description: 'a line holding only SP between the request line and the fields',
    rfc: 'RFC 9112 §2.2 (whitespace after the start-line: reject or consume)',
    raw: 'GET / HTTP/1.1\r\n \r\nHost: example.com\r\n\r\n',
    expect: 400,
  },
  {
    id: 'ws-11-no-colon',
    description: 'a field line without a colon',
    rfc: 'RFC 9112 §5 (field-line = field-name ":" OWS field-value OWS)',
    raw: 'GET / HTTP/1.1\r\nHost: example.com\r\nNoColonHere\r\n\r\n',
    expect: 400,
  },
  {
    id: 'ws-12-empty-name',
    description: 'a field line with an empty name (": value")',
    rfc: 'RFC 9110 §5.1 (field-name = token, at least one tchar)',
    raw: 'GET / HTTP/1.1\r\nHost: example.com\r\n: empty-name\r\n\r\n',
    expect: 400,
  },
  {
    id: 'ws-13-name-not-token',
    description: 'field name with a non-token char ("Bad[Name")',
    rfc: 'RFC 9110 §5.1, §5.6.2 (token)',
    raw: 'GET / HTTP/1.1\r\nHost: example.com\r\nBad[Name: value\r\n\r\n',
    expect: 400,
  },
  {
    id: 'ws-14-name-non-ascii',
    description: 'field name with a non-ASCII byte (0xEB)',
    rfc: 'RFC 9110 §5.1, §5.6.2 (token)',
    raw: 'GET / HTTP/1.1\r\nHost: example.com\r\nX-T\xebst: value\r\n\r\n',
    expect: 400,
  },
  {
    id: 'ws-15-space-inside-name',
    description: 'field name with SP inside ("Content Length: 5")',
    rfc: 'RFC 9110 §5.1 (field-name = token); RFC 9112 §5.1',
    raw: 'POST / HTTP/1.1\r\nHost: example.com\r\nContent Length: 5\r\n\r\nhello',
    expect: 400,
  },
  {
    id: 'ws-16-request-line-extra-word',
    description: 'request-target containing SP ("GET /a b HTTP/1.1": four words)',
    rfc: 'RFC 9112 §3 (request-line = method SP request-target SP HTTP-version)',
    raw: 'GET /a b HTTP/1.1\r\nHost: example.com\r\n\r\n',
    expect: 400,
  },
  {
    id: 'ws-17-tab-served',
    description: 'request line split by HTAB and SP runs (accepted as CPython does; RFC 9112 §3 lets a recipient parse on whitespace): served, body framed exactly',
    rfc: 'RFC 9112 §3 ("recipients MAY instead parse on whitespace-delimited word boundaries")',
    raw: 'POST\t/tab \t HTTP/1.1\r\nHost: example.com\r\nContent-Length: 45\r\n\r\nGET /smuggled HTTP/1.1\r\nHost: example.com\r\n\r\n',
    expect: { served: { method: 'POST', path: '/tab', body: 'GET /smuggled HTTP/1.1\r\nHost: example.com\r\n\r\n' } },
    smuggled: '',
  },
];
