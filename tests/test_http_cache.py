"""The shared response cache, ETags and Cache-Control, seen from a client."""

import logging
import threading
import time
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import event
from sqlalchemy.engine import Engine

from api.cache import get_store
from api.http_cache import build, lookup, rebuild_claim
from api.viewer import Viewer


@pytest.fixture
def parks(client, auth_headers):
    editor = auth_headers("editor")
    for name, country in (("Taguspark", "PT"), ("Kista Science City", "SE")):
        assert client.post("/api/v1/parks", json={"name": name, "country": country},
                           headers=editor).status_code == 201
    return editor


@pytest.fixture
def sql_statements():
    """Counts SQL statements sent to any database while the test runs."""
    statements = []

    def count(conn, cursor, statement, *args):
        statements.append(statement)

    event.listen(Engine, "before_cursor_execute", count)
    yield statements
    event.remove(Engine, "before_cursor_execute", count)


def test_second_anonymous_read_is_served_from_the_cache(client, parks, sql_statements):
    first = client.get("/api/v1/parks")
    statements_after_first = len(sql_statements)
    second = client.get("/api/v1/parks")
    assert first.headers["X-Cache"] == "MISS"
    assert second.headers["X-Cache"] == "HIT"
    assert second.json == first.json
    assert second.headers["ETag"] == first.headers["ETag"]
    assert second.headers["Link"] == first.headers["Link"]
    assert len(sql_statements) == statements_after_first


def test_public_responses_say_public_with_max_age_and_vary(client, parks):
    response = client.get("/api/v1/parks/taguspark")
    assert response.headers["Cache-Control"] == (
        "public, max-age=300, stale-while-revalidate=60")
    assert "Authorization" in response.headers["Vary"]
    assert response.headers["ETag"].startswith('"')


def test_cache_control_is_configurable_per_resource(make_app):
    app = make_app(CACHE_MAX_AGE_PARKS=5, CACHE_STALE_PARKS=1)
    response = app.test_client().get("/api/v1/parks")
    assert response.headers["Cache-Control"] == "public, max-age=5, stale-while-revalidate=1"


def test_query_order_and_defaults_do_not_split_the_cache(client, parks):
    client.get("/api/v1/parks?country=PT&sort=name")
    for query in ("sort=name&country=PT", "country=pt", "country=PT&page=1&per_page=20"):
        assert client.get(f"/api/v1/parks?{query}").headers.get("X-Cache") == "HIT", query
    assert client.get("/api/v1/parks?country=SE").headers["X-Cache"] == "MISS"


def test_if_none_match_gets_304_without_touching_the_database(client, parks, sql_statements):
    etag = client.get("/api/v1/parks/taguspark").headers["ETag"]
    before = len(sql_statements)
    response = client.get("/api/v1/parks/taguspark", headers={"If-None-Match": etag})
    assert response.status_code == 304
    assert response.data == b""
    assert response.headers["ETag"] == etag
    assert len(sql_statements) == before


def test_stale_etag_gets_the_full_response(client, parks):
    response = client.get("/api/v1/parks/taguspark", headers={"If-None-Match": '"old"'})
    assert response.status_code == 200
    assert response.json["name"] == "Taguspark"


def test_uncached_public_gets_have_etags_too(client):
    response = client.get("/openapi.json")
    assert client.get("/openapi.json", headers={"If-None-Match": response.headers["ETag"]}
                      ).status_code == 304


def test_member_reads_share_the_anonymous_entry_privately(client, parks, auth_headers):
    member = auth_headers("member")
    anonymous = client.get("/api/v1/parks")
    response = client.get("/api/v1/parks", headers=member)
    assert response.headers["X-Cache"] == "HIT"
    assert response.headers["ETag"] == anonymous.headers["ETag"]
    assert response.headers["Cache-Control"] == "private, no-cache"
    assert {"Authorization", "Cookie"} <= set(response.vary)


def test_health_is_never_cached(client):
    assert client.get("/health/live").headers["Cache-Control"] == "no-store"


