"""Production serving under gunicorn: graceful shutdown and JSON access logs."""

import json
import multiprocessing
import runpy
import signal
import threading
import time
import urllib.request

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
