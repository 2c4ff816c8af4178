"""Security headers: every response, a strict CSP on /docs, HSTS only in production."""

import re
import shutil
import subprocess

import pytest
from flask import Blueprint

from config import ConfigError, load_config
from tests.helpers import assert_problem

STRONG = "s" * 40
API_CSP = "default-src 'none'; frame-ancestors 'none'"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


def assert_common_headers(response):
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert response.headers["X-Frame-Options"] == "DENY"


@pytest.mark.parametrize("path", ["/api/v1/parks", "/health/live", "/openapi.json"])
def test_json_responses_forbid_everything(client, path):
    response = client.get(path)
    assert response.status_code == 200
    assert_common_headers(response)
    assert response.headers["Content-Security-Policy"] == API_CSP


def test_problem_responses_carry_the_headers_too(client):
    response = client.get("/api/v1/no-such-thing")
    assert_problem(response, 404, "not_found")
    assert_common_headers(response)
    assert response.headers["Content-Security-Policy"] == API_CSP


def test_docs_csp_allows_only_our_own_scripts(client):
    response = client.get("/docs")
    assert response.status_code == 200
    assert_common_headers(response)
    policy = dict(directive.strip().split(" ", 1)
                  for directive in response.headers["Content-Security-Policy"].split(";"))
    assert policy["default-src"] == "'none'"
    assert policy["script-src"] == "'self'"
    assert policy["frame-ancestors"] == "'none'"
    assert policy["connect-src"] == "'self'"


def test_docs_page_has_no_inline_script_and_its_scripts_are_served(client):
    html = client.get("/docs").get_data(as_text=True)
    scripts = re.findall(r"<script([^>]*)>(.*?)</script>", html, re.S)
    assert len(scripts) == 3
    for attributes, body in scripts:
        assert body.strip() == ""
        src = re.search(r'src="([^"]+)"', attributes).group(1)
        with client.get(src) as asset:
            assert asset.status_code == 200, src
            assert asset.mimetype == "text/javascript"
            assert asset.headers["X-Content-Type-Options"] == "nosniff"


def test_no_hsts_outside_production(client):
    assert "Strict-Transport-Security" not in client.get("/health/live").headers


def test_hsts_when_enabled(make_app):
    response = make_app(HSTS_SECONDS=31536000).test_client().get("/health/live")
    assert response.headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"


def test_production_enables_hsts_by_default():
    config = load_config("production", env={"SECRET_KEY": STRONG, "JWT_SECRET_KEY": STRONG + "j"})
    assert config.HSTS_SECONDS >= 31536000


def test_an_unknown_log_format_is_refused():
    with pytest.raises(ConfigError, match="LOG_FORMAT"):
        load_config("development", env={"LOG_FORMAT": "xml"})


@pytest.mark.serving
@pytest.mark.skipif(not shutil.which(CHROMIUM),
                    reason="/usr/bin/chromium is missing (apt-get install chromium) "
                           "to check that /docs renders under its CSP")
def test_docs_render_operations_in_a_browser_under_the_csp(tmp_path):
    from tests.gunicorn_server import gunicorn

    with gunicorn(tmp_path) as (_, url):
        result = subprocess.run(
            [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
             f"--user-data-dir={tmp_path / 'profile'}", "--virtual-time-budget=8000",
             "--dump-dom", url + "/docs"],
            capture_output=True, text=True, timeout=60, check=False)

    assert 'class="opblock-summary-path"' in result.stdout, result.stderr[-2000:]
    assert "/api/v1/parks/{ref}" in result.stdout


def test_a_view_that_sets_its_own_policy_keeps_it(make_app):
    app = make_app()
    widget = Blueprint("widget_page", __name__)

    @widget.get("/embed-test")
    def page():
        return "<p>hi</p>", {"Content-Security-Policy": "default-src 'self'",
                             "X-Frame-Options": "SAMEORIGIN"}

    app.register_blueprint(widget)
    response = app.test_client().get("/embed-test")
    assert response.headers["Content-Security-Policy"] == "default-src 'self'"
    assert response.headers["X-Frame-Options"] == "SAMEORIGIN"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
