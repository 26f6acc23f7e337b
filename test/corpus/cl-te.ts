import type { CorpusCase } from './types.js';

/**
 * Content-Length together with Transfer-Encoding: the classic CL.TE / TE.CL desync.
 * RFC 9112 §6.1: "A server MAY reject a request that contains both Content-Length and
 * Transfer-Encoding ... Regardless, the server MUST close the connection after responding".
 * RFC 9112 §6.3 item 3: such a message "ought to be handled as an error". The core rejects: 400.
 */
export const cases: readonly CorpusCase[] = [
  {
    id: 'clte-01-cl-then-te',
    description: 'Content-Length before Transfer-Encoding: chunked; CL covers a smuggled request',
    rfc: 'RFC 9112 §6.1; §6.3 item 3',
    raw: 'POST / HTTP/1.1\r\nHost: example.com\r\nContent-Length: 50\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n',
    expect: 400,
  },
  {
    id: 'clte-02-te-then-cl',
    description: 'Transfer-Encoding: chunked before Content-Length (header order must not matter)',
    rfc: 'RFC 9112 §6.1; §6.3 item 3',
    raw: 'POST / HTTP/1.1\r\nHost: example.com\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n0\r\n\r\n',
    expect: 400,
  },
  {
    id: 'clte-03-cl-zero-te',
    description: 'Content-Length: 0 with Transfer-Encoding: chunked',
    rfc: 'RFC 9112 §6.1; §6.3 item 3',
    raw: 'POST / HTTP/1.1\r\nHost: example.com\r\nContent-Length: 0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n',
    expect: 400,
  },
  {
    id: 'clte-04-te-case',
    description: 'Transfer-Encoding: Chunked (coding names are case-insensitive) with Content-Length',
    rfc: 'RFC 9112 §6.1; §7 (case-insensitive coding names)',
    raw: 'POST / HTTP/1.1\r\nHost: example.com\r\nContent-Length: 5\r\nTransfer-Encoding: Chunked\r\n\r\n0\r\n\r\n',
    expect: 400,
  },
  {
    id: 'clte-05-te-trailing-ows',
    description: 'Transfer-Encoding: "chunked " (trailing OWS is not part of the value) with Content-Length',
    rfc: 'RFC 9112 §6.1; §5.1 (OWS around field value)',
    raw: 'POST / HTTP/1.1\r\nHost: example.com\r\nContent-Length: 5\r\nTransfer-Encoding: chunked \r\n\r\n0\r\n\r\n',
    expect: 400,
  },
  {
    id: 'clte-06-te-empty',
    description: 'Empty Transfer-Encoding field with Content-Length',
    rfc: 'RFC 9112 §6.1; §6.3 item 3',
    raw: 'POST / HTTP/1.1\r\nHost: example.com\r\nContent-Length: 5\r\nTransfer-Encoding: \r\n\r\nhello',
    expect: 400,
  },
  {
    id: 'clte-07-te-identity',
    description: 'Transfer-Encoding: identity (removed from the registry) with Content-Length',
    rfc: 'RFC 9112 §6.1; §6.3 item 3',
    raw: 'POST / HTTP/1.1\r\nHost: example.com\r\nContent-Length: 5\r\nTransfer-Encoding: identity\r\n\r\nhello',
    expect: 400,
  },
  {
    id: 'clte-08-te-leading-comma',
    description: 'Transfer-Encoding: ", chunked" (empty list element) with Content-Length',
    rfc: 'RFC 9112 §6.1; RFC 9110 §5.6.1',
    raw: 'POST / HTTP/1.1\r\nHost: example.com\r\nContent-Length: 5\r\nTransfer-Encoding: , chunked\r\n\r\n0\r\n\r\n',
    expect: 400,
  },
  {
    id: 'clte-09-te-tab-value',
    description: 'Transfer-Encoding:<HTAB>chunked (HTAB is valid OWS) with Content-Length',
    rfc: 'RFC 9112 §6.1; §5.1',
    raw: 'POST / HTTP/1.1\r\nHost: example.com\r\nContent-Length: 5\r\nTransfer-Encoding:\tchunked\r\n\r\n0\r\n\r\n',
    expect: 400,
  },
  {
    id: 'clte-10-cl-list-te',
    description: 'Content-Length list plus Transfer-Encoding: both framings broken at once',
    rfc: 'RFC 9112 §6.1; §6.3 items 3 and 5',
    raw: 'POST / HTTP/1.1\r\nHost: example.com\r\nContent-Length: 5, 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n',
    expect: 400,
  },
  {
    id: 'clte-11-http10-te-cl',
    description: 'HTTP/1.0 request with Transfer-Encoding and Content-Length',
    rfc: 'RFC 9112 §6.1 (HTTP/1.0 with Transfer-Encoding: framing is faulty)',
    raw: 'POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\nhello',
    expect: 400,
  },
];
