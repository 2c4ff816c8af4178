"""Hostile input in every text field and every filter (OWASP API8:2023, misconfiguration:
input handling; API10: data is never trusted, whoever sent it).

Injection is not a category of its own in the 2023 list; these tests keep it covered: SQL-,
LIKE- and full-text-search-shaped strings in every free-text filter of every list, unicode
edge cases in every free-text field of every JSON body (derived from the spec), and path
traversal in refs, storage keys and upload names.
"""

import json
from pathlib import Path

import pytest

from tests.helpers import assert_problem, bearer
from tests.security.operations import committed_spec, json_text_fields, text_filters
from tests.uploads import image_bytes, pdf_bytes, upload

SPEC = committed_spec()

# Accepted (stored and shown as sent) or refused with a 4xx; never a 5xx.
UNICODE = ["\u202eevil.exe\u202c", "a\u200bb\u200d", "\ufeffbom", "e\u0301\u0301\u0301",
           "\U0001f600\U0001f3f3\ufe0f\u200d\U0001f308", "\u4e2d\u6587 \u0627\u0644\u0639",
           "<script>alert(1)</script>", "${jndi:ldap://x}", "{{7*7}}", "\ufffd", "\U0010ffff"]
# Not Unicode: refused by the JSON decoder, 400 (a database would refuse them: 500).
UNDECODABLE = ['"a\\ud800b"', '"\\udfff"', '"a\\udc00\\ud800"']
# Valid JSON that no database stores (NUL) or no XML feed can carry: refused for the field, 422.
FORBIDDEN = ["a\x00b", "\x00", "a\x0bb", "\x0c", "\x1b[31m", "\x7f\x08", "\ufffe", "a\uffff"]
LONG = "x" * 1_100_000  # longer than any field allows, within MAX_CONTENT_LENGTH

# These match nothing however a filter is implemented (substring, words, full-text search).
MATCH_NOTHING = ["' OR '1'='1", "1) OR (1=1", "%", "_", "%%", "\\%", "*", "\" OR \"\"=\"",
                 "a%' ESCAPE '"]
INJECTION = ["' OR '1'='1", "'; DROP TABLE parks; --", "\" OR \"\"=\"", "1) OR (1=1",
             "%", "_", "%%", "\\", "\\%", "a%' ESCAPE '", "[a-z]*",
             '"unterminated', "a AND (", "NEAR(a b)", "a:*", "!!", "a & | b", "-", "OR",
             "*", "^", "'", "(", ")", "\u0000", "%00", "\x7f", "0x27", "$where", "{\"$ne\": 1}"]

LISTS = [path for path, item in SPEC["paths"].items()
         if "get" in item and "Link" in item["get"]["responses"]["200"].get("headers", {})
         and text_filters(SPEC, path)]


def test_every_list_with_a_filter_is_tested():
    assert len(LISTS) >= 6, LISTS


@pytest.fixture
def objects(client, login, make_park, make_speaker, make_news, make_event, add_session):
    """One of everything a JSON body edits, with the admin who may edit it."""
    admin = bearer(login("admin")["access_token"])
    park = make_park("Taguspark")
    speaker = make_speaker("Wang Mingyang")
    news = make_news("Forum opens")
    report = client.post("/api/v1/reports", headers=admin, content_type="multipart/form-data",
                         data={"title": "Annual report", "year": "2021",
                               "file": upload(pdf_bytes(), "r.pdf", "application/pdf")})
    assert report.status_code == 201, report.json
    event = make_event("Forum")
    session = add_session(event, "Opening")
    key = client.post("/api/v1/api-keys", headers=admin,
                      json={"name": "Partner site", "kind": "publishable"})
    assert key.status_code == 201, key.json
    # A public address literal: accepted without a DNS lookup, never called by these tests.
    hook = client.post("/api/v1/webhooks", headers=admin, json={
        "url": "https://93.184.215.14/hooks/cisip", "events": ["news.published"]})
    assert hook.status_code == 201, hook.json
    return admin, {
        "/api/v1/api-keys/{key_id}": f"/api/v1/api-keys/{key.json['id']}",
        "/api/v1/events/{ref}": f"/api/v1/events/{event['id']}",
        "/api/v1/events/{ref}/sessions/{session_id}":
            f"/api/v1/events/{event['id']}/sessions/{session['id']}",
        "/api/v1/parks/{ref}": f"/api/v1/parks/{park['id']}",
        "/api/v1/speakers/{ref}": f"/api/v1/speakers/{speaker['id']}",
        "/api/v1/news/{ref}": f"/api/v1/news/{news['id']}",
        "/api/v1/reports/{ref}": f"/api/v1/reports/{report.json['id']}",
        "/api/v1/auth/me": "/api/v1/auth/me",
        "/api/v1/webhooks/{webhook_id}": f"/api/v1/webhooks/{hook.json['id']}",
    }


