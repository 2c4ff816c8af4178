"""Faults: Redis and the database going away mid-run, and coming back.

The API answers 503 problem+json with Retry-After for what needs the database, keeps serving
what it can (cached responses, /health/live, everything but caching when Redis is gone),
says in /health/ready which dependency failed, and recovers by itself. No answer ever
carries a stack trace (`assert_problem` checks every error body for one).
"""

import time
import uuid
from urllib.parse import quote

import pytest
from sqlalchemy import text

from api import create_app
from tests.conftest import DATABASE_URL, PG_SCHEMA, flush_test_keys, make_config, stop_worker
from tests.faults import RedisServer, Relay, free_port
from tests.helpers import PASSWORD, assert_problem, bearer

LEAKS = ("Traceback", "File \"", "sqlalchemy", "psycopg", "redis.exceptions")


def assert_no_trace(response):
    body = response.get_data(as_text=True)
    for leak in LEAKS:
        assert leak not in body, (response.status_code, body[:300])
    return response


def login(client, member):
    response = client.post("/api/v1/auth/login", json={"email": member.email,
                                                       "password": PASSWORD})
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.json


def wait_until(predicate, seconds=5.0):
    deadline = time.monotonic() + seconds
    while not predicate():
        assert time.monotonic() < deadline, "did not recover in time"
        time.sleep(0.05)


@pytest.fixture
def redis_server():
    server = RedisServer().start()
    yield server
    server.kill()


def park_names(client):
    response = assert_no_trace(client.get("/api/v1/parks"))
    assert response.status_code == 200
    return [park["name"] for park in response.json["items"]], response.headers["X-Cache"]


class TestRedisGoesAway:
    def test_the_api_keeps_working_without_redis_and_resumes_caching(self, make_app,
                                                                      make_member,
                                                                      redis_server):
        app = make_app(REDIS_URL=redis_server.url)
        client = app.test_client()
        editor = bearer(login(client, make_member(role="editor"))["access_token"])
        park = client.post("/api/v1/parks", json={"name": "Taguspark", "country": "PT"},
                           headers=editor).json
        assert park_names(client) == (["Taguspark"], "MISS")
        assert park_names(client) == (["Taguspark"], "HIT")
        member = make_member()
        staying, leaving = login(client, member), login(client, member)

        redis_server.kill()

        # Reads come from the database; writes purge nothing but still succeed.
        assert park_names(client)[0] == ["Taguspark"]
        renamed = client.patch(f"/api/v1/parks/{park['id']}", json={"name": "Tagus Park"},
                               headers=editor)
        assert assert_no_trace(renamed).status_code == 200
        assert park_names(client)[0] == ["Tagus Park"]
        # Logins, token checks and rate limits go on (the database and memory decide);
        # a logout still ends its login: revocation never fails open.
        assert login(client, member)["access_token"]
        assert client.get("/api/v1/auth/me",
                          headers=bearer(staying["access_token"])).status_code == 200
        assert client.post("/api/v1/auth/logout",
                           headers=bearer(leaving["access_token"])).status_code == 204
        assert_problem(client.get("/api/v1/auth/me", headers=bearer(leaving["access_token"])),
                       401, "token_revoked")
        assert client.get("/health/live").status_code == 200
        body = assert_problem(client.get("/health/ready"), 503, "service_unavailable")
        assert body["checks"] == {"database": "ok", "redis": "unavailable"}

        redis_server.start()

        wait_until(lambda: client.get("/health/ready").status_code == 200)
        assert park_names(client) == (["Tagus Park"], "MISS")
        assert park_names(client) == (["Tagus Park"], "HIT")
        assert_problem(client.get("/api/v1/auth/me", headers=bearer(leaving["access_token"])),
                       401, "token_revoked")

    def test_a_write_while_redis_hangs_is_not_hidden_by_a_stale_cache(self, make_app,
                                                                      make_member,
                                                                      redis_server):
        """Redis unreachable (not restarted: its entries survive) while a write cannot purge
        them; once it answers again, the stale entry must not be served."""
        app = make_app(REDIS_URL=redis_server.url)
        client = app.test_client()
        editor = bearer(login(client, make_member(role="editor"))["access_token"])
        park = client.post("/api/v1/parks", json={"name": "Taguspark", "country": "PT"},
                           headers=editor).json
        park_names(client)
        assert park_names(client) == (["Taguspark"], "HIT")
        redis_server.pause()
        try:
            assert client.patch(f"/api/v1/parks/{park['id']}", json={"name": "Tagus Park"},
                                headers=editor).status_code == 200
        finally:
            redis_server.resume()
        assert park_names(client)[0] == ["Tagus Park"]
        assert client.get(f"/api/v1/parks/{park['id']}").json["name"] == "Tagus Park"

    def test_a_write_while_redis_hangs_reaches_other_processes_once_it_answers(
            self, make_app, make_member, redis_server):
        """The writer retries its failed purge by itself: another process must not go on
        reading the entry that survived in Redis until the writer happens to read."""
        a, b = make_app(REDIS_URL=redis_server.url), make_app(REDIS_URL=redis_server.url)
        writer, reader = a.test_client(), b.test_client()
        editor = bearer(login(writer, make_member(role="editor"))["access_token"])
        park = writer.post("/api/v1/parks", json={"name": "Taguspark", "country": "PT"},
                           headers=editor).json
        detail = f"/api/v1/parks/{park['id']}"
        reader.get(detail)
        assert reader.get(detail).headers["X-Cache"] == "HIT"
        redis_server.pause()
        try:
            assert writer.patch(detail, json={"name": "Tagus Park"},
                                headers=editor).status_code == 200
        finally:
            redis_server.resume()
        time.sleep(1.0)  # the writer does nothing more
        assert reader.get(detail).json["name"] == "Tagus Park"
        assert reader.get(detail).headers["X-Cache"] == "HIT"


