"""Production serving under gunicorn: graceful shutdown and JSON access logs."""

import json
import multiprocessing
import runpy
import signal
import socket
import threading
import time
import urllib.request
from urllib.parse import urlsplit

import pytest

from tests.gunicorn_server import CONF, gunicorn

pytestmark = pytest.mark.serving


def fetch(url, headers=None):
    request = urllib.request.Request(url, headers=headers or {})  # noqa: S310
    with urllib.request.urlopen(request, timeout=15) as response:  # noqa: S310
        return response.status, dict(response.headers), json.loads(response.read())


def wait_for(path, seconds=5):
    deadline = time.monotonic() + seconds
    while not path.exists():
        assert time.monotonic() < deadline, f"{path} never appeared"
        time.sleep(0.02)


def test_sigterm_lets_the_request_in_flight_finish(tmp_path):
    with gunicorn(tmp_path, SLOW_SECONDS="1.5", LOG_FORMAT="json") as (server, url):
        answer = {}
        client = threading.Thread(target=lambda: answer.update(
            zip(("status", "headers", "body"),
                fetch(url + "/slow", {"X-Request-ID": "graceful-1"}), strict=True)))
        client.start()
        wait_for(tmp_path / "slow-started")
        server.send_signal(signal.SIGTERM)
        client.join(timeout=10)
        exit_code = server.wait(timeout=10)

    assert answer["status"] == 200
    assert answer["body"] == {"status": "finished"}
    assert answer["headers"]["X-Request-ID"] == "graceful-1"
    assert exit_code == 0


def test_access_log_lines_are_json_with_the_request_id(tmp_path):
    with gunicorn(tmp_path, LOG_FORMAT="json") as (server, url):
        status, _, _ = fetch(url + "/health/live?probe=%22quoted", {"X-Request-ID": "abc-42"})
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=10)

    assert status == 200
    lines = [json.loads(line) for line in (tmp_path / "stdout.log").read_text().splitlines()]
    access = [line for line in lines if line["query"]]
    assert len(access) == 1
    assert access[0] | {"time": None, "duration_ms": None, "bytes": None} == {
        "time": None, "level": "INFO", "logger": "gunicorn.access",
        "message": "GET /health/live 200", "request_id": "abc-42", "method": "GET",
        "path": "/health/live", "query": "probe=%22quoted", "status": 200, "bytes": None,
        "duration_ms": None, "remote_addr": "127.0.0.1", "user_agent": "Python-urllib/3.11",
    }
    errors = [json.loads(line) for line in (tmp_path / "stderr.log").read_text().splitlines()]
    assert {"logger": "gunicorn.error", "message": "Shutting down: Master"}.items() <= (
        errors[-1].items())


def load_gunicorn_settings(monkeypatch, **env):
    for name in ("WEB_CONCURRENCY", "HOST", "PORT", "GUNICORN_GRACEFUL_TIMEOUT", "LOG_FORMAT"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("APP_ENV", "testing")
    return runpy.run_path(str(CONF))


def test_workers_follow_the_cpu_count_unless_web_concurrency_says(monkeypatch):
    settings = load_gunicorn_settings(monkeypatch)
    assert settings["workers"] == multiprocessing.cpu_count() * 2 + 1
    assert settings["bind"] == "0.0.0.0:8000"
    assert settings["graceful_timeout"] == 30
    assert "logger_class" not in settings

    settings = load_gunicorn_settings(monkeypatch, WEB_CONCURRENCY="3", HOST="127.0.0.1",
                                      PORT="5104", GUNICORN_GRACEFUL_TIMEOUT="12",
                                      LOG_FORMAT="json")
    assert settings["workers"] == 3
    assert settings["bind"] == "127.0.0.1:5104"
    assert settings["graceful_timeout"] == 12
    assert settings["logger_class"].__name__ == "GunicornJsonLogger"


def raw_exchange(url, request_bytes):
    """Send bytes as they are (no client library would send these) and read the answer."""
    parts = urlsplit(url)
    with socket.create_connection((parts.hostname, parts.port), timeout=10) as sock:
        sock.sendall(request_bytes)
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
    head, _, body = answer.partition(b"\r\n\r\n")
    status_line, *header_lines = head.decode("latin-1").split("\r\n")
    headers = dict(line.split(": ", 1) for line in header_lines)
    return int(status_line.split(" ")[1]), headers, body


GUNICORN_ERRORS = [
    ("a request line over the limit", b"GET /api/v1/parks?q=" + b"a" * 5000 + b" HTTP/1.1\r\n"
     b"Host: x\r\n\r\n", 414, "uri_too_long"),
    ("a header over the size limit", b"GET /health/live HTTP/1.1\r\nHost: x\r\nX-Big: "
     + b"a" * 9000 + b"\r\n\r\n", 431, "header_fields_too_large"),
    ("too many headers", b"GET /health/live HTTP/1.1\r\nHost: x\r\n"
     + b"".join(b"X-H%d: 1\r\n" % n for n in range(120)) + b"\r\n", 431,
     "header_fields_too_large"),
    ("not HTTP at all", b"HELLO THERE\r\n\r\n", 400, "bad_request"),
    ("a malformed header", b"GET /health/live HTTP/1.1\r\nHost: x\r\nNo colon here\r\n\r\n",
     400, "bad_request"),
    ("an unknown HTTP version", b"GET /health/live HTTP/7.1\r\nHost: x\r\n\r\n", 400,
     "bad_request"),
]


def test_gunicorns_own_errors_are_problem_json(tmp_path):
    with gunicorn(tmp_path) as (server, url):
        answers = [raw_exchange(url, request) for _, request, _, _ in GUNICORN_ERRORS]
        fine = raw_exchange(url, b"GET /health/live HTTP/1.1\r\nHost: x\r\n"
                            b"Connection: close\r\n\r\n")
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=10)

    assert fine[0] == 200  # the worker still serves the app
    for (case, _, status, code), (got, headers, body) in zip(GUNICORN_ERRORS, answers,
                                                              strict=True):
        assert got == status, case
        assert headers["Content-Type"] == "application/problem+json", case
        assert int(headers["Content-Length"]) == len(body)
        problem = json.loads(body)
        assert problem["status"] == status and problem["code"] == code, case
        assert problem["type"] == "about:blank" and problem["title"] and problem["detail"]
        assert b"<" not in body
