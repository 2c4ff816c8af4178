"""API4:2023 Unrestricted resource consumption: every size and shape limit answers a clear
4xx before the work is done, never a 500."""

import json

import pytest

from tests.helpers import assert_problem
from tests.uploads import image_bytes, pdf_bytes, upload


@pytest.fixture
def editor(auth_headers):
    return auth_headers("editor")


def post_raw(client, headers, body, url="/api/v1/parks"):
    return client.post(url, data=body, headers=headers, content_type="application/json")


@pytest.mark.parametrize("body", [
    "[" * 10_000 + "]" * 10_000,
    '{"a":' * 10_000 + "1" + "}" * 10_000,
    "[" * 100_000,  # unterminated as well
    '{"name": ' + "[" * 40 + "]" * 40 + ', "country": "PT"}',
])
def test_deeply_nested_json_is_400(client, editor, body):
    body = assert_problem(post_raw(client, editor, body), 400, "bad_request")
    assert "json" in body["errors"]


def test_nesting_within_the_limit_reaches_validation(client, editor):
    body = json.dumps({"name": "Park", "country": "PT", "translations": [[[[1]]]]})
    assert_problem(post_raw(client, editor, body), 422, "validation_error")


@pytest.mark.parametrize("body", ['{"founded_year": ' + "9" * 50_000 + "}",
                                  '{"founded_year": 1e999999}', '{"name": NaN}',
                                  '{"name": Infinity}', '{"a": 1, "a": 2, "a": 3}' * 1])
def test_absurd_numbers_are_4xx(client, editor, body):
    response = post_raw(client, editor, body)
    assert response.status_code in (400, 422), response.get_data(as_text=True)[:300]
    assert_problem(response, response.status_code)


def test_unparseable_bodies_on_unauthenticated_endpoints_are_400(client):
    """Login reads the body twice (the rate limiter keys on the email): both must cope."""
    for body in ("[" * 10_000, '{"email": "\\ud800@x.org", "password": "x"}', "\x00", "{"):
        response = post_raw(client, {}, body, url="/api/v1/auth/login")
        assert_problem(response, 400, "bad_request")


def test_a_body_over_max_content_length_is_413(make_app):
    app = make_app(MAX_CONTENT_LENGTH=1024)
    client = app.test_client()
    response = client.post("/api/v1/auth/login", data=b'{"email": "' + b"a" * 2000 + b'"}',
                           content_type="application/json")
    assert_problem(response, 413, "payload_too_large")


def test_oversized_uploads_are_413_and_store_nothing(make_app, make_member):
    from pathlib import Path
    app = make_app(MEDIA_MAX_BYTES=2000, REPORT_MAX_BYTES=3000)
    client = app.test_client()
    member = make_member(role="editor")
    token = client.post("/api/v1/auth/login", json={"email": member.email,
                                                    "password": "correct horse battery"}
                        ).json["access_token"]
    headers = {"Authorization": f"Bearer {token}"}
    big_image = image_bytes(size=(400, 400), color=(1, 2, 3)) + b"\0" * 5000
    response = client.post("/api/v1/media", headers=headers, content_type="multipart/form-data",
                           data={"file": upload(big_image, "big.png", "image/png")})
    assert_problem(response, 413, "payload_too_large")
    response = client.post("/api/v1/reports", headers=headers,
                           content_type="multipart/form-data",
                           data={"title": "Big", "year": "2021",
                                 "file": upload(pdf_bytes(pages=40), "big.pdf",
                                                "application/pdf")})
    assert_problem(response, 413, "payload_too_large")
    root = Path(app.config["STORAGE_URL"].removeprefix("file://"))
    assert not root.exists() or not [p for p in root.rglob("*") if p.is_file()]


@pytest.mark.parametrize("query", ["per_page=101", "per_page=0", "per_page=-1", "page=0",
                                   "page=99999999999999999999999", "per_page=1e9",
                                   "page=1" + "0" * 5000])
def test_page_sizes_and_numbers_are_bounded(client, query):
    response = client.get(f"/api/v1/parks?{query}")
    assert response.status_code in (200, 422), response.get_data(as_text=True)[:300]
    if response.status_code == 200:
        assert len(response.json["items"]) <= 100


def test_far_pages_answer_empty_not_500(client, make_park):
    make_park("Taguspark")
    for page in (10**6, 2**31, 2**63):
        response = client.get(f"/api/v1/parks?page={page}")
        assert response.status_code in (200, 422), response.get_data(as_text=True)[:300]
        if response.status_code == 200:
            assert response.json["items"] == []


def test_long_search_strings_are_refused(client):
    for url in ("/api/v1/search?q=", "/api/v1/parks?q=", "/api/v1/news?q="):
        assert_problem(client.get(url + "word " * 2000), 422, "validation_error")
