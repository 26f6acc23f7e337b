import { SMUGGLED, type CorpusCase } from './types.js';

/**
 * Upgrade requests. RFC 9110 §7.8: "A server MAY ignore a received Upgrade header field if it
 * wishes to continue using the current protocol on that connection." The core serves them as
 * ordinary requests: the handler runs, no 101, and the bytes after the head are still HTTP/1.1
 * framing (here: a Content-Length body holding a request that must not be answered).
 */
export const cases: readonly CorpusCase[] = [
  {
    id: 'upgrade-01-websocket',
    description: 'WebSocket upgrade with a body: no 101, body framed by Content-Length',
    rfc: 'RFC 9110 §7.8 (server MAY ignore Upgrade); RFC 6455 §4.2',
    raw: `POST /ws HTTP/1.1\r\nHost: example.com\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\nContent-Length: 45\r\n\r\n${SMUGGLED}`,
    expect: { served: { method: 'POST', path: '/ws', body: SMUGGLED } },
    smuggled: '',
  },
  {
    id: 'upgrade-02-h2c',
    description: 'h2c upgrade with HTTP2-Settings and a body: no 101',
    rfc: 'RFC 9110 §7.8; RFC 9113 §3.1 (h2c upgrade is obsolete)',
    raw: `POST /h2c HTTP/1.1\r\nHost: example.com\r\nConnection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\nHTTP2-Settings: AAMAAABkAARAAAAAAAIAAAAA\r\nContent-Length: 45\r\n\r\n${SMUGGLED}`,
    expect: { served: { method: 'POST', path: '/h2c', body: SMUGGLED } },
    smuggled: '',
  },
  {
    id: 'upgrade-03-chunked-body',
    description: 'WebSocket upgrade with a chunked body: no 101, body decoded',
    rfc: 'RFC 9110 §7.8; RFC 9112 §7.1',
    raw: `PUT /wsc HTTP/1.1\r\nHost: example.com\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nTransfer-Encoding: chunked\r\n\r\n2d\r\n${SMUGGLED}\r\n0\r\n\r\n`,
    expect: { served: { method: 'PUT', path: '/wsc', body: SMUGGLED } },
    smuggled: '',
  },
  {
    id: 'upgrade-04-http10',
    description: 'Upgrade on an HTTP/1.0 request (Upgrade is meaningless there): no 101',
    rfc: 'RFC 9110 §7.8 (Upgrade needs Connection; HTTP/1.0 has no Upgrade)',
    raw: `POST /ws10 HTTP/1.0\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nContent-Length: 45\r\n\r\n${SMUGGLED}`,
    expect: { served: { method: 'POST', path: '/ws10', body: SMUGGLED } },
    smuggled: '',
  },
  {
    id: 'upgrade-05-unknown-protocol',
    description: 'Upgrade: totally-made-up/1.0 on a GET with a body: no 101',
    rfc: 'RFC 9110 §7.8',
    raw: `GET /up HTTP/1.1\r\nHost: example.com\r\nConnection: Upgrade\r\nUpgrade: totally-made-up/1.0\r\nContent-Length: 45\r\n\r\n${SMUGGLED}`,
    expect: { served: { method: 'GET', path: '/up', body: SMUGGLED } },
    smuggled: '',
  },
];
