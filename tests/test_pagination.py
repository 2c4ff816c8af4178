"""The list envelope, sorting and Link headers, shown on the parks collection."""

import re

import pytest

from tests.helpers import assert_problem, bearer
from tests.security.operations import committed_spec


@pytest.fixture
def twelve_parks(client, auth_headers):
    headers = auth_headers("editor")
    for number in range(12):
        response = client.post("/api/v1/parks", headers=headers, json={
            "name": f"Park {number:02d}", "country": "PT", "founded_year": 1990 + number})
        assert response.status_code == 201
    return headers


def test_default_page_is_twenty_in_the_envelope(client, twelve_parks):
    body = client.get("/api/v1/parks").json
    assert body["pagination"] == {"page": 1, "per_page": 20, "total": 12, "pages": 1}
    assert len(body["items"]) == 12


def test_pages_do_not_overlap_and_cover_everything(client, twelve_parks):
    seen = []
    for page in (1, 2, 3):
        body = client.get(f"/api/v1/parks?per_page=5&page={page}").json
        seen += [item["name"] for item in body["items"]]
    assert seen == [f"Park {n:02d}" for n in range(12)]


def test_link_header_has_first_prev_next_last(client, twelve_parks):
    response = client.get("/api/v1/parks?per_page=5&page=2&country=PT")
    links = dict(reversed(part.split("; ")) for part in response.headers["Link"].split(", "))
    assert set(links) == {'rel="first"', 'rel="prev"', 'rel="next"', 'rel="last"'}
    assert links['rel="next"'] == (
        "<http://localhost/api/v1/parks?page=3&per_page=5&sort=name&country=PT>")
    assert "page=1" in links['rel="prev"'] and "page=3" in links['rel="last"']


def test_first_page_has_no_prev_and_last_has_no_next(client, twelve_parks):
    first = client.get("/api/v1/parks?per_page=5").headers["Link"]
    last = client.get("/api/v1/parks?per_page=5&page=3").headers["Link"]
    assert 'rel="prev"' not in first and 'rel="next"' in first
    assert 'rel="next"' not in last and 'rel="prev"' in last


def test_page_out_of_range_is_empty_not_an_error(client, twelve_parks):
    response = client.get("/api/v1/parks?page=99")
    assert response.status_code == 200
    assert response.json["items"] == []
    assert response.json["pagination"]["total"] == 12


def test_descending_sort(client, twelve_parks):
    items = client.get("/api/v1/parks?sort=-founded_year&per_page=3").json["items"]
    assert [item["founded_year"] for item in items] == [2001, 2000, 1999]


@pytest.mark.parametrize("query", ["per_page=101", "per_page=0", "page=0", "page=abc",
                                   "sort=password", "sort=--name"])
def test_bad_list_arguments_are_422(client, query):
    body = assert_problem(client.get(f"/api/v1/parks?{query}"), 422, "validation_error")
    assert set(body["errors"]["query"]) <= {"page", "per_page", "sort"}


HUGE_PAGE = 10**20  # past any database's 64-bit OFFSET


@pytest.fixture
def list_urls(client, auth_headers, taguspark, make_news, make_report, make_event):
    """Every list of the spec (a GET answering a Link header), as a URL to call."""
    make_news("Forum opens", park_ids=[taguspark["id"]])
    report = make_report("Forum report")
    event = make_event("Forum")
    # A public address literal: accepted without a DNS lookup, never called here.
    hook = client.post("/api/v1/webhooks", headers=auth_headers("admin"), json={
        "url": "https://93.184.215.14/hooks/cisip", "events": ["news.published"]}).json
    refs = {"/api/v1/parks/{ref}/news": taguspark["slug"],
            "/api/v1/reports/{ref}/downloads": report["slug"],
            "/api/v1/events/{ref}/registrations": event["slug"],
            "/api/v1/webhooks/{webhook_id}/deliveries": hook["id"]}
    urls = {}
    for path, item in committed_spec()["paths"].items():
        get = item.get("get")
        if get and "Link" in get["responses"]["200"].get("headers", {}):
            params = {p["name"]: p for p in get.get("parameters", []) if p["in"] == "query"}
            queries = [] if params.get("q", {}).get("required") else [{}]
            queries += [{"q": "forum"}] if "q" in params else []
            urls[path] = (re.sub(r"\{\w+\}", refs.get(path, ""), path), queries)
            assert "{" not in urls[path][0], f"give the list {path} an item to list"
    return urls


def test_a_huge_page_of_every_list_is_empty(client, login, list_urls):
    admin = bearer(login("admin")["access_token"])
    assert len(list_urls) >= 10
    for path, (url, queries) in list_urls.items():
        for query in queries:
            query |= {"page": HUGE_PAGE, "per_page": 100}
            response = client.get(url, query_string=query, headers=admin)
            assert response.status_code == 200, (path, query, response.get_data(as_text=True))
            assert response.json["items"] == [], (path, query)
            assert response.json["pagination"]["page"] == HUGE_PAGE
            assert 'rel="first"' in response.headers["Link"]
