"""A real webhook receiver on the loopback interface: it records every call and answers the
statuses it is told to, in order (then 200)."""

import contextlib
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from standardwebhooks import Webhook


class Receiver:
    def __init__(self, host="127.0.0.1", statuses=(), location=None, answer=b"ok", delay=0.0):
        self.calls = []
        self.statuses = list(statuses)
        self.location = location  # sent with 3xx answers
        self.answer = answer
        self.delay = delay  # a slow receiver: seconds before it answers
        self.called = threading.Event()
        self.lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                with receiver.lock:
                    receiver.calls.append((dict(self.headers), body))
                    status = receiver.statuses.pop(0) if receiver.statuses else 200
                receiver.called.set()
                time.sleep(receiver.delay)
                self.send_response(status)
                if 300 <= status < 400 and receiver.location:
                    self.send_header("Location", receiver.location)
                self.send_header("Content-Length", str(len(receiver.answer)))
                self.end_headers()
                # The caller may read what it wants and hang up.
                with contextlib.suppress(ConnectionError):
                    self.wfile.write(receiver.answer)

            def log_message(self, *_args):
                pass

        self.server = ThreadingHTTPServer((host, 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self):
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}/hooks/cisip"

    def verified(self, secret):
        """Every call, checked with `secret` by the standardwebhooks package: (headers,
        parsed body)."""
        with self.lock:
            calls = list(self.calls)
        return [(headers, Webhook(secret).verify(body, headers)) for headers, body in calls]

    def close(self):
        self.server.shutdown()
        self.server.server_close()
