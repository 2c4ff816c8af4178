"""The gunicorn worker of `config/gunicorn.conf.py`: gunicorn's own error answers (a request
that is not valid HTTP, a request line or headers over its limits) in problem+json too."""

import http
import json

from gunicorn import util
from gunicorn.workers.gthread import ThreadWorker

from api.errors import PROBLEM_JSON, problem_body

# What went wrong, for the statuses gunicorn answers by itself (before the app sees anything).
DETAILS = {
    400: "The request is not valid HTTP (its request line or a header is malformed).",
    403: "The request is refused by the server.",
    414: "The request line (method, URL and version) is longer than the server accepts; "
         "shorten the URL.",
    417: "The server cannot meet the request's Expect header.",
    431: "The request has too many header fields, or one that is too large.",
    500: "The server could not answer the request.",
    501: "The request's Transfer-Encoding is not supported.",
}


class _Page:
    """Stands in for the client's socket while gunicorn writes its HTML error page."""

    def __init__(self, sock):
        self._sock = sock
        self.written = b""

    def sendall(self, data):
        self.written += data

    def __getattr__(self, name):
        return getattr(self._sock, name)


def problem_answer(status):
    """The whole HTTP answer for `status`, as bytes, closing the connection."""
    body = json.dumps(problem_body(status, detail=DETAILS.get(status))).encode()
    head = (f"HTTP/1.1 {status} {http.HTTPStatus(status).phrase}\r\n"
            f"Content-Type: {PROBLEM_JSON}\r\nContent-Length: {len(body)}\r\n"
            "Connection: close\r\nCache-Control: no-store\r\n"
            "X-Content-Type-Options: nosniff\r\nAccess-Control-Allow-Origin: *\r\n\r\n")
    return head.encode("latin-1") + body


class ProblemThreadWorker(ThreadWorker):
    """gunicorn's gthread worker, answering its own errors as problem+json."""

    def handle_error(self, req, client, addr, exc):
        # gunicorn still logs the error, writes the access log line and picks the status;
        # only the HTML page it writes is replaced.
        page = _Page(client)
        super().handle_error(req, page, addr, exc)
        status_line = page.written.split(b"\r\n", 1)[0].split(b" ")
        if len(status_line) < 2 or not status_line[1].isdigit():
            return
        try:
            util.write_nonblock(client, problem_answer(int(status_line[1])))
        except OSError:
            self.log.debug("Failed to send error message.")