def fresh_app(tmp_path, database_url, **overrides):
    """An app of its own (not in the test's rolled-back transaction), on `database_url`."""
    prefix = f"cisip-test:{uuid.uuid4().hex}:"
    return create_app(make_config(tmp_path, prefix, DATABASE_URL=database_url, **overrides))


def close(app):
    stop_worker(app)
    app.extensions["db.engine"].dispose()
    flush_test_keys(app)
    app.extensions["store"].close()


def assert_database_unavailable(response):
    assert_problem(response, 503, "service_unavailable")
    assert int(response.headers["Retry-After"]) > 0


def test_an_unreachable_database_is_503_for_what_needs_it(tmp_path):
    app = fresh_app(tmp_path, f"postgresql+psycopg://postgres@127.0.0.1:{free_port()}/none"
                              "?connect_timeout=2")
    try:
        client = app.test_client()
        for response in (client.get("/api/v1/parks"), client.get("/api/v1/news/some-news"),
                         client.get("/api/v1/search?q=park"),
                         client.post("/api/v1/auth/login", json={"email": "a@example.org",
                                                                 "password": PASSWORD}),
                         client.post("/api/v1/auth/password/forgot",
                                     json={"email": "a@example.org"})):
            assert_database_unavailable(response)
        assert client.get("/health/live").status_code == 200
        body = assert_problem(client.get("/health/ready"), 503, "service_unavailable")
        assert body["checks"]["database"] == "unavailable"
        assert "database" in body["detail"]
        # What needs no database still answers.
        assert client.get("/openapi.json").status_code == 200
        assert_problem(client.get("/api/v1/auth/me"), 401, "token_missing")
    finally:
        close(app)


needs_postgres = pytest.mark.skipif(not DATABASE_URL, reason="cutting database connections "
                                    "mid-run needs PostgreSQL (TEST_DATABASE_URL)")


def postgres_url(host, port, application_name):
    """The test database, reached at host:port, in this run's schema."""
    base = DATABASE_URL.split("@", 1)[0]
    database = DATABASE_URL.rsplit("/", 1)[1]
    options = quote(f"-csearch_path={PG_SCHEMA}")
    return (f"{base}@{host}:{port}/{database}?options={options}"
            f"&application_name={application_name}&connect_timeout=2")


def pg_address():
    host_port = DATABASE_URL.split("@", 1)[1].split("/", 1)[0]
    host, _, port = host_port.partition(":")
    return host, int(port or 5432)


@needs_postgres
def test_database_cut_mid_run_503_then_recovers_by_itself(tmp_path):
    relay = Relay(*pg_address())
    app = fresh_app(tmp_path, postgres_url("127.0.0.1", relay.port, "cisip-faults"))
    client = app.test_client()
    try:
        assert client.get("/api/v1/parks").headers["X-Cache"] == "MISS"
        assert client.get("/api/v1/parks").headers["X-Cache"] == "HIT"
        assert client.get("/health/ready").status_code == 200

        relay.cut()

        cached = assert_no_trace(client.get("/api/v1/parks"))
        assert (cached.status_code, cached.headers["X-Cache"]) == (200, "HIT")
        for _ in range(2):  # the pooled connections are dead, then none can be made
            assert_database_unavailable(client.get("/api/v1/speakers"))
            assert_database_unavailable(client.post("/api/v1/auth/login", json={
                "email": "a@example.org", "password": PASSWORD}))
        assert client.get("/health/live").status_code == 200
        body = assert_problem(client.get("/health/ready"), 503, "service_unavailable")
        assert body["checks"]["database"] == "unavailable"

        relay.restore()

        assert client.get("/api/v1/speakers").status_code == 200
        assert client.get("/health/ready").status_code == 200
    finally:
        close(app)
        relay.close()


@needs_postgres
def test_connections_killed_by_the_server_are_replaced_silently(tmp_path, pg_engine):
    name = f"cisip-faults-{uuid.uuid4().hex[:8]}"
    host, port = pg_address()
    app = fresh_app(tmp_path, postgres_url(host, port, name))
    client = app.test_client()
    try:
        assert client.get("/api/v1/speakers").status_code == 200
        with pg_engine.connect() as connection:
            killed = connection.execute(text(  # waits until each has ended
                "SELECT count(pg_terminate_backend(pid, 5000)) FROM pg_stat_activity "
                "WHERE application_name = :name"), {"name": name}).scalar()
        assert killed >= 1
        # The pool notices the dead connection at checkout and opens another one (a list not
        # asked before: a cached answer would not touch the database).
        response = assert_no_trace(client.get("/api/v1/parks"))
        assert response.status_code == 200
    finally:
        close(app)
