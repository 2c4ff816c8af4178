"""Logins as sessions the member sees and ends, and tokens in browser cookies with CSRF."""

import re
import uuid
from datetime import timedelta

import pytest
from sqlalchemy import select

from api.extensions import db as database
from api.models import AuthSession
from api.models.base import utcnow
from tests.helpers import PASSWORD, assert_login_ended, assert_problem, bearer


def login_as(client, email, **extra):
    return client.post("/api/v1/auth/login", json={"email": email, "password": PASSWORD}
                       | extra, headers={"User-Agent": "CISIP-iOS/2.1"})


class TestSessions:
    def test_lists_each_login_with_device_ip_and_current(self, client, login):
        first = login()
        second = login_as(client, first["email"]).json
        response = client.get("/api/v1/auth/sessions", headers=bearer(second["access_token"]))
        assert response.status_code == 200
        assert response.headers["Cache-Control"] == "private, no-store"
        items = response.json["items"]
        assert response.json["pagination"]["total"] == 2
        assert sorted(i["current"] for i in items) == [False, True]
        current = next(i for i in items if i["current"])
        assert current["user_agent"] == "CISIP-iOS/2.1"
        assert current["ip_address"] == "127.0.0.1"
        assert current["last_used_at"].endswith("Z")

    def test_using_the_access_token_updates_last_use(self, app, client, login):
        from datetime import UTC, datetime

        from api.extensions import db
        from api.models import AuthSession

        tokens = login()
        with app.app_context():
            for session in db.session.query(AuthSession).all():
                session.last_used_at = datetime(2021, 12, 9, tzinfo=UTC)
            db.session.commit()
        [item] = client.get("/api/v1/auth/sessions",
                            headers=bearer(tokens["access_token"])).json["items"]
        assert item["last_used_at"] > "2025"

    def test_refresh_keeps_the_same_session(self, client, login):
        tokens = login()
        fresh = client.post("/api/v1/auth/refresh", headers=bearer(tokens["refresh_token"])).json
        items = client.get("/api/v1/auth/sessions",
                           headers=bearer(fresh["access_token"])).json["items"]
        assert len(items) == 1 and items[0]["current"]

    def test_ending_one_session_leaves_the_others(self, client, login):
        phone = login()
        laptop = login_as(client, phone["email"]).json
        sessions = client.get("/api/v1/auth/sessions",
                              headers=bearer(laptop["access_token"])).json["items"]
        phone_session = next(s for s in sessions if not s["current"])
        response = client.delete(f"/api/v1/auth/sessions/{phone_session['id']}",
                                 headers=bearer(laptop["access_token"]))
        assert response.status_code == 204
        assert_login_ended(client, phone)
        assert client.get("/api/v1/auth/me",
                          headers=bearer(laptop["access_token"])).status_code == 200

    def test_another_members_session_is_404(self, client, login):
        mine, theirs = login(), login()
        their_sessions = client.get("/api/v1/auth/sessions",
                                    headers=bearer(theirs["access_token"])).json["items"]
        for session_id in (their_sessions[0]["id"], str(uuid.uuid4())):
            response = client.delete(f"/api/v1/auth/sessions/{session_id}",
                                     headers=bearer(mine["access_token"]))
            assert_problem(response, 404, "not_found")
        assert client.get("/api/v1/auth/me",
                          headers=bearer(theirs["access_token"])).status_code == 200

    def test_logout_all_ends_every_session(self, client, login):
        first = login()
        second = login_as(client, first["email"]).json
        response = client.post("/api/v1/auth/logout-all", headers=bearer(first["access_token"]))
        assert response.status_code == 204
        for tokens in (first, second):
            assert_problem(client.get("/api/v1/auth/me", headers=bearer(tokens["access_token"])),
                           401, "token_revoked")

    def test_needs_a_login(self, client):
        assert_problem(client.get("/api/v1/auth/sessions"), 401, "token_missing")
        assert_problem(client.post("/api/v1/auth/logout-all"), 401, "token_missing")


@pytest.fixture
def browser(app):
    """A test client over https, as a browser keeping cookies."""
    return app.test_client()


def max_ages(response):
    """The Max-Age of each cookie the response sets, by name."""
    ages = {}
    for cookie in response.headers.getlist("Set-Cookie"):
        found = re.search(r"Max-Age=(\d+)", cookie)
        ages[cookie.split("=", 1)[0]] = int(found.group(1)) if found else None
    return ages


def csrf(client, name="csrf_access_token"):
    cookie = client.get_cookie(name, path="/") or client.get_cookie(name, path="/api/v1/auth/")
    return {"X-CSRF-TOKEN": cookie.value}


