/**
 * The raw requests of the differential test (test/conformance/cpython-diff.test.ts). Each is sent unchanged
 * to our fixture server and to CPython's (test/cpython/server.py) with the same protocol_version.
 * Strings are latin-1: one char per byte, so '\x85' is the byte 0x85.
 */
export type ProtocolVariant = '1.0' | '1.1';

export interface DiffCase {
  /** Unique, `name@variant`. */
  readonly id: string;
  /** Which fixture server: protocol_version HTTP/1.0 or HTTP/1.1. */
  readonly server: ProtocolVariant;
  /** The bytes sent; several strings are several writes. */
  readonly request: readonly string[];
  readonly head?: boolean;
  readonly halfClose?: boolean;
}

const H = 'Host: example\r\n';
const BOTH: readonly ProtocolVariant[] = ['1.0', '1.1'];

interface Spec {
  name: string;
  request: string | readonly string[];
  servers?: readonly ProtocolVariant[];
  head?: boolean;
  halfClose?: boolean;
}

/** A request line of exactly `total` bytes including its CRLF. */
function longRequestLine(total: number): string {
  const fixed = 'GET /'.length + ' HTTP/1.0\r\n'.length;
  return `GET /${'a'.repeat(total - fixed)} HTTP/1.0\r\n`;
}

/** A header line of exactly `total` bytes including its CRLF. */
function longHeaderLine(total: number): string {
  const fixed = 'X-Long: '.length + 2;
  return `X-Long: ${'b'.repeat(total - fixed)}\r\n`;
}

function headerLines(count: number): string {
  let out = '';
  for (let i = 0; i < count; i += 1) out += `X-H${i}: ${i}\r\n`;
  return out;
}

const SMUGGLED = `GET /smuggled HTTP/1.1\r\n${H}\r\n`;

