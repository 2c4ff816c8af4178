"""Cookie sessions in a real browser (headless Chromium): a single-page app on
`http://localhost:<port>` logs in with `use_cookies` against the API on another port.

Same site (the API on `localhost` too): the whole flow works with no token in reach of any
script: login, `/auth/me`, a CSRF-protected `PATCH`, a refresh, logout, then 401.
Another site (the API on `127.0.0.1`), even with `SameSite=None`: the page cannot read the
CSRF cookie, so no cookie-authenticated write can work. Hence the README: cookie sessions
need the frontend and the API on one site; other frontends use Bearer tokens.
"""

import pytest
from werkzeug.serving import make_server

from tests.browser import launch_chromium, needs_chromium, static_site
from tests.helpers import PASSWORD, serving_in_thread

pytestmark = [pytest.mark.browser, needs_chromium]

# What the SPA does, run in its page: the README's snippet, step by step.
FLOW = """async ([api, email, password]) => {
    const csrf = (name) =>
        document.cookie.match(new RegExp(`(?:^|; )${name}=([^;]+)`))?.[1] ?? null;
    const call = async (method, path, {body, csrfCookie} = {}) => {
        const headers = {};
        if (body) headers["Content-Type"] = "application/json";
        if (csrfCookie && csrf(csrfCookie)) headers["X-CSRF-TOKEN"] = csrf(csrfCookie);
        const response = await fetch(api + path, {
            method, headers, credentials: "include", body: body && JSON.stringify(body)});
        const text = await response.text();
        return {status: response.status, body: text ? JSON.parse(text) : null};
    };
    const steps = {};
    steps.login = await call("POST", "/api/v1/auth/login",
                             {body: {email, password, use_cookies: true}});
    steps.csrf_readable = csrf("csrf_access_token") !== null;
    steps.me = await call("GET", "/api/v1/auth/me");
    steps.patch = await call("PATCH", "/api/v1/auth/me",
                             {body: {title: "Director"}, csrfCookie: "csrf_access_token"});
    steps.refresh = await call("POST", "/api/v1/auth/refresh",
                               {csrfCookie: "csrf_refresh_token"});
    steps.me_after_refresh = await call("GET", "/api/v1/auth/me");
    steps.logout = await call("POST", "/api/v1/auth/logout", {csrfCookie: "csrf_access_token"});
    steps.me_after_logout = await call("GET", "/api/v1/auth/me");
    steps.cookies_left = document.cookie;
    return steps;
}"""


@pytest.fixture
def frontend(tmp_path):
    """The SPA's own origin, on localhost."""
    with static_site(tmp_path / "frontend", host="localhost") as site:
        yield site


@pytest.fixture
def browser():
    with launch_chromium() as chromium:
        yield chromium


def run_flow(browser, frontend, app, api_host, email):
    # One thread: on PostgreSQL the test app's sessions share one connection.
    server = make_server("127.0.0.1", 0, app, threaded=False)
    with serving_in_thread(server, api_host) as api:
        page = browser.new_page()
        page.goto(frontend.page("app.html", "<main>Members' area</main>", title="CISIP"))
        steps = page.evaluate(FLOW, [api, email, PASSWORD])
        page.close()
    return steps


def test_a_frontend_on_the_same_site_keeps_its_session_in_cookies(browser, frontend,
                                                                   make_app, make_member):
    app = make_app(CORS_ORIGINS=frontend.origin)
    member = make_member()
    steps = run_flow(browser, frontend, app, "localhost", member.email)

    assert steps["login"] == {"status": 200,
                              "body": {"token_type": "Cookie", "expires_in": 900}}
    assert steps["csrf_readable"]
    assert steps["me"]["status"] == 200 and steps["me"]["body"]["email"] == member.email
    assert steps["patch"]["status"] == 200 and steps["patch"]["body"]["title"] == "Director"
    assert steps["refresh"]["status"] == 200
    assert steps["me_after_refresh"]["status"] == 200
    assert steps["logout"] == {"status": 204, "body": None}
    assert steps["me_after_logout"]["status"] == 401
    assert steps["me_after_logout"]["body"]["code"] == "token_missing"
    assert "csrf_access_token" not in steps["cookies_left"]


def test_a_frontend_on_another_site_cannot_use_cookie_sessions(browser, frontend, make_app,
                                                               make_member):
    # Even with SameSite=None (and CORS allowing the frontend's credentials).
    app = make_app(CORS_ORIGINS=frontend.origin, JWT_COOKIE_SAMESITE="None")
    member = make_member()
    steps = run_flow(browser, frontend, app, "127.0.0.1", member.email)

    # The login itself succeeds, but its cookies are third-party cookies to the page: the
    # browser sends none back, and the page cannot read the CSRF cookie either.
    assert steps["login"]["status"] == 200
    assert not steps["csrf_readable"] and steps["cookies_left"] == ""
    for step in ("me", "patch", "refresh", "me_after_refresh"):
        assert steps[step]["status"] == 401, step
        assert steps[step]["body"]["code"] == "token_missing", step