class TestCookies:
    def test_login_sets_httponly_secure_cookies_and_no_tokens_in_the_body(
            self, browser, make_member):
        member = make_member()
        response = login_as(browser, member.email, use_cookies=True)
        assert response.status_code == 200
        assert response.json == {"token_type": "Cookie", "expires_in": 900}
        cookies = {c.split("=", 1)[0]: c for c in response.headers.getlist("Set-Cookie")}
        for name in ("access_token_cookie", "refresh_token_cookie"):
            assert "HttpOnly" in cookies[name] and "Secure" in cookies[name]
            assert "SameSite=Lax" in cookies[name]
        assert "HttpOnly" not in cookies["csrf_access_token"]
        assert "Path=/api/v1/auth/" in cookies["refresh_token_cookie"]

    def test_reads_work_with_the_cookie_alone(self, browser, make_member):
        member = make_member()
        login_as(browser, member.email, use_cookies=True)
        me = browser.get("/api/v1/auth/me")
        assert me.status_code == 200 and me.json["email"] == member.email

    def test_writes_need_the_csrf_header(self, browser, make_member):
        member = make_member()
        login_as(browser, member.email, use_cookies=True)
        without = browser.patch("/api/v1/auth/me", json={"title": "Director"})
        assert_problem(without, 403, "csrf_failed")
        wrong = browser.patch("/api/v1/auth/me", json={"title": "Director"},
                              headers={"X-CSRF-TOKEN": "forged"})
        assert_problem(wrong, 403, "csrf_failed")
        assert browser.get("/api/v1/auth/me").json["title"] is None
        right = browser.patch("/api/v1/auth/me", json={"title": "Director"},
                              headers=csrf(browser))
        assert right.status_code == 200 and right.json["title"] == "Director"

    def test_refresh_and_logout_by_cookie(self, browser, make_member):
        member = make_member()
        login_as(browser, member.email, use_cookies=True)
        assert_problem(browser.post("/api/v1/auth/refresh"), 403, "csrf_failed")
        refreshed = browser.post("/api/v1/auth/refresh",
                                 headers=csrf(browser, "csrf_refresh_token"))
        assert refreshed.status_code == 200 and refreshed.json["token_type"] == "Cookie"
        assert browser.get("/api/v1/auth/me").status_code == 200
        logout = browser.post("/api/v1/auth/logout", headers=csrf(browser))
        assert logout.status_code == 204
        assert browser.get_cookie("access_token_cookie") is None
        assert_problem(browser.get("/api/v1/auth/me"), 401, "token_missing")

    def test_cookies_expire_with_their_tokens(self, make_app, make_member):
        """Not a year later: the access cookies with the access token, the refresh cookies
        with the login, however late in the login a refresh made them."""
        app = make_app(JWT_ACCESS_TOKEN_SECONDS=120, JWT_REFRESH_TOKEN_SECONDS=3600)
        browser = app.test_client()
        member = make_member()
        ages = max_ages(login_as(browser, member.email, use_cookies=True))
        assert ages["access_token_cookie"] == ages["csrf_access_token"] == 120
        assert 3590 <= ages["refresh_token_cookie"] == ages["csrf_refresh_token"] <= 3600

        with app.app_context():
            login = database.session.scalars(select(AuthSession)).one()
            login.expires_at = utcnow() + timedelta(seconds=100)
            database.session.commit()
        refreshed = browser.post("/api/v1/auth/refresh",
                                 headers=csrf(browser, "csrf_refresh_token"))
        ages = max_ages(refreshed)
        assert ages["access_token_cookie"] == 120
        assert 90 <= ages["refresh_token_cookie"] <= 100

    def test_cookies_can_be_switched_off(self, make_app, make_member):
        app = make_app(JWT_COOKIES="false")
        browser = app.test_client()
        member = make_member()
        response = login_as(browser, member.email, use_cookies=True)
        assert response.json["token_type"] == "Bearer" and response.json["access_token"]
        assert "Set-Cookie" not in response.headers
        assert_problem(browser.get("/api/v1/auth/me"), 401, "token_missing")


class TestRevocationNeverFailsOpen:
    def test_a_session_ended_on_one_process_is_refused_on_another_at_once(
            self, make_app, make_member):
        first, second = make_app().test_client(), make_app().test_client()
        member = make_member()
        tokens = login_as(first, member.email).json
        assert first.get("/api/v1/auth/me", headers=bearer(tokens["access_token"])).status_code \
            == 200  # the active state is now cached
        second.post("/api/v1/auth/logout-all", headers=bearer(tokens["access_token"]))
        assert_problem(first.get("/api/v1/auth/me", headers=bearer(tokens["access_token"])),
                       401, "token_revoked")

    def test_with_redis_down_the_database_decides(self, make_app, make_member):
        healthy = make_app().test_client()
        redis_down = make_app(REDIS_URL="redis://127.0.0.1:1/0").test_client()
        member = make_member()
        ended, kept = (login_as(healthy, member.email).json for _ in range(2))
        healthy.post("/api/v1/auth/logout", headers=bearer(ended["access_token"]))
        assert_problem(redis_down.get("/api/v1/auth/me", headers=bearer(ended["access_token"])),
                       401, "token_revoked")
        assert redis_down.get("/api/v1/auth/me",
                              headers=bearer(kept["access_token"])).status_code == 200