const specs: Spec[] = [
  // Request-line forms.
  { name: 'get-http10', request: 'GET / HTTP/1.0\r\n\r\n' },
  { name: 'get-http11', request: `GET / HTTP/1.1\r\n${H}\r\n` },
  { name: 'http11-on-1.0-server', request: `GET /x HTTP/1.1\r\n${H}\r\n`, servers: ['1.0'] },
  { name: 'tabs', request: 'GET\t/tabs\tHTTP/1.0\r\n\r\n' },
  { name: 'several-spaces', request: 'GET   /spaces   HTTP/1.0\r\n\r\n' },
  { name: 'trailing-spaces', request: 'GET /trail HTTP/1.0   \r\n\r\n' },
  { name: 'trailing-tab', request: 'GET /trail HTTP/1.0\t\r\n\r\n' },
  { name: 'leading-space', request: ' GET /lead HTTP/1.0\r\n\r\n' },
  { name: 'lf-only', request: 'GET /lf HTTP/1.0\nX-A: 1\n\n' },
  { name: 'lf-only-http11', request: 'GET /lf HTTP/1.1\nHost: example\n\n' },
  { name: 'mixed-line-endings', request: 'GET /mixed HTTP/1.0\r\nX-A: 1\n\r\n' },
  { name: 'cr-cr-lf-request-line', request: 'GET /crcr HTTP/1.0\r\r\n\r\n' },
  { name: 'vt-separator', request: 'GET\x0b/vt HTTP/1.0\r\n\r\n' },
  { name: 'ff-separator', request: 'GET /ff\x0cHTTP/1.0\r\n\r\n' },
  { name: 'x1f-in-target', request: 'GET /a\x1fb HTTP/1.0\r\n\r\n' },
  { name: 'x85-in-target', request: 'GET /a\x85b HTTP/1.0\r\n\r\n' },
  { name: 'nbsp-in-target', request: 'GET /a\xa0b HTTP/1.0\r\n\r\n' },
  { name: 'ctl-in-target', request: 'GET /a\x01b HTTP/1.0\r\n\r\n' },
  { name: 'latin1-in-target', request: 'GET /caf\xe9 HTTP/1.0\r\n\r\n' },
  { name: 'absolute-form', request: `GET http://example/x?y=1 HTTP/1.1\r\n${H}\r\n` },
  { name: 'double-slash', request: 'GET //evil//path HTTP/1.0\r\n\r\n' },
  { name: 'many-slashes', request: 'GET ////evil/x HTTP/1.0\r\n\r\n' },
  { name: 'double-slash-query', request: 'GET //?next=//evil HTTP/1.0\r\n\r\n' },
  { name: 'four-words', request: 'GET / x HTTP/1.0\r\n\r\n' },
  { name: 'one-word', request: 'GET\r\n\r\n' },
  // Versions.
  { name: 'version-HTTP/1', request: 'GET / HTTP/1\r\n\r\n' },
  { name: 'version-HTTP/1.1.1', request: 'GET / HTTP/1.1.1\r\n\r\n' },
  { name: 'version-HTTP/a.b', request: 'GET / HTTP/a.b\r\n\r\n' },
  { name: 'version-lowercase', request: 'GET / http/1.0\r\n\r\n' },
  { name: 'version-extra-word', request: 'GET / HTTP/1.0 extra\r\n\r\n' },
  { name: 'version-HTTP/2.0', request: 'GET / HTTP/2.0\r\n\r\n' },
  { name: 'version-HTTP/3.0', request: 'GET / HTTP/3.0\r\n\r\n' },
  { name: 'version-HTTP/10.0', request: 'GET / HTTP/10.0\r\n\r\n' },
  { name: 'version-HTTP/1.10', request: `GET / HTTP/1.10\r\n${H}\r\n` },
  { name: 'version-HTTP/01.01', request: `GET / HTTP/01.01\r\n${H}\r\n` },
  { name: 'version-11-digits', request: 'GET / HTTP/1.12345678901\r\n\r\n' },
  { name: 'version-superscript-digit', request: 'GET / HTTP/1.\xb2\r\n\r\n' },
  { name: 'version-explicit-0.9', request: 'GET / HTTP/0.9\r\n\r\n' },
  { name: 'version-with-quote', request: "GET / HTTP/1'0\r\n\r\n" },
  { name: 'version-with-both-quotes', request: 'GET / HTTP/\'"\r\n\r\n' },
  { name: 'version-ctl', request: 'GET / HTTP/1.\x01\r\n\r\n' },
  { name: 'version-soft-hyphen', request: 'GET / HTTP/\xad\r\n\r\n' },
  { name: 'version-latin1', request: 'GET / HTTP/\xe9\r\n\r\n' },
  { name: 'version-backslash', request: 'GET / HTTP/1.\\\r\n\r\n' },
  // HTTP/0.9.
  { name: 'http09-get', request: 'GET /nine\r\n\r\n' },
  { name: 'http09-get-no-blank-line', request: 'GET /nine\r\n' },
  { name: 'http09-post', request: 'POST /nine\r\n\r\n' },
  { name: 'http09-head', request: 'HEAD /nine\r\n\r\n' },
  { name: 'http09-error', request: 'GET /error/404\r\n\r\n' },
  // Methods.
  { name: 'unsupported-method', request: `SPAM / HTTP/1.1\r\n${H}\r\n` },
  { name: 'lowercase-method', request: 'get / HTTP/1.0\r\n\r\n' },
  { name: 'method-with-quote', request: "SP'AM / HTTP/1.0\r\n\r\n" },
  { name: 'options-asterisk', request: `OPTIONS * HTTP/1.1\r\n${H}\r\n` },
  { name: 'head', request: 'HEAD /h HTTP/1.0\r\n\r\n', head: true },
  { name: 'head-http11', request: `HEAD /h HTTP/1.1\r\n${H}\r\n`, head: true },
  { name: 'head-error', request: 'HEAD /error/404 HTTP/1.0\r\n\r\n', head: true },
  { name: 'head-error-custom', request: 'HEAD /error-custom HTTP/1.0\r\n\r\n', head: true },
  // Empty line, end of input.
  { name: 'empty-line', request: '\r\n' },
  { name: 'empty-line-lf', request: '\n' },
  { name: 'empty-line-then-request', request: '\r\nGET / HTTP/1.0\r\n\r\n' },
  { name: 'immediate-eof', request: '', halfClose: true },
  { name: 'eof-inside-request-line', request: 'GET / HT', halfClose: true },
  { name: 'eof-inside-headers', request: 'GET /eof HTTP/1.0\r\nX-A: 1\r\n', halfClose: true },
  { name: 'half-close-after-request', request: 'GET /hc HTTP/1.0\r\n\r\n', halfClose: true },
  { name: 'half-close-after-http11-request', request: `GET /hc HTTP/1.1\r\n${H}\r\n`, halfClose: true },
  // Limits.
  { name: 'request-line-65536', request: `${longRequestLine(65_536)}\r\n` },
  { name: 'request-line-65537', request: `${longRequestLine(65_537)}\r\n` },
  { name: 'request-line-70000', request: `${longRequestLine(70_000)}\r\n` },
  { name: 'header-line-65536', request: `GET /long-header HTTP/1.0\r\n${longHeaderLine(65_536)}\r\n` },
  { name: 'header-line-65537', request: `GET /long-header HTTP/1.0\r\n${longHeaderLine(65_537)}\r\n` },
  { name: 'headers-99', request: `GET /headers99 HTTP/1.0\r\n${headerLines(99)}\r\n` },
  { name: 'headers-100', request: `GET /headers100 HTTP/1.0\r\n${headerLines(100)}\r\n` },
  { name: 'headers-101', request: `GET /headers101 HTTP/1.0\r\n${headerLines(101)}\r\n` },
  // Connection management.
  { name: 'connection-close-http11', request: `GET / HTTP/1.1\r\n${H}Connection: close\r\n\r\n` },
  { name: 'connection-keep-alive-http10', request: 'GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n' },
  { name: 'connection-keep-alive-http11', request: `GET / HTTP/1.1\r\n${H}Connection: keep-alive\r\n\r\n` },
  { name: 'connection-close-uppercase', request: `GET / HTTP/1.1\r\n${H}Connection: CLOSE\r\n\r\n` },
  { name: 'connection-list-with-close', request: `GET / HTTP/1.1\r\n${H}Connection: keep-alive, close\r\n\r\n` },
  {
    name: 'connection-first-wins-close',
    request: `GET / HTTP/1.1\r\n${H}Connection: close\r\nConnection: keep-alive\r\n\r\n`,
  },
  {
    name: 'connection-first-wins-keep-alive',
    request: `GET / HTTP/1.1\r\n${H}Connection: keep-alive\r\nConnection: close\r\n\r\n`,
  },
  { name: 'handler-sends-close', request: `GET /close HTTP/1.1\r\n${H}\r\n` },
  { name: 'handler-sends-keep-alive', request: 'GET /keep-alive HTTP/1.0\r\n\r\n' },
  { name: 'pipelined-two', request: `GET /a HTTP/1.1\r\n${H}\r\nGET /b HTTP/1.1\r\n${H}\r\n` },
  {
    name: 'pipelined-second-closes',
    request: `GET /a HTTP/1.1\r\n${H}\r\nGET /b HTTP/1.1\r\n${H}Connection: close\r\n\r\n`,
  },
  { name: 'pipelined-after-http10', request: 'GET /a HTTP/1.0\r\n\r\nGET /b HTTP/1.0\r\n\r\n' },
  { name: 'pipelined-after-error', request: `GET /error/404 HTTP/1.1\r\n${H}\r\nGET /b HTTP/1.1\r\n${H}\r\n` },
  {
    name: 'pipelined-post-then-get',
    request: `POST /echo HTTP/1.1\r\n${H}Content-Length: 5\r\n\r\nhelloGET /b HTTP/1.1\r\n${H}\r\n`,
  },
  { name: 'two-writes', request: [`GET /split HTTP/1.1\r\n${H}`, 'X-A: 1\r\n\r\n'] },
  // sendError and status lines.
  { name: 'send-error-404', request: 'GET /error/404 HTTP/1.0\r\n\r\n' },
  { name: 'send-error-404-http11', request: `GET /error/404 HTTP/1.1\r\n${H}\r\n` },
  { name: 'send-error-custom-html', request: 'GET /error-custom HTTP/1.0\r\n\r\n' },
  { name: 'send-error-message-only', request: 'GET /error-message HTTP/1.0\r\n\r\n' },
  { name: 'send-error-latin1', request: 'GET /error-latin1 HTTP/1.0\r\n\r\n' },
  { name: 'send-error-100', request: 'GET /error/100 HTTP/1.0\r\n\r\n' },
  { name: 'send-error-204', request: 'GET /error/204 HTTP/1.0\r\n\r\n' },
  { name: 'send-error-205', request: 'GET /error/205 HTTP/1.0\r\n\r\n' },
  { name: 'send-error-304', request: 'GET /error/304 HTTP/1.0\r\n\r\n' },
  { name: 'send-error-299', request: 'GET /error/299 HTTP/1.0\r\n\r\n' },
  { name: 'send-error-599', request: 'GET /error/599 HTTP/1.0\r\n\r\n' },
  { name: 'send-error-306', request: 'GET /error/306 HTTP/1.0\r\n\r\n' },
  { name: 'status-299-unknown', request: 'GET /status/299 HTTP/1.0\r\n\r\n' },
  { name: 'status-599-unknown', request: 'GET /status/599 HTTP/1.0\r\n\r\n' },
  { name: 'status-204', request: `GET /status/204 HTTP/1.1\r\n${H}\r\n` },
  { name: 'status-304', request: `GET /status/304 HTTP/1.1\r\n${H}\r\n` },
  { name: 'custom-reason', request: 'GET /reason HTTP/1.0\r\n\r\n' },
  // Expect: 100-continue.
  {
    name: 'expect-100-continue',
    request: `POST /echo HTTP/1.1\r\n${H}Content-Length: 5\r\nExpect: 100-continue\r\n\r\nhello`,
  },
  {
    name: 'expect-100-continue-mixed-case',
    request: `POST /echo HTTP/1.1\r\n${H}Content-Length: 5\r\nExpect: 100-Continue\r\n\r\nhello`,
  },
  {
    name: 'expect-100-continue-http10-request',
    request: 'POST /echo HTTP/1.0\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\nhello',
  },
  {
    name: 'expect-100-continue-body-later',
    request: [`POST /echo HTTP/1.1\r\n${H}Content-Length: 5\r\nExpect: 100-continue\r\n\r\n`, 'hello'],
  },
  // Bodies.
  { name: 'post-content-length', request: 'POST /echo HTTP/1.0\r\nContent-Length: 11\r\n\r\nhello world' },
  { name: 'post-empty', request: 'POST /echo HTTP/1.0\r\nContent-Length: 0\r\n\r\n' },
  {
    name: 'post-chunked',
    request: `POST /echo HTTP/1.1\r\n${H}Transfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6;ext=1\r\n world\r\n0\r\n\r\n`,
  },
  // Header parsing.
  { name: 'headers-echo', request: 'GET /headers HTTP/1.0\r\nX-A: 1\r\nx-b:two\r\nX-A: 3\r\n\r\n' },
  { name: 'headers-echo-trailing-space', request: 'GET /headers HTTP/1.0\r\nX-A: padded  \r\n\r\n' },
  { name: 'headers-echo-latin1', request: 'GET /headers HTTP/1.0\r\nX-A: caf\xe9\r\n\r\n' },
  // Deliberate differences (see EXPECTED_DIFFERENCES in the test).
  { name: 'http11-without-host', request: 'GET / HTTP/1.1\r\n\r\n' },
  { name: 'http11-two-hosts', request: `GET / HTTP/1.1\r\n${H}${H}\r\n` },
  { name: 'handler-raises', request: 'GET /raise HTTP/1.0\r\n\r\n' },
  {
    name: 'content-length-and-chunked',
    request: `POST /echo HTTP/1.1\r\n${H}Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n`,
  },
  { name: 'content-length-differing', request: 'POST /echo HTTP/1.0\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello!' },
  { name: 'content-length-malformed', request: 'POST /echo HTTP/1.0\r\nContent-Length: 5x\r\n\r\nhello' },
  { name: 'transfer-encoding-not-chunked', request: `POST /echo HTTP/1.1\r\n${H}Transfer-Encoding: gzip\r\nConnection: close\r\n\r\n` },
  {
    name: 'transfer-encoding-unknown',
    request: `POST /echo HTTP/1.1\r\n${H}Transfer-Encoding: x-foo, chunked\r\nConnection: close\r\n\r\n0\r\n\r\n`,
  },
  { name: 'transfer-encoding-in-http10', request: 'POST /echo HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n' },
  { name: 'space-before-colon', request: 'GET / HTTP/1.0\r\nX-A : 1\r\n\r\n' },
  { name: 'obs-fold', request: 'GET / HTTP/1.0\r\nX-A: 1\r\n  continued\r\n\r\n' },
  { name: 'bare-cr-in-header', request: 'GET / HTTP/1.0\r\nX-A: a\rb\r\n\r\n' },
  { name: 'nul-in-header', request: 'GET / HTTP/1.0\r\nX-A: a\x00b\r\n\r\n' },
  {
    name: 'unread-body-is-not-a-request',
    request: `POST /noread HTTP/1.1\r\n${H}Content-Length: ${SMUGGLED.length}\r\n\r\n${SMUGGLED}`,
    servers: ['1.1'],
  },
];

/** Every case, for each server variant it applies to. */
export const CASES: readonly DiffCase[] = specs.flatMap((spec) =>
  (spec.servers ?? BOTH).map((server) => ({
    id: `${spec.name}@${server}`,
    server,
    request: typeof spec.request === 'string' ? [spec.request] : spec.request,
    ...(spec.head ? { head: true } : {}),
    ...(spec.halfClose ? { halfClose: true } : {}),
  })),
);

/** The requests of the log-format comparison, sent in order to the HTTP/1.0 servers. */
export const LOG_REQUESTS: readonly string[] = [
  'GET /log HTTP/1.0\r\n\r\n',
  'GET /error/404 HTTP/1.0\r\n\r\n',
  'GET / HTTP/\x1b[31m\x7f\x9f\\\r\n\r\n',
  'SPAM /x HTTP/1.0\r\n\r\n',
  'GET / HTTP/1.\x01\r\n\r\n',
  'GET / HTTP/caf\xe9\r\n\r\n',
  'POST /echo HTTP/1.0\r\nContent-Length: 5\r\n\r\nhello',
  'GET /nine\r\n\r\n',
  'GET /error-custom HTTP/1.0\r\n\r\n',
  `${longRequestLine(65_537)}\r\n`,
];
