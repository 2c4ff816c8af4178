"""Logged-in readers at cache speed: anonymous callers, members and editors each get the
cached answer of their class of reader, and never another class's; credentials are checked
before any cached answer."""

import time

import pytest

from tests.conftest import REDIS_URL
from tests.helpers import PASSWORD, assert_problem, bearer
from tests.security.operations import committed_spec

NEWS = "/api/v1/news"


def titles(response):
    return [item["title"] for item in response.json["items"]]


@pytest.fixture
def content(make_news, editor):
    make_news("Published forum")
    make_news("Draft forum", status="draft")
    return editor


class TestSharing:
    def test_a_member_reads_the_anonymous_entry(self, client, content, auth_headers):
        anonymous = client.get(NEWS)
        member = client.get(NEWS, headers=auth_headers("member"))
        assert (anonymous.headers["X-Cache"], member.headers["X-Cache"]) == ("MISS", "HIT")
        assert member.headers["ETag"] == anonymous.headers["ETag"]
        assert member.json == anonymous.json

    def test_an_anonymous_caller_reads_the_members_entry(self, client, content, auth_headers):
        member = client.get(NEWS, headers=auth_headers("member"))
        anonymous = client.get(NEWS)
        assert (member.headers["X-Cache"], anonymous.headers["X-Cache"]) == ("MISS", "HIT")
        assert anonymous.headers["ETag"] == member.headers["ETag"]

    def test_a_response_that_asks_nothing_of_the_caller_is_shared_with_editors(
            self, client, content, make_park):
        make_park("Taguspark")
        client.get("/api/v1/parks")
        assert client.get("/api/v1/parks", headers=content).headers["X-Cache"] == "HIT"


class TestEditors:
    def test_editors_and_others_never_share_an_entry(self, client, content):
        assert titles(client.get(NEWS)) == ["Published forum"]
        editor = client.get(NEWS, headers=content)
        assert editor.headers["X-Cache"] == "MISS"
        assert sorted(titles(editor)) == ["Draft forum", "Published forum"]
        again = client.get(NEWS, headers=content)
        assert again.headers["X-Cache"] == "HIT" and titles(again) == titles(editor)
        anonymous = client.get(NEWS)
        assert anonymous.headers["X-Cache"] == "HIT"
        assert titles(anonymous) == ["Published forum"]
        assert anonymous.headers["ETag"] != editor.headers["ETag"]

    def test_a_draft_detail_is_never_served_to_others(self, client, content, auth_headers):
        assert client.get("/api/v1/news/draft-forum", headers=content).status_code == 200
        assert client.get("/api/v1/news/draft-forum", headers=content).headers[
            "X-Cache"] == "HIT"
        assert_problem(client.get("/api/v1/news/draft-forum"), 404)
        assert_problem(client.get("/api/v1/news/draft-forum",
                                  headers=auth_headers("member")), 404)

    def test_an_editor_sees_a_new_draft_on_the_next_read(self, client, content, make_news):
        client.get(NEWS, headers=content)
        make_news("Second draft", status="draft")
        assert "Second draft" in titles(client.get(NEWS, headers=content))
        assert "Second draft" not in titles(client.get(NEWS))

    def test_a_demoted_editor_sees_no_drafts_on_the_next_read(self, client, content, login,
                                                              auth_headers):
        editor = login("editor")
        headers = bearer(editor["access_token"])
        assert "Draft forum" in titles(client.get(NEWS, headers=headers))
        demoted = client.patch(f"/api/v1/members/{editor['member_id']}", json={
            "role": "member"}, headers=auth_headers("admin"))
        assert demoted.status_code == 200, demoted.json
        assert titles(client.get(NEWS, headers=headers)) == ["Published forum"]


class TestCredentialsFirst:
    """A token that no longer works gets 401 before any cached answer."""

    @pytest.fixture
    def cached_for_members(self, client, content, login):
        tokens = login("member")
        headers = bearer(tokens["access_token"])
        client.get(NEWS, headers=headers)
        assert client.get(NEWS, headers=headers).headers["X-Cache"] == "HIT"
        return tokens, headers

    def test_after_logout(self, client, cached_for_members):
        _tokens, headers = cached_for_members
        assert client.post("/api/v1/auth/logout", headers=headers).status_code == 204
        assert_problem(client.get(NEWS, headers=headers), 401, "token_revoked")

    def test_after_suspension(self, client, cached_for_members, auth_headers):
        tokens, headers = cached_for_members
        client.patch(f"/api/v1/members/{tokens['member_id']}", json={"status": "suspended"},
                     headers=auth_headers("admin"))
        assert_problem(client.get(NEWS, headers=headers), 401, "token_revoked")

    def test_after_deletion(self, client, cached_for_members):
        tokens, headers = cached_for_members
        assert client.delete(f"/api/v1/members/{tokens['member_id']}",
                             headers=headers).status_code == 204
        assert_problem(client.get(NEWS, headers=headers), 401, "token_revoked")

    def test_after_expiry(self, make_app, make_member):
        app = make_app(JWT_ACCESS_TOKEN_SECONDS=2)
        client = app.test_client()
        member = make_member()
        client.get(NEWS)  # cached, and the app warm, before the token's short life starts
        tokens = client.post("/api/v1/auth/login", json={"email": member.email,
                                                         "password": PASSWORD}).json
        headers = bearer(tokens["access_token"])
        assert client.get(NEWS, headers=headers).headers["X-Cache"] == "HIT"
        deadline = time.monotonic() + 6
        while (response := client.get(NEWS, headers=headers)).status_code == 200:
            assert time.monotonic() < deadline, "the token never expired"
            time.sleep(0.05)
        assert_problem(response, 401, "token_expired")

    @pytest.mark.parametrize("path", [NEWS, "/api/v1/parks", "/api/v1/speakers",
                                      "/api/v1/reports", "/api/v1/search?q=forum",
                                      "/api/v1/feeds/news.json", "/api/v1/events",
                                      "/api/v1/events.ics", "/api/v1/webhooks/event-types"])
    def test_an_invalid_token_is_401_on_every_public_read(self, client, content, path):
        client.get(path)  # cached for anonymous callers
        for token in ("not-a-token", content["Authorization"].split()[1][:-4] + "AAAA"):
            assert_problem(client.get(path, headers=bearer(token)), 401, "token_invalid")


