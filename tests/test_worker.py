"""The worker as it runs: `flask --app wsgi worker` processes (woken by the commit, finishing
the item in hand on SIGTERM, seen by operators), and the in-process worker of `make run`.

These tests use a database of their own whose commits are real (`committed_database`), since
a worker process cannot see the rolled-back transaction of the other tests.
"""

import os
import signal
import subprocess
import sys
import uuid

import pytest
from sqlalchemy import func, select

from api.extensions import db
from api.models import OutboxItem, Role
from api.services import webhooks
from api.services.members import create_member
from tests.conftest import stop_worker
from tests.helpers import PASSWORD, bearer
from tests.receiver import Receiver
from tests.workers import ROOT, wait_until, worker_process


def admin_login(app):
    with app.app_context():
        member = create_member(f"admin-{uuid.uuid4().hex[:6]}@example.org", PASSWORD,
                               Role.ADMIN, "Admin")
    response = app.test_client().post("/api/v1/auth/login",
                                      json={"email": member.email, "password": PASSWORD})
    return bearer(response.json["access_token"])


def make_endpoint(app, receiver, events=("park.created",)):
    with app.app_context():
        return webhooks.create_endpoint({"url": receiver.url, "events": list(events)}, None)


def pending(app):
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(OutboxItem))


def test_a_worker_process_is_woken_by_the_commit_not_the_poll(tmp_path, make_live_app):
    """The poll interval is 30 s here: a delivery within seconds is the wake-up's doing
    (PostgreSQL NOTIFY at commit; on SQLite a worker process only polls, so it is skipped)."""
    app = make_live_app()
    if app.extensions["db.engine"].dialect.name != "postgresql":
        pytest.skip("a separate worker process is woken by PostgreSQL's NOTIFY only")
    receiver = Receiver()
    try:
        endpoint = make_endpoint(app, receiver)
        admin = admin_login(app)
        with worker_process(tmp_path, app) as process:
            wait_until(lambda: _workers(app, admin), what="the worker's first heartbeat")
            with app.app_context():
                event = webhooks.send_test(endpoint.id)
            wait_until(lambda: receiver.calls, seconds=5, what="the delivery")
            assert receiver.calls[0][0]["webhook-id"] == str(event.id)
            process.send_signal(signal.SIGTERM)
            assert process.wait(timeout=15) == 0
        assert _workers(app, admin) == []  # a stopped worker takes its row away
    finally:
        receiver.close()


def _workers(app, admin):
    response = app.test_client().get("/api/v1/admin/outbox", headers=admin)
    assert response.status_code == 200
    return response.json["workers"]


def test_sigterm_lets_the_worker_finish_the_item_in_hand(tmp_path, make_live_app):
    app = make_live_app()
    receiver = Receiver(delay=1.5)  # a slow partner: the call is in flight at SIGTERM
    try:
        endpoint = make_endpoint(app, receiver)
        with app.app_context():
            webhooks.send_test(endpoint.id)
            webhooks.send_test(endpoint.id)
        with worker_process(tmp_path, app, "--threads", "1") as process:
            assert receiver.called.wait(20), "the worker never called"
            process.send_signal(signal.SIGTERM)
            assert process.wait(timeout=15) == 0
        assert len(receiver.calls) == 1  # the second was given back, not started
        with app.app_context():
            [attempt] = webhooks.list_deliveries(
                endpoint.id, {"page": 1, "per_page": 10, "sort": "-attempted_at"}).items
            assert attempt.succeeded and attempt.http_status == 200
        assert pending(app) == 1  # the second one waits for the next worker, due at once
        with app.app_context():
            due = db.session.scalar(select(OutboxItem.attempts))
        assert due == 0
    finally:
        receiver.close()


def test_the_in_process_worker_of_make_run_delivers_and_stops(make_live_app, tmp_path):
    """WORKER_IN_PROCESS (the development default): the app's first request starts its worker
    threads; a mail queued by a request is delivered without anything else running."""
    app = make_live_app(WORKER_IN_PROCESS="true")
    client = app.test_client()
    with app.app_context():
        member = create_member("wu.wensheng@example.org", PASSWORD, Role.MEMBER, "Wu Wensheng")
    assert "outbox.worker" not in app.extensions  # nothing runs before the app serves
    response = client.post("/api/v1/auth/password/forgot", json={"email": member.email})
    assert response.status_code == 202
    outbox = tmp_path / "outbox"
    wait_until(lambda: list(outbox.glob("*.eml")), seconds=5, what="the reset mail")
    worker = app.extensions["outbox.worker"]
    stop_worker(app)
    assert not worker._runner.is_alive()
    assert pending(app) == 0


def test_worker_drain_delivers_what_is_due_and_exits(tmp_path, make_live_app):
    app = make_live_app()
    receiver = Receiver()
    try:
        endpoint = make_endpoint(app, receiver)
        with app.app_context():
            webhooks.send_test(endpoint.id)
        result = subprocess.run(
            [sys.executable, "-m", "flask", "--app", "wsgi", "worker", "--drain"], cwd=ROOT,
            env=os.environ | {"APP_ENV": "testing", "DATABASE_URL": app.config["DATABASE_URL"],
                              "WEBHOOK_ALLOW_HTTP": "true",
                              "WEBHOOK_ALLOWED_HOSTS": "127.0.0.1"},
            capture_output=True, text=True, timeout=60, check=False)
        assert result.returncode == 0, result.stderr
        assert result.stdout.strip() == "1 item(s) attempted."
        assert len(receiver.calls) == 1 and pending(app) == 0
    finally:
        receiver.close()
