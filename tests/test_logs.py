"""Application logs: JSON lines in production, plain text in development, with request ids."""

import json

import pytest
from flask import Blueprint

from config import load_config

STRONG = "s" * 40


def crashing_app(make_app, **config):
    app = make_app(**config)
    boom = Blueprint("boom", __name__)

    @boom.get("/boom")
    def crash():
        raise RuntimeError("kaput")

    app.register_blueprint(boom)
    return app


def test_json_logs_are_one_object_a_line_with_the_request_id(make_app, capsys):
    app = crashing_app(make_app, LOG_FORMAT="json")
    response = app.test_client().get("/boom", headers={"X-Request-ID": "req-77"})

    assert response.status_code == 500
    lines = capsys.readouterr().err.splitlines()
    assert len(lines) == 1
    entry = json.loads(lines[0])
    assert {"level": "ERROR", "logger": "api.errors", "message": "unhandled error",
            "request_id": "req-77"}.items() <= entry.items()
    assert entry["time"].endswith("Z")
    assert "RuntimeError: kaput" in entry["exception"]


def test_text_logs_are_plain_lines_with_the_request_id(make_app, capsys):
    app = crashing_app(make_app, LOG_FORMAT="text")
    response = app.test_client().get("/boom", headers={"X-Request-ID": "req-78"})

    assert response.status_code == 500
    first_line = capsys.readouterr().err.splitlines()[0]
    assert " ERROR [req-78] api.errors: unhandled error" in first_line
    with pytest.raises(json.JSONDecodeError):
        json.loads(first_line)


@pytest.mark.parametrize(("app_env", "env", "expected"), [
    ("development", {}, "text"),
    ("production", {}, "json"),
    ("development", {"LOG_FORMAT": "json"}, "json"),
    ("production", {"LOG_FORMAT": "text"}, "text"),
])
def test_log_format_is_json_in_production_or_when_asked(app_env, env, expected):
    env = env | {"SECRET_KEY": STRONG, "JWT_SECRET_KEY": STRONG + "j"}
    config = load_config(app_env, env=env)
    assert expected == config.LOG_FORMAT