class TestInvalidation:
    def test_an_update_shows_at_once_in_detail_and_lists(self, client, parks):
        client.get("/api/v1/parks/taguspark")
        client.get("/api/v1/parks?country=PT")
        client.patch("/api/v1/parks/taguspark", json={"city": "Oeiras"}, headers=parks)
        detail = client.get("/api/v1/parks/taguspark")
        assert detail.headers["X-Cache"] == "MISS"
        assert detail.json["city"] == "Oeiras"
        assert client.get("/api/v1/parks?country=PT").json["items"][0]["city"] == "Oeiras"

    def test_an_update_moves_the_item_between_filtered_lists(self, client, parks):
        assert client.get("/api/v1/parks?country=ES").json["items"] == []
        client.patch("/api/v1/parks/taguspark", json={"country": "ES"}, headers=parks)
        assert [p["slug"] for p in client.get("/api/v1/parks?country=ES").json["items"]] == [
            "taguspark"]

    def test_a_create_and_a_delete_show_in_lists(self, client, parks):
        client.get("/api/v1/parks")
        client.post("/api/v1/parks", json={"name": "Zhongguancun", "country": "CN"},
                    headers=parks)
        assert client.get("/api/v1/parks").json["pagination"]["total"] == 3
        client.delete("/api/v1/parks/zhongguancun", headers=parks)
        assert client.get("/api/v1/parks").json["pagination"]["total"] == 2

    def test_an_old_etag_after_a_write_gets_the_new_response(self, client, parks):
        old = client.get("/api/v1/parks/taguspark").headers["ETag"]
        assert client.get("/api/v1/parks/taguspark",
                          headers={"If-None-Match": old}).status_code == 304
        client.patch("/api/v1/parks/taguspark", json={"city": "Oeiras"}, headers=parks)
        response = client.get("/api/v1/parks/taguspark", headers={"If-None-Match": old})
        assert response.status_code == 200
        assert response.json["city"] == "Oeiras"
        assert response.headers["ETag"] != old

    def test_unrelated_details_stay_cached(self, client, parks):
        client.get("/api/v1/parks/kista-science-city")
        client.patch("/api/v1/parks/taguspark", json={"city": "Oeiras"}, headers=parks)
        assert client.get("/api/v1/parks/kista-science-city").headers["X-Cache"] == "HIT"

    def test_a_failed_write_purges_nothing(self, client, parks):
        client.get("/api/v1/parks/kista-science-city")
        response = client.patch("/api/v1/parks/kista-science-city",
                                json={"slug": "taguspark"}, headers=parks)
        assert response.status_code == 409
        assert client.get("/api/v1/parks/kista-science-city").headers["X-Cache"] == "HIT"

    def test_a_login_purges_nothing(self, client, parks, login):
        client.get("/api/v1/parks/taguspark")
        login()
        assert client.get("/api/v1/parks/taguspark").headers["X-Cache"] == "HIT"

    def test_a_write_on_one_process_is_seen_by_another(self, make_app, auth_headers):
        if not make_app().config["REDIS_URL"]:
            pytest.skip("processes share a cache only through Redis")
        reader, writer = make_app().test_client(), make_app().test_client()
        editor = auth_headers("editor")
        writer.post("/api/v1/parks", json={"name": "Taguspark", "country": "PT"},
                    headers=editor)
        reader.get("/api/v1/parks/taguspark")
        assert reader.get("/api/v1/parks/taguspark").headers["X-Cache"] == "HIT"
        writer.patch("/api/v1/parks/taguspark", json={"city": "Oeiras"}, headers=editor)
        assert reader.get("/api/v1/parks/taguspark").json["city"] == "Oeiras"


class TestRedisDown:
    @pytest.fixture
    def dead_redis_app(self, make_app):
        return make_app(REDIS_URL="redis://127.0.0.1:1/0", REDIS_SOCKET_TIMEOUT=0.05)

    def test_every_endpoint_still_answers_from_the_database(self, dead_redis_app,
                                                           auth_headers):
        client = dead_redis_app.test_client()
        editor = auth_headers("editor")
        assert client.post("/api/v1/parks", json={"name": "Taguspark", "country": "PT"},
                           headers=editor).status_code == 201
        for _ in range(2):
            response = client.get("/api/v1/parks/taguspark")
            assert response.status_code == 200
            assert response.headers["X-Cache"] == "MISS"
        client.patch("/api/v1/parks/taguspark", json={"city": "Oeiras"}, headers=editor)
        assert client.get("/api/v1/parks/taguspark").json["city"] == "Oeiras"
        assert client.get("/api/v1/parks").json["pagination"]["total"] == 1

    def test_the_outage_is_logged_once(self, dead_redis_app, caplog):
        client = dead_redis_app.test_client()
        with caplog.at_level(logging.WARNING, logger="api.cache"):
            for _ in range(5):
                assert client.get("/api/v1/parks").status_code == 200
        assert len([r for r in caplog.records if "Redis unavailable" in r.getMessage()]) == 1


