"""API8:2023 Security misconfiguration: security headers on every answer (errors included),
no stack traces, and a shared response cache that forged headers cannot poison."""

import pytest
from sqlalchemy.exc import OperationalError

from tests.helpers import assert_problem

SECURITY_HEADERS = ("X-Content-Type-Options", "Referrer-Policy", "Content-Security-Policy",
                    "X-Frame-Options")


def assert_security_headers(response):
    for name in SECURITY_HEADERS:
        assert name in response.headers, (name, response.status_code)
    assert response.headers["X-Content-Type-Options"] == "nosniff"


@pytest.fixture
def failing_app(make_app):
    """An app with two extra routes that fail the way real code can."""
    app = make_app(HSTS_SECONDS=31536000)

    def boom():
        raise RuntimeError("SECRET internal detail /srv/app/api/x.py line 3")

    def database_gone():
        raise OperationalError("SELECT secret FROM x", {}, Exception("psycopg: server closed"))

    app.add_url_rule("/api/v1/_boom", "boom", boom)
    app.add_url_rule("/api/v1/_db", "database_gone", database_gone)
    return app


def test_security_headers_on_every_kind_of_error(failing_app):
    client = failing_app.test_client()
    answers = {
        400: client.post("/api/v1/auth/login", data="{", content_type="application/json"),
        401: client.get("/api/v1/auth/me"),
        404: client.get("/api/v1/nowhere"),
        405: client.delete("/api/v1/parks"),
        413: client.post("/api/v1/auth/login", data=b"x" * (21 * 1024 * 1024),
                         content_type="application/json"),
        422: client.post("/api/v1/auth/login", json={}),
        500: client.get("/api/v1/_boom"),
        503: client.get("/api/v1/_db"),
    }
    for status, response in answers.items():
        assert_problem(response, status)
        assert_security_headers(response)
        assert response.headers["Strict-Transport-Security"].startswith("max-age=31536000")
        assert "SECRET" not in response.get_data(as_text=True)
        assert "/srv/app" not in response.get_data(as_text=True)
    assert answers[503].headers["Retry-After"]


def test_debug_and_testing_never_leak_traces(failing_app):
    response = failing_app.test_client().get("/api/v1/_boom")
    body = assert_problem(response, 500, "internal_error")
    assert set(body) == {"type", "title", "status", "code", "detail"}


def test_errors_are_never_cached_publicly(client):
    response = client.get("/api/v1/parks/nothing-here")
    assert_problem(response, 404)
    assert "public" not in response.headers.get("Cache-Control", "")


class TestCachePoisoning:
    """The shared cache answers everyone: what one client sends must not change what others
    are served."""

    @pytest.fixture
    def parks(self, make_park):
        for index in range(3):
            make_park(f"Park {index}")

    def test_a_forged_host_does_not_reach_others(self, client, parks):
        forged = client.get("/api/v1/parks?per_page=1", headers={"Host": "evil.example"})
        assert "evil.example" in forged.headers["Link"]  # the attacker sees their own host
        normal = client.get("/api/v1/parks?per_page=1")
        assert "evil.example" not in normal.headers["Link"]
        assert "http://localhost/api/v1/parks" in normal.headers["Link"]
        again = client.get("/api/v1/parks?per_page=1")
        assert again.headers["X-Cache"] == "HIT"
        assert "evil.example" not in again.headers["Link"]

    def test_forwarded_host_headers_are_ignored(self, client, parks):
        for header in ("X-Forwarded-Host", "X-Host", "X-Forwarded-Server", "Forwarded",
                       "X-Original-URL", "X-Rewrite-URL"):
            value = "for=1.2.3.4;host=evil.example" if header == "Forwarded" else "evil.example"
            response = client.get("/api/v1/parks?per_page=1", headers={header: value})
            assert response.status_code == 200
            assert "evil.example" not in response.headers["Link"], header
        assert "evil.example" not in client.get("/api/v1/parks?per_page=1").headers["Link"]

    def test_a_forged_forwarded_proto_behind_a_proxy_does_not_reach_others(self, make_app):
        app = make_app(TRUSTED_PROXIES=1)
        client = app.test_client()
        forged = client.get("/api/v1/parks?per_page=1",
                            headers={"X-Forwarded-Proto": "javascript"})
        assert forged.status_code == 200
        normal = client.get("/api/v1/parks?per_page=1")
        assert "javascript" not in normal.headers["Link"]

    def test_location_of_created_items_is_relative(self, client, auth_headers):
        response = client.post("/api/v1/parks", json={"name": "X Park", "country": "PT"},
                               headers=auth_headers("editor") | {"Host": "evil.example"})
        assert response.status_code == 201
        assert response.headers["Location"].startswith("/api/v1/parks/")

    def test_unkeyed_headers_do_not_change_the_cached_answer(self, client, parks):
        baseline = client.get("/api/v1/parks")
        for headers in ({"Origin": "https://evil.example"}, {"X-Request-ID": "<script>"},
                        {"Accept": "text/html"}, {"X-HTTP-Method-Override": "DELETE"},
                        {"User-Agent": "evil"}, {"Accept-Encoding": "gzip"}):
            response = client.get("/api/v1/parks", headers=headers)
            assert response.status_code == 200
            assert response.get_data() == baseline.get_data()
        assert client.get("/api/v1/parks").json == baseline.json
        assert client.get("/api/v1/parks").json["pagination"]["total"] == 3
