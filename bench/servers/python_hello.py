"""Peer server, for the record: CPython 3.13's http.server with a BaseHTTPRequestHandler.

ThreadingHTTPServer (what `python -m http.server` uses), because the single-threaded HTTPServer
serves one keep-alive connection at a time and wrk's other 49 connections would time out.
Port from argv[1]; 127.0.0.1 only.
"""
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

HELLO = b"Hello, world!\n"
BODY_64K = b"a" * 65536
MAX_BODY_BYTES = 2 * 1048576


class Hello(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def _send(self, body):
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        if self.path == "/hello":
            self._send(HELLO)
        elif self.path == "/64k":
            self._send(BODY_64K)
        else:
            self.send_error(404)

    def do_POST(self):
        length = int(self.headers.get("Content-Length", "0"))
        if self.path != "/upload" or length > MAX_BODY_BYTES:
            self.send_error(404 if self.path != "/upload" else 413)
            return
        body = self.rfile.read(length)
        self._send(b"%d\n" % len(body))

    def log_message(self, format, *args):
        # Logger off, as for every other bare server in the bench.
        pass


class Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 511  # node's listen backlog; Python's default is 5


if __name__ == "__main__":
    Server(("127.0.0.1", int(sys.argv[1])), Hello).serve_forever()