def test_every_public_read_checks_a_token_sent(client, content):
    """The spec's public reads (an optional login) without path parameters: a bad token is
    401 on each, whatever the operation (mobile apps refresh on it)."""
    reads = [path for path, item in committed_spec()["paths"].items()
             if "{" not in path and {} in item.get("get", {}).get("security", [[]])]
    assert len(reads) >= 8
    for path in reads:
        query = "?q=forum" if path.endswith("/search") else ""
        assert_problem(client.get(path + query, headers=bearer("not-a-token")), 401,
                       "token_invalid")


class TestHttpCaching:
    def test_every_class_revalidates_with_304(self, client, content, auth_headers):
        for headers in ({}, auth_headers("member"), content):
            etag = client.get(NEWS, headers=headers).headers["ETag"]
            response = client.get(NEWS, headers=headers | {"If-None-Match": etag})
            assert response.status_code == 304, headers
            assert response.data == b"" and response.headers["ETag"] == etag

    def test_logged_in_answers_are_private_and_anonymous_ones_public(self, client, content):
        assert client.get(NEWS).headers["Cache-Control"].startswith("public, max-age=")
        for _ in range(2):  # the miss and the hit
            assert client.get(NEWS, headers=content).headers["Cache-Control"] == (
                "private, no-cache")

    def test_vary_names_what_the_answer_is_chosen_by(self, client, content):
        for headers in ({}, content):
            vary = set(client.get(NEWS, headers=headers).vary)
            assert {"Authorization", "Cookie", "Accept-Language"} <= vary

    def test_a_hit_carries_the_headers_of_the_miss_that_stored_it(self, client, content):
        for headers in ({}, content, {"Accept-Language": "zh"}):
            miss = client.get(NEWS + "?per_page=5", headers=headers)
            hit = client.get(NEWS + "?per_page=5", headers=headers)
            assert (miss.headers["X-Cache"], hit.headers["X-Cache"]) == ("MISS", "HIT")
            for name in ("Content-Type", "Content-Language", "Vary", "Link", "ETag",
                         "Cache-Control"):
                assert hit.headers.get(name) == miss.headers.get(name), name

    def test_x_cache_is_sent_only_when_configured(self, make_app, content):
        client = make_app(CACHE_DEBUG_HEADERS="false").test_client()
        for _ in range(2):
            assert "X-Cache" not in client.get(NEWS).headers


def stored_keys(app):
    """The keys the app's store holds (this test's own Redis prefix, or its memory)."""
    store = app.extensions["store"]
    if REDIS_URL:
        return set(store.client.scan_iter(match=app.config["CACHE_KEY_PREFIX"] + "response:*"))
    return {key for key in store._data if key.startswith(store.prefix + "response:")}


class TestUnknownParameters:
    def test_they_create_no_entry_and_change_no_header(self, app, client, content):
        first = client.get(NEWS + "?per_page=1")
        keys = stored_keys(app)
        for query in ("utm_source=mail", "utm_source=other", "cachebust=123&page=1"):
            response = client.get(f"{NEWS}?per_page=1&{query}")
            assert response.headers["X-Cache"] == "HIT", query
            assert response.headers["Link"] == first.headers["Link"]
            assert response.headers["ETag"] == first.headers["ETag"]
        assert stored_keys(app) == keys

    def test_links_are_built_from_the_parsed_arguments(self, client, content, make_news):
        make_news("Another forum", tags=["forum"])
        make_news("Yet another forum", tags=["forum"])
        response = client.get(NEWS + "?per_page=1&utm_source=%3Cx%3E&sort=title&tag=Forum")
        links = response.headers["Link"]
        assert "utm_source" not in links
        assert "sort=title" in links and "tag=forum" in links and "page=2" in links