def test_identical_concurrent_misses_render_once(app):
    renders = []

    def render():
        renders.append(1)
        time.sleep(0.2)
        return app.response_class('{"items": []}', mimetype="application/json")

    results = []

    def request_it():
        with app.test_request_context("/api/v1/parks"):
            results.append(build("response:stampede-test", "parks", Viewer(), render))

    threads = [threading.Thread(target=request_it) for _ in range(5)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(renders) == 1
    assert [entry.body for entry in results] == ['{"items": []}'] * 5


def test_a_lookup_that_misses_claims_the_rebuild_once(app):
    """The read that finds nothing takes the rebuild's lock in the same round trip: one
    caller gets it, the next waits for that rebuild (`build` then renders nothing)."""
    renders = []

    def render():
        renders.append(1)
        return app.response_class('{"items": []}', mimetype="application/json")

    with app.test_request_context("/api/v1/parks"):
        first, second = rebuild_claim("response:claim-test"), rebuild_claim("response:claim-test")
        assert lookup("response:claim-test", Viewer(), first) is None
        assert lookup("response:claim-test", Viewer(), second) is None
        assert (first.taken, first.claimed, second.taken, second.claimed) == (
            True, True, True, False)
        assert isinstance(first.snapshot, int)
        build("response:claim-test", "parks", Viewer(), render, first)
        entry = build("response:claim-test", "parks", Viewer(), render, second)
    assert renders == [1] and entry.body == '{"items": []}'


def test_a_response_that_stops_varying_is_found_again(app):
    """A process remembers which keys stood for variants by caller; when a rebuild of the
    key asks the caller nothing any more, its one entry is what every caller finds."""
    key = "response:variants-test"

    def built(asks):
        viewer = Viewer()

        def render():
            if asks:
                viewer.has_role("editor")
            return app.response_class('{"items": []}', mimetype="application/json")

        with app.test_request_context("/api/v1/parks"):
            build(key, "parks", viewer, render)

    built(asks=True)
    with app.test_request_context("/api/v1/parks"):
        assert lookup(key, Viewer()).body == '{"items": []}'
        get_store().invalidate_tags(["list:parks"])  # a write: the next build asks nothing
    built(asks=False)
    with app.test_request_context("/api/v1/parks"):
        found = lookup(key, Viewer())
    assert found is not None and found.body == '{"items": []}'


class TestScheduledPublication:
    def test_a_scheduled_report_shows_when_its_time_comes(self, client, auth_headers):
        """No cached list outlives the moment a scheduled item goes public."""
        editor = auth_headers("editor")
        soon = (datetime.now(UTC) + timedelta(seconds=1.5)).isoformat()
        response = client.post("/api/v1/reports", headers=editor,
                               content_type="multipart/form-data", data={
                                   "title": "Report on the Development of B&R Science Parks",
                                   "year": "2022", "access": "public", "published_at": soon})
        assert response.status_code == 201, response.json
        assert client.get("/api/v1/reports").json["items"] == []
        assert client.get("/api/v1/reports").headers["X-Cache"] == "HIT"
        time.sleep(1.6)
        later = client.get("/api/v1/reports")
        assert [item["year"] for item in later.json["items"]] == [2022]

    def test_published_items_are_cached_as_usual(self, client, auth_headers):
        editor = auth_headers("editor")
        client.post("/api/v1/reports", headers=editor, content_type="multipart/form-data",
                    data={"title": "Annual report", "year": "2020", "access": "public",
                          "published_at": "2021-01-01T00:00:00Z"})
        client.get("/api/v1/reports")
        assert client.get("/api/v1/reports").headers["X-Cache"] == "HIT"


def test_a_waiter_finds_the_entry_stored_between_its_two_reads(app, monkeypatch):
    """A waiting miss that reads no entry, and then no lock (the rebuild stored and released
    it in between), is answered with that entry rather than rendering again."""
    import api.http_cache as http_cache

    renders, results = [], []
    rendering, waiter_looked, built = threading.Event(), threading.Event(), threading.Event()
    real_lookup = http_cache.lookup

    def render():
        renders.append(1)
        rendering.set()
        waiter_looked.wait(5)
        return app.response_class('{"items": []}', mimetype="application/json")

    def lookup_then_let_the_rebuild_finish(key, viewer, claim=None):
        found = real_lookup(key, viewer, claim)
        if not waiter_looked.is_set():
            waiter_looked.set()
            built.wait(5)
        return found

    def request_it(then=None):
        with app.test_request_context("/api/v1/parks"):
            results.append(build("response:race-test", "parks", Viewer(), render))
        if then:
            then.set()

    builder = threading.Thread(target=request_it, args=(built,))
    builder.start()
    assert rendering.wait(5)
    monkeypatch.setattr(http_cache, "lookup", lookup_then_let_the_rebuild_finish)
    waiter = threading.Thread(target=request_it)
    waiter.start()
    builder.join()
    waiter.join()
    assert len(renders) == 1
    assert [entry.body for entry in results] == ['{"items": []}'] * 2
