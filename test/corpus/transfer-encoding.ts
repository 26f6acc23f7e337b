import type { CorpusCase } from './types.js';

/**
 * Transfer-Encoding codings and their order (no Content-Length in these cases).
 * RFC 9112 §6.3 item 4: if chunked is not the final coding of a request, "the server MUST respond
 * with the 400 (Bad Request) status code and then close the connection".
 * RFC 9112 §6.1: "A server that receives a request message with a transfer coding it does not
 * understand SHOULD respond with 501 (Not Implemented)"; "A sender MUST NOT apply the chunked
 * transfer coding more than once". The core: a registered coding not ending in chunked -> 400,
 * an unknown coding -> 501, chunked twice -> 400.
 */
export const cases: readonly CorpusCase[] = [
  {
    id: 'te-01-gzip-only',
    description: 'Transfer-Encoding: gzip (a known coding, chunked not final)',
    rfc: 'RFC 9112 §6.3 item 4',
    raw: 'POST / HTTP/1.1\r\nHost: example.com\r\nTransfer-Encoding: gzip\r\n\r\n0\r\n\r\n',
    expect: 400,
  },
  {
    id: 'te-02-chunked-then-gzip',
    description: 'Transfer-Encoding: chunked, gzip (chunked not final)',
    rfc: 'RFC 9112 §6.3 item 4; §6.1',
    raw: 'POST / HTTP/1.1\r\nHost: example.com\r\nTransfer-Encoding: chunked, gzip\r\n\r\n0\r\n\r\n',
    expect: 400,
  },
  {
    id: 'te-03-chunked-then-gzip-two-fields',
    description: 'Transfer-Encoding: chunked and a second field Transfer-Encoding: gzip (combined: chunked, gzip)',
    rfc: 'RFC 9112 §6.3 item 4; RFC 9110 §5.3 (field lines combine into a list)',
    raw: 'POST / HTTP/1.1\r\nHost: example.com\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: gzip\r\n\r\n0\r\n\r\n',
    expect: 400,
  },
  {
    id: 'te-04-chunked-twice',
    description: 'Transfer-Encoding: chunked, chunked',
    rfc: 'RFC 9112 §6.1 (chunked MUST NOT be applied more than once)',
    raw: 'POST / HTTP/1.1\r\nHost: example.com\r\nTransfer-Encoding: chunked, chunked\r\n\r\n0\r\n\r\n',
    expect: 400,
  },
  {
    id: 'te-05-chunked-twice-two-fields',
    description: 'Two Transfer-Encoding: chunked fields',
    rfc: 'RFC 9112 §6.1 (chunked MUST NOT be applied more than once)',
    raw: 'POST / HTTP/1.1\r\nHost: example.com\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n',
    expect: 400,
  },
  {
    id: 'te-06-unknown',
    description: 'Transfer-Encoding: pigeons (unknown coding)',
    rfc: 'RFC 9112 §6.1 (unknown coding: 501)',
    raw: 'POST / HTTP/1.1\r\nHost: example.com\r\nTransfer-Encoding: pigeons\r\n\r\n0\r\n\r\n',
    expect: 501,
  },
  {
    id: 'te-07-xchunked',
    description: 'Transfer-Encoding: xchunked (substring match would see chunked)',
    rfc: 'RFC 9112 §6.1 (unknown coding: 501)',
    raw: 'POST / HTTP/1.1\r\nHost: example.com\r\nTransfer-Encoding: xchunked\r\n\r\n0\r\n\r\n',
    expect: 501,
  },
  {
    id: 'te-08-chunkedchunked',
    description: 'Transfer-Encoding: chunkedchunked',
    rfc: 'RFC 9112 §6.1 (unknown coding: 501)',
    raw: 'POST / HTTP/1.1\r\nHost: example.com\r\nTransfer-Encoding: chunkedchunked\r\n\r\n0\r\n\r\n',
    expect: 501,
  },
  {
    id: 'te-09-http10-chunked',
    description: 'HTTP/1.0 request with Transfer-Encoding: chunked',
    rfc: 'RFC 9112 §6.1 (HTTP/1.0 message with Transfer-Encoding: faulty framing)',
    raw: 'POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n',
    expect: 400,
  },
  {
    id: 'te-10-vt-before-value',
    description: 'Transfer-Encoding: <VT>chunked (VT is not OWS; a CTL in the value)',
    rfc: 'RFC 9110 §5.5 (field-value chars); RFC 9112 §5.1 (OWS = SP / HTAB)',
    raw: 'POST / HTTP/1.1\r\nHost: example.com\r\nTransfer-Encoding: \x0bchunked\r\n\r\n0\r\n\r\n',
    expect: 400,
  },
];