EDITABLE = ["/api/v1/parks/{ref}", "/api/v1/speakers/{ref}", "/api/v1/news/{ref}",
            "/api/v1/reports/{ref}", "/api/v1/auth/me", "/api/v1/events/{ref}",
            "/api/v1/events/{ref}/sessions/{session_id}", "/api/v1/api-keys/{key_id}",
            "/api/v1/webhooks/{webhook_id}"]


def test_every_patch_with_text_is_tested():
    patched = {path for path, item in SPEC["paths"].items()
               if "patch" in item and json_text_fields(SPEC, "patch", path)}
    assert patched == set(EDITABLE)


@pytest.mark.parametrize("template", EDITABLE)
def test_unicode_edge_cases_in_every_text_field(client, objects, template):
    admin, urls = objects
    url = urls[template]
    fields = json_text_fields(SPEC, "patch", template)
    assert fields
    for field in fields:
        for value in UNICODE:
            response = client.patch(url, json={field: value}, headers=admin)
            assert response.status_code in (200, 422), (field, value, response.json)
            if response.status_code == 422:
                assert_problem(response, 422, "validation_error")
        for raw in UNDECODABLE:
            response = client.patch(url, data=f'{{"{field}": {raw}}}', headers=admin,
                                    content_type="application/json")
            body = assert_problem(response, 400, "bad_request")
            assert "json" in body["errors"]
        for value in FORBIDDEN:
            response = client.patch(url, json={field: value}, headers=admin)
            body = assert_problem(response, 422, "validation_error")
            assert field in body["errors"]["json"], (field, value)
        response = client.patch(url, json={field: LONG}, headers=admin)
        assert response.status_code == 422, (field, response.status_code)
        assert_problem(response, 422, "validation_error")
    # After all that the object still reads back, in its list too.
    assert client.get(url, headers=admin).status_code == 200


def test_right_to_left_override_is_kept_verbatim_not_interpreted(client, objects):
    admin, urls = objects
    response = client.patch(urls["/api/v1/parks/{ref}"], json={"city": "\u202eabc"},
                            headers=admin)
    assert response.status_code == 200
    assert response.json["city"] == "\u202eabc"


@pytest.mark.parametrize("path", LISTS)
def test_injection_shaped_strings_in_every_filter(client, objects, path):
    admin, _urls = objects
    url = path.replace("{ref}", "taguspark")
    for name in text_filters(SPEC, path):
        for value in INJECTION:
            for headers in ({}, admin):
                response = client.get(url, query_string={name: value}, headers=headers)
                assert response.status_code in (200, 401, 422), (name, value, response.json)
                if response.status_code != 200:
                    assert_problem(response, response.status_code)
                elif value in MATCH_NOTHING:
                    # Wildcards and always-true clauses are text, not syntax.
                    assert response.json["pagination"]["total"] == 0, (name, value)


def test_like_wildcards_are_literal(client, make_park):
    make_park("Taguspark")
    make_park("100% Green Park")
    names = [p["name"] for p in client.get("/api/v1/parks?q=%25").json["items"]]
    assert "Taguspark" not in names
    assert client.get("/api/v1/parks?q=_").json["pagination"]["total"] == 0


@pytest.mark.parametrize("url", [
    "/api/v1/parks/..%2F..%2Fetc%2Fpasswd", "/api/v1/parks/%2e%2e", "/api/v1/parks/..",
    "/api/v1/news/..%5C..%5Cwin.ini", "/api/v1/reports/..%2F..%2Fetc%2Fpasswd/download",
    "/api/v1/reports/%00/download", "/api/v1/media/..%2F..%2Fetc%2Fpasswd",
    "/api/v1/speakers/%2Fetc%2Fpasswd", "/docs/assets/..%2F..%2Fconfig%2F__init__.py",
    "/static/..%2F..%2Fconfig%2F__init__.py", "/api/v1/reports/x/download?link=../../etc/passwd",
])
def test_path_traversal_in_refs_is_404(client, url):
    response = client.get(url)
    assert response.status_code in (404, 401, 403), response.get_data(as_text=True)[:200]
    assert "root:" not in response.get_data(as_text=True)
    assert "SECRET_KEY" not in response.get_data(as_text=True)


