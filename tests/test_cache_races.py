"""Nothing stale is kept: an answer built from rows read before a concurrent write's commit
is never stored after that write's purge (responses, list totals, login states).

Each test pauses a reader thread right after it has read the rows, lets a write commit and
purge in between, then lets the reader finish and store what it built. These interleavings
happen under load (a list stayed stale for minutes, one write in 30 to 60); here they are
forced, so that the tests fail whenever the store keeps such an answer.
"""

import threading
import uuid
from contextlib import contextmanager

from sqlalchemy import event
from sqlalchemy.engine import Engine

from api.extensions import db as database
from api.models import Member, MemberStatus, Role
from tests.helpers import PASSWORD, assert_problem, bearer


def committed_login(app, role):
    """A member of `role` in the committing app, logged in: their token pair."""
    email = f"{uuid.uuid4().hex[:8]}@races.example"
    with app.app_context():
        member = Member(email=email, full_name="Racer", role=Role(role),
                        status=MemberStatus.ACTIVE)
        member.password = PASSWORD
        database.session.add(member)
        database.session.commit()
    response = app.test_client().post("/api/v1/auth/login",
                                      json={"email": email, "password": PASSWORD})
    assert response.status_code == 200, response.json
    return response.json


@contextmanager
def reader_paused_after(matches):
    """Run `read()` in a thread that stops right after its first query `matches` (a
    predicate on the SQL) until the block ends; the block gets the thread's start function
    and waits for that query itself."""
    reached, resume = threading.Event(), threading.Event()
    results = []
    threads = []

    def pause(_conn, _cursor, statement, *_args):
        if threading.current_thread() in threads and not reached.is_set() and matches(
                statement):
            reached.set()
            resume.wait(10)

    def start(read):
        thread = threading.Thread(target=lambda: results.append(read()))
        threads.append(thread)
        thread.start()
        assert reached.wait(10), "the reader never ran its query"

    event.listen(Engine, "after_cursor_execute", pause)
    try:
        yield start, results
    finally:
        resume.set()
        for thread in threads:
            thread.join(10)
        event.remove(Engine, "after_cursor_execute", pause)


def reads_rows_of(table):
    """A query reading rows of `table` (a page may carry its count; a count alone is not)."""
    return lambda sql: f"FROM {table}" in sql and not sql.lower().startswith("select count(")


def test_a_list_read_before_a_write_is_not_kept(committing_app):
    app = committing_app()
    editor = bearer(committed_login(app, "editor")["access_token"])
    client = app.test_client()
    park = client.post("/api/v1/parks", json={"name": "Taguspark", "country": "PT"},
                       headers=editor).json
    with reader_paused_after(reads_rows_of("parks")) as (start, results):
        start(lambda: app.test_client().get("/api/v1/parks"))
        renamed = client.patch(f"/api/v1/parks/{park['id']}", json={"name": "Tagus Park"},
                               headers=editor)
        assert renamed.status_code == 200
    assert [p["name"] for p in results[0].json["items"]] == ["Taguspark"]  # read before
    assert [p["name"] for p in client.get("/api/v1/parks").json["items"]] == ["Tagus Park"]


def test_a_total_counted_before_a_write_is_not_kept(committing_app):
    app = committing_app()
    editor = bearer(committed_login(app, "editor")["access_token"])
    client = app.test_client()

    def publish(title):
        response = client.post("/api/v1/news", headers=editor, json={
            "title": title, "body": "<p>News.</p>", "status": "published",
            "published_at": "2021-12-09T00:00:00Z"})
        assert response.status_code == 201, response.json

    publish("First")
    counts_news = lambda sql: "count(" in sql.lower() and "FROM news" in sql  # noqa: E731
    with reader_paused_after(counts_news) as (start, results):
        start(lambda: app.test_client().get("/api/v1/news"))
        publish("Second")
    assert results[0].json["pagination"]["total"] == 1  # counted before
    # Another page size is another response, but the same filters share one cached total.
    assert client.get("/api/v1/news?per_page=5").json["pagination"]["total"] == 2


def test_a_login_read_before_its_logout_is_not_kept(committing_app):
    app = committing_app()
    tokens = committed_login(app, "member")
    headers = bearer(tokens["access_token"])
    client = app.test_client()
    reads_login = lambda sql: "FROM auth_sessions" in sql  # noqa: E731
    with reader_paused_after(reads_login) as (start, results):
        start(lambda: app.test_client().get("/api/v1/auth/me", headers=headers))
        assert client.post("/api/v1/auth/logout", headers=headers).status_code == 204
    assert results[0].status_code == 200  # checked before the logout
    assert_problem(client.get("/api/v1/auth/me", headers=headers), 401, "token_revoked")
    assert_problem(client.get("/api/v1/news", headers=headers), 401, "token_revoked")

