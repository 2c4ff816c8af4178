"""Cross-origin reads for partner sites, credentials only for trusted origins."""

import pytest

PARTNER = "https://partner-park.example"
TRUSTED = "https://www.cisip.example"


@pytest.fixture
def client(make_app):
    return make_app(CORS_ORIGINS=f"{TRUSTED},http://localhost:3000").test_client()


def test_public_reads_are_open_to_any_origin(client):
    response = client.get("/api/v1/parks", headers={"Origin": PARTNER})
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert "Access-Control-Allow-Credentials" not in response.headers
    exposed = {h.strip() for h in response.headers["Access-Control-Expose-Headers"].split(",")}
    assert {"Link", "ETag", "Retry-After", "X-Request-ID"} <= exposed


def test_trusted_origins_may_send_cookies(client):
    response = client.get("/api/v1/parks", headers={"Origin": TRUSTED})
    assert response.headers["Access-Control-Allow-Origin"] == TRUSTED
    assert response.headers["Access-Control-Allow-Credentials"] == "true"
    assert "Origin" in response.headers["Vary"]


def test_preflight_of_a_trusted_origin_allows_writes_with_credentials(client):
    response = client.options("/api/v1/parks", headers={
        "Origin": TRUSTED, "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "Content-Type, X-CSRF-TOKEN"})
    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] == TRUSTED
    assert response.headers["Access-Control-Allow-Credentials"] == "true"
    assert "POST" in response.headers["Access-Control-Allow-Methods"]
    allowed = response.headers["Access-Control-Allow-Headers"].lower()
    assert "content-type" in allowed and "x-csrf-token" in allowed
    assert response.headers["Access-Control-Max-Age"] == "600"


def test_preflight_of_another_origin_never_allows_credentials(client):
    response = client.options("/api/v1/auth/login", headers={
        "Origin": PARTNER, "Access-Control-Request-Method": "POST"})
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert "Access-Control-Allow-Credentials" not in response.headers


def test_without_cors_origins_nobody_gets_credentials(make_app):
    response = make_app().test_client().get("/api/v1/parks", headers={"Origin": TRUSTED})
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert "Access-Control-Allow-Credentials" not in response.headers


def test_errors_are_readable_cross_origin_too(client):
    response = client.get("/api/v1/parks/nope", headers={"Origin": PARTNER})
    assert response.status_code == 404
    assert response.headers["Access-Control-Allow-Origin"] == "*"
