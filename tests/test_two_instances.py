"""Two app instances sharing PostgreSQL and Redis behave as one API.

Two `make_app()`s of one test share the database and the Redis key prefix, as the processes
of one deployment do; nothing either keeps in its own memory may make them disagree. Parts
that need a shared Redis are skipped on the SQLite run, where each process has its own
in-process store by design (one process, no Redis: the documented default).
"""

import pytest

from tests.conftest import REDIS_URL
from tests.helpers import PASSWORD, assert_problem, bearer
from tests.test_report_downloads import create_report, download_path

needs_redis = pytest.mark.skipif(
    not REDIS_URL, reason="sharing rate limits and the response cache between processes "
    "needs Redis (TEST_REDIS_URL); without it each process keeps its own, by design")


@pytest.fixture
def pair(make_app):
    """Instances A and B, with rate limits on (low) and a download quota of 3."""
    apps = [make_app(RATELIMIT_ENABLED="true", RATELIMIT_LOGIN_ACCOUNT="3/hour",
                     RATELIMIT_LOGIN_IP="100/hour", REPORT_DAILY_DOWNLOAD_QUOTA=3)
            for _ in range(2)]
    return [app.test_client() for app in apps]


def login(client, email):
    response = client.post("/api/v1/auth/login", json={"email": email, "password": PASSWORD})
    assert response.status_code == 200, response.json
    return response.json


def test_login_on_a_refresh_on_b_logout_on_a_then_b_refuses(pair, make_member):
    a, b = pair
    member = make_member()
    tokens = login(a, member.email)
    assert b.get("/api/v1/auth/me", headers=bearer(tokens["access_token"])).status_code == 200
    refreshed = b.post("/api/v1/auth/refresh", headers=bearer(tokens["refresh_token"]))
    assert refreshed.status_code == 200
    fresh = refreshed.json
    assert b.get("/api/v1/auth/me", headers=bearer(fresh["access_token"])).status_code == 200
    sessions = a.get("/api/v1/auth/sessions", headers=bearer(fresh["access_token"])).json
    assert len(sessions["items"]) == 1
    assert a.post("/api/v1/auth/logout", headers=bearer(fresh["access_token"])).status_code == 204
    for token in (fresh["access_token"], tokens["access_token"]):
        assert_problem(b.get("/api/v1/auth/me", headers=bearer(token)), 401, "token_revoked")
    for token in (fresh["refresh_token"], tokens["refresh_token"]):
        assert_problem(b.post("/api/v1/auth/refresh", headers=bearer(token)), 401)


def test_a_suspension_on_a_is_seen_on_b(pair, make_member):
    a, b = pair
    admin, member = make_member(role="admin"), make_member()
    tokens = login(b, member.email)
    assert b.get("/api/v1/auth/me", headers=bearer(tokens["access_token"])).status_code == 200
    assert a.patch(f"/api/v1/members/{member.id}", json={"status": "suspended"},
                   headers=bearer(login(a, admin.email)["access_token"])).status_code == 200
    assert_problem(b.get("/api/v1/auth/me", headers=bearer(tokens["access_token"])), 401)


@needs_redis
def test_failed_logins_on_a_and_b_add_up(pair, make_member):
    a, b = pair
    member = make_member()
    wrong = {"email": member.email, "password": "not the password"}
    statuses = [client.post("/api/v1/auth/login", json=wrong).status_code
                for client in (a, b, a)]
    assert statuses == [401, 401, 401]
    assert_problem(b.post("/api/v1/auth/login", json=wrong), 429, "rate_limited")
    assert_problem(a.post("/api/v1/auth/login", json=wrong), 429, "rate_limited")


@needs_redis
def test_a_write_on_a_purges_the_cache_of_b(pair, make_member):
    a, b = pair
    editor = bearer(login(a, make_member(role="editor").email)["access_token"])
    park = a.post("/api/v1/parks", json={"name": "Taguspark", "country": "PT"},
                  headers=editor).json
    for url in ("/api/v1/parks", f"/api/v1/parks/{park['slug']}"):
        assert b.get(url).headers["X-Cache"] == "MISS"
        assert a.get(url).headers["X-Cache"] == "HIT"  # B's entry, served by A
    assert a.patch(f"/api/v1/parks/{park['id']}", json={"name": "Tagus Park"},
                   headers=editor).status_code == 200
    listing = b.get("/api/v1/parks")
    assert [p["name"] for p in listing.json["items"]] == ["Tagus Park"]
    assert b.get(f"/api/v1/parks/{park['slug']}").json["name"] == "Tagus Park"
    assert a.delete(f"/api/v1/parks/{park['id']}", headers=editor).status_code == 204
    assert b.get("/api/v1/parks").json["items"] == []
    assert_problem(b.get(f"/api/v1/parks/{park['slug']}"), 404)


def titles(response):
    return sorted(item["title"] for item in response.json["items"])


@needs_redis
def test_every_class_of_reader_stays_exact_across_a_and_b(pair, make_member):
    a, b = pair
    editor = bearer(login(a, make_member(role="editor").email)["access_token"])
    member = bearer(login(b, make_member().email)["access_token"])
    admin = bearer(login(a, make_member(role="admin").email)["access_token"])

    def write(title, status):
        response = a.post("/api/v1/news", headers=editor, json={
            "title": title, "body": "<p>x</p>", "status": status})
        assert response.status_code == 201, response.json

    write("Forum", "published")
    write("Plan", "draft")
    readers = {"anonymous": {}, "member": member, "editor": editor}
    expected = {"anonymous": ["Forum"], "member": ["Forum"], "editor": ["Forum", "Plan"]}
    for name, headers in readers.items():
        assert titles(b.get("/api/v1/news", headers=headers)) == expected[name], name
        from_a = a.get("/api/v1/news", headers=headers)
        assert titles(from_a) == expected[name], name
        # B's entry, which A finds through the marker naming what the list asks the caller.
        assert from_a.headers["X-Cache"] == "HIT", name
    write("Summit", "published")
    write("Agenda", "draft")
    expected = {"anonymous": ["Forum", "Summit"], "member": ["Forum", "Summit"],
                "editor": ["Agenda", "Forum", "Plan", "Summit"]}
    for name, headers in readers.items():
        assert titles(b.get("/api/v1/news", headers=headers)) == expected[name], name
    # A login ended on A is refused by B before any cached answer.
    member_id = b.get("/api/v1/auth/me", headers=member).json["id"]
    assert a.patch(f"/api/v1/members/{member_id}", json={"status": "suspended"},
                   headers=admin).status_code == 200
    assert_problem(b.get("/api/v1/news", headers=member), 401, "token_revoked")


def test_the_download_quota_counts_across_a_and_b(pair, make_member):
    a, b = pair
    editor = bearer(login(a, make_member(role="editor").email)["access_token"])
    reports = [create_report(a, editor) for _ in range(4)]
    member = make_member()
    on_a = bearer(login(a, member.email)["access_token"])
    on_b = bearer(login(b, member.email)["access_token"])
    statuses = [client.get(download_path(report), headers=headers).status_code
                for client, headers, report in zip((a, b, a), (on_a, on_b, on_b), reports,
                                                   strict=False)]
    assert statuses == [200, 200, 200]
    assert_problem(b.get(download_path(reports[3]), headers=on_a), 429, "rate_limited")
    assert_problem(a.get(download_path(reports[3]), headers=on_b), 429, "rate_limited")
    # A download of the day resumes on either instance.
    resumed = b.get(download_path(reports[0]), headers=on_a | {"Range": "bytes=10-"})
    assert resumed.status_code == 206
