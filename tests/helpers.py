"""Assertions and helpers shared by the tests."""

import contextlib
import re
import threading
from email import message_from_bytes, policy
from pathlib import Path

from api.worker import drain

PASSWORD = "correct horse battery"


def bearer(token):
    return {"Authorization": f"Bearer {token}"}


def assert_problem(response, status, code=None):
    """The response is problem+json with `status` (and `code`), and leaks nothing."""
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/problem+json"
    body = response.json
    assert body["status"] == status
    assert body["type"] == "about:blank"
    assert body["title"] and body["detail"]
    if code is not None:
        assert body["code"] == code, body
    text_body = response.get_data(as_text=True)
    for leak in ("Traceback", "sqlalchemy", "SELECT ", "psycopg", "SECRET"):
        assert leak not in text_body
    return body


def outbox(app):
    """The emails the app wrote to its `file://` outbox, oldest first, once the worker has
    delivered everything due (in this thread, until the queue is empty)."""
    drain(app)
    folder = Path(app.config["MAIL_URL"].removeprefix("file://"))
    files = sorted(folder.glob("*.eml")) if folder.exists() else []
    return [message_from_bytes(f.read_bytes(), policy=policy.default) for f in files]


def mails_to(app, email):
    return [m for m in outbox(app) if m["To"] == email]


def text_body(message):
    return message.get_body(("plain",)).get_content()


def link_token(message, path):
    """The token of the `{FRONTEND_URL}/{path}?token=…` link in the email."""
    found = re.search(rf"https://cisip\.example/{path}\?token=([\w-]+)", text_body(message))
    assert found, text_body(message)
    return found.group(1)


def assert_login_ended(client, tokens):
    """Both tokens of the login answer 401 `token_revoked`."""
    assert_problem(client.get("/api/v1/auth/me", headers=bearer(tokens["access_token"])),
                   401, "token_revoked")
    assert_problem(client.post("/api/v1/auth/refresh", headers=bearer(tokens["refresh_token"])),
                   401, "token_revoked")


@contextlib.contextmanager
def serving_in_thread(server, host="127.0.0.1"):
    """Serve `server` (a werkzeug or http.server server) from a thread; yield its origin,
    named with `host`."""
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://{host}:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