def test_upload_names_never_become_storage_paths(app, client, auth_headers):
    editor = auth_headers("editor")
    root = Path(app.config["STORAGE_URL"].removeprefix("file://"))
    for name in ("../../evil.png", "/etc/evil.png", "..\\..\\evil.png", "a\x00.png"):
        response = client.post("/api/v1/media", headers=editor,
                               content_type="multipart/form-data",
                               data={"file": upload(image_bytes(), name, "image/png")})
        assert response.status_code in (201, 422), response.json
    stored = [p for p in root.parent.rglob("*evil*")]
    assert stored == []
    assert all(p.resolve().is_relative_to(root.resolve()) for p in root.rglob("*"))


@pytest.mark.parametrize("value", ["a\x00b", "\u202eevil", "x" * 100_000])
def test_hostile_text_in_multipart_form_fields(client, auth_headers, value):
    editor = auth_headers("editor")
    response = client.post("/api/v1/reports", headers=editor, content_type="multipart/form-data",
                           data={"title": value, "summary": value, "year": "2021",
                                 "file": upload(pdf_bytes(), f"r{value[:50]}.pdf",
                                                "application/pdf")})
    assert response.status_code in (201, 422), response.get_data(as_text=True)[:300]
    if response.status_code == 422:
        assert_problem(response, 422, "validation_error")
    else:
        assert response.json["title"] == value
        download = client.get(f"/api/v1/reports/{response.json['id']}/download", headers=editor)
        assert download.status_code == 200
        assert "\x00" not in download.headers["Content-Disposition"]


def test_hostile_language_arguments(client, make_park):
    make_park("Taguspark")
    for lang in ("../../etc/passwd", "en\x00", "*" * 500, "en-US;q=1,<script>"):
        response = client.get("/api/v1/parks/taguspark", query_string={"lang": lang})
        assert response.status_code in (200, 422), response.get_data(as_text=True)[:300]
    response = client.get("/api/v1/parks/taguspark",
                          headers={"Accept-Language": "x" * 5000 + ",\u202e;q=abc"})
    assert response.status_code == 200


@pytest.mark.parametrize("value", ["Vertical\x0btab", "\ufffe", "a\x00b"])
def test_characters_xml_forbids_are_refused_on_every_write_and_change_nothing(client, objects,
                                                                           value):
    admin, urls = objects
    park_url = urls["/api/v1/parks/{ref}"]
    lists = ("/api/v1/parks", "/api/v1/news", "/api/v1/reports", "/api/v1/speakers")
    before = [client.get(url, headers=admin).json for url in (park_url, *lists)]
    form = {"content_type": "multipart/form-data"}
    writes = [
        (client.post, "/api/v1/parks", {"json": {"name": value, "country": "PT"}}, "json", "name"),
        (client.patch, park_url, {"json": {"city": "Oeiras", "description": value}}, "json",
         "description"),
        (client.patch, park_url, {"json": {"translations": {"zh": {"name": value}}}}, "json",
         "translations"),
        (client.post, "/api/v1/news", {"json": {"title": "T", "body": "<p>B</p>", "cover_image": {
            "url": "https://cdn.example.org/a.jpg", "caption": value}}}, "json", "cover_image"),
        (client.post, "/api/v1/news", {"json": {"title": "T", "body": f"<p>{value}</p>"}}, "json",
         "body"),
        (client.post, "/api/v1/speakers", {"json": {"name": "S", "bio": value}}, "json", "bio"),
        (client.post, "/api/v1/reports", {"data": {"title": value, "year": "2021"}} | form,
         "form", "title"),
        (client.post, "/api/v1/reports", {"data": {"title": "R", "year": "2021", "translations":
                                                   json.dumps({"zh": {"summary": value}})}} | form,
         "form", "translations"),
    ]
    for method, url, kwargs, location, field in writes:
        body = assert_problem(method(url, headers=admin, **kwargs), 422, "validation_error")
        assert list(body["errors"][location]) == [field], (url, body["errors"])
    assert [client.get(url, headers=admin).json for url in (park_url, *lists)] == before
