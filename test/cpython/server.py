"""CPython fixture server for the differential tests (test/conformance/cpython-diff.test.ts).

Behaves exactly like test/cpython/handler.ts: same routes, same bytes. It runs
two servers, one whose handler keeps protocol_version = "HTTP/1.0" and one
with "HTTP/1.1", both on 127.0.0.1 port 0, prints one JSON line
{"python": "3.13.0", "ports": {"1.0": p, "1.1": q}} on stdout, serves until
stdin reaches end of file, then stops.

`server.py --responses` prints BaseHTTPRequestHandler.responses as JSON and exits.

Written for Python 3.13; it also runs on 2.7 (BaseHTTPServer) so that the old
server's answers can be recorded for comparison.

Routes (GET and HEAD alike; HEAD omits the body):
  /error/<code>     send_error(code)
  /error-custom     send_error(403, CUSTOM_MESSAGE, CUSTOM_EXPLAIN)  (HTML specials)
  /error-message    send_error(418, MESSAGE_ONLY)                   (default explain)
  /error-latin1     send_error(400, LATIN1_MESSAGE, LATIN1_EXPLAIN)
  /status/<code>    send_response(code) + text body (none for 1xx, 204, 304)
  /reason           send_response(200, "Totally Fine") + text body
  /close            200 + "Connection: close"
  /keep-alive       200 + "Connection: keep-alive"
  /headers          200, body: one "name: value" line per request header, in order
  /raise            raises RuntimeError before sending anything
  anything else     200, body: "<command> <path> <request_version>"
POST /noread answers 200 without reading the body; any other POST echoes the
body (Content-Length or chunked).
"""
import json
import sys
import threading

PY2 = sys.version_info[0] == 2

if PY2:
    from BaseHTTPServer import BaseHTTPRequestHandler, HTTPServer
    from SocketServer import ThreadingMixIn
else:
    from http.server import BaseHTTPRequestHandler, HTTPServer
    from socketserver import ThreadingMixIn

CUSTOM_MESSAGE = "<script>alert('x')</script> & \"q\""
CUSTOM_EXPLAIN = "Explain <b>bold</b> & 'single' \"double\" &amp;"
MESSAGE_ONLY = "Teapot <&> \"q\""
LATIN1_MESSAGE = u"Caf\xe9 \xa0!"
LATIN1_EXPLAIN = u"Expl\xe9 <x>"
NO_BODY_CODES = (204, 304)


def to_bytes(text):
    """Latin-1 bytes of a str (paths and header values were decoded as latin-1)."""
    if PY2:
        return text if isinstance(text, str) else text.encode('latin-1')
    return text.encode('latin-1')


def header_pairs(handler):
    if PY2:
        pairs = []
        for line in handler.headers.headers:
            name, _, value = line.rstrip('\r\n').partition(':')
            pairs.append((name, value.lstrip(' \t')))
        return pairs
    return list(handler.headers.items())


def read_body(handler):
    te = handler.headers.get('Transfer-Encoding', '') or ''
    if te.lower() == 'chunked':
        parts = []
        while True:
            size_line = handler.rfile.readline(65537)
            size = int(size_line.split(b';')[0].strip(), 16)
            if size == 0:
                while handler.rfile.readline(65537) not in (b'\r\n', b'\n', b''):
                    pass
                return b''.join(parts)
            parts.append(handler.rfile.read(size))
            handler.rfile.readline(65537)
    length = int(handler.headers.get('Content-Length', '0') or '0')
    return handler.rfile.read(length) if length > 0 else b''


def send_error(handler, code, message=None, explain=None):
    if PY2:
        handler.send_error(code, message)
    else:
        handler.send_error(code, message, explain)


class FixtureHandler10(BaseHTTPRequestHandler):
    protocol_version = 'HTTP/1.0'

    def reply(self, code, body, message=None, ctype='text/plain', extra=()):
        self.send_response(code, message)
        no_body = code < 200 or code in NO_BODY_CODES
        if not no_body:
            self.send_header('Content-Type', ctype)
            self.send_header('Content-Length', str(len(body)))
        for name, value in extra:
            self.send_header(name, value)
        self.end_headers()
        if self.command != 'HEAD' and not no_body:
            self.wfile.write(body)

    def route(self):
        path = self.path
        if path == '/raise':
            raise RuntimeError('fixture boom')
        if path.startswith('/error/'):
            return send_error(self, int(path[len('/error/'):]))
        if path == '/error-custom':
            return send_error(self, 403, CUSTOM_MESSAGE, CUSTOM_EXPLAIN)
        if path == '/error-message':
            return send_error(self, 418, MESSAGE_ONLY)
        if path == '/error-latin1':
            return send_error(self, 400, LATIN1_MESSAGE, LATIN1_EXPLAIN)
        if path.startswith('/status/'):
            code = int(path[len('/status/'):])
            return self.reply(code, to_bytes('status %d\n' % code))
        if path == '/reason':
            return self.reply(200, b'reason\n', 'Totally Fine')
        if path == '/close':
            return self.reply(200, b'close\n', extra=[('Connection', 'close')])
        if path == '/keep-alive':
            return self.reply(200, b'keep-alive\n', extra=[('Connection', 'keep-alive')])
        if path == '/headers':
            text = ''.join('%s: %s\n' % pair for pair in header_pairs(self))
            return self.reply(200, to_bytes(text))
        text = '%s %s %s\n' % (self.command, path, self.request_version)
        return self.reply(200, to_bytes(text))

    def do_GET(self):
        self.route()

    def do_HEAD(self):
        self.route()

    def do_POST(self):
        if self.path == '/noread':
            return self.reply(200, b'noread\n')
        body = read_body(self)
        return self.reply(200, body, ctype='application/octet-stream')


class FixtureHandler11(FixtureHandler10):
    protocol_version = 'HTTP/1.1'


class FixtureServer(ThreadingMixIn, HTTPServer):
    daemon_threads = True


def dump_responses():
    table = {}
    for code, pair in BaseHTTPRequestHandler.responses.items():
        table[str(int(code))] = list(pair)
    sys.stdout.write(json.dumps(table, sort_keys=True) + '\n')


def main():
    if '--responses' in sys.argv[1:]:
        dump_responses()
        return
    servers = {
        '1.0': FixtureServer(('127.0.0.1', 0), FixtureHandler10),
        '1.1': FixtureServer(('127.0.0.1', 0), FixtureHandler11),
    }
    for server in servers.values():
        thread = threading.Thread(target=server.serve_forever, args=(0.05,))
        thread.daemon = True
        thread.start()
    info = {
        'python': sys.version.split()[0],
        'ports': dict((name, s.server_address[1]) for name, s in servers.items()),
    }
    sys.stdout.write(json.dumps(info) + '\n')
    sys.stdout.flush()
    # Serve until the parent closes our stdin (or dies).
    while sys.stdin.read(4096):
        pass
    for server in servers.values():
        server.shutdown()
        server.server_close()


if __name__ == '__main__':
    main()
