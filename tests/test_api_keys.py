"""Partner keys: the admin endpoints (create, list, change, roll, revoke, usage) and what a
keyed request gets (origin binding, secret keys, quotas and RateLimit headers, caching,
several app instances)."""

import time
from datetime import UTC, datetime, timedelta

import http_sf
import pytest
from sqlalchemy import select

from api.models import ApiKey
from api.security import hash_token
from tests.conftest import REDIS_URL
from tests.content import days_from_now
from tests.helpers import assert_problem

PARTNER = "https://www.partner.example"
KEYS = "/api/v1/api-keys"
FEED = "/api/v1/feeds/news.json"


@pytest.fixture
def admin(auth_headers):
    return auth_headers("admin")


def keyed(key, **headers):
    return {"X-API-Key": key["key"], **headers}


def rate_limits(response):
    """The RateLimit header as {policy: (remaining, seconds to reset)}."""
    return {name: (params["r"], params["t"])
            for name, params in http_sf.parse(response.headers["RateLimit"].encode(),
                                              tltype="list")}


def poll(condition, seconds):
    """Call `condition` until it is true; answers the seconds it took (fails after
    `seconds`)."""
    start = time.monotonic()
    while not condition():
        assert time.monotonic() - start < seconds, f"not within {seconds} s"
        time.sleep(0.02)
    return time.monotonic() - start


class TestAdministration:
    def test_a_key_is_shown_once_and_stored_hashed(self, client, admin, db):
        response = client.post(KEYS, json={"name": "Taguspark site", "kind": "publishable",
                                           "allowed_origins": [PARTNER]}, headers=admin)
        assert response.status_code == 201
        created = response.json
        assert created["key"].startswith("cisip_pk_") and len(created["key"]) == 41
        assert created["key_hint"] == f"cisip_pk_…{created['key'][-4:]}"
        assert response.headers["Location"].endswith(f"{KEYS}/{created['id']}")
        expected = {"name": "Taguspark site", "kind": "publishable", "status": "active",
                    "allowed_origins": [PARTNER], "rate_limit": "600/minute",
                    "daily_quota": 100000, "park": None, "active": True, "last_used_at": None,
                    "previous_key_expires_at": None, "revoked_at": None}
        assert {name: created[name] for name in expected} == expected

        shown = client.get(f"{KEYS}/{created['id']}", headers=admin)
        assert shown.status_code == 200 and "key" not in shown.json
        assert shown.headers["Cache-Control"] == "private, no-store"
        row = db.session.scalar(select(ApiKey))
        assert row.secret_hash == hash_token(created["key"])
        assert all(created["key"] not in str(getattr(row, column.key))
                   for column in ApiKey.__table__.columns)

    def test_secret_keys_start_with_their_own_prefix(self, issue_key):
        assert issue_key("secret")["key"].startswith("cisip_sk_")

    @pytest.mark.parametrize(("body", "field"), [
        ({"kind": "publishable"}, "name"),
        ({"name": "A"}, "kind"),
        ({"name": "A", "kind": "public"}, "kind"),
        ({"name": "A", "kind": "secret", "allowed_origins": [PARTNER]}, "allowed_origins"),
        ({"name": "A", "kind": "publishable", "allowed_origins": ["www.partner.example"]},
         "allowed_origins"),
        ({"name": "A", "kind": "publishable", "allowed_origins": [PARTNER + "/news"]},
         "allowed_origins"),
        ({"name": "A", "kind": "publishable", "allowed_origins": ["ftp://partner.example"]},
         "allowed_origins"),
        ({"name": "A", "kind": "publishable", "allowed_origins": ["https://*.example"]},
         "allowed_origins"),
        ({"name": "A", "kind": "publishable", "allowed_origins": ["https://*"]},
         "allowed_origins"),
        ({"name": "A", "kind": "publishable", "rate_limit": "often"}, "rate_limit"),
        ({"name": "A", "kind": "publishable", "rate_limit": "10/day"}, "rate_limit"),
        ({"name": "A", "kind": "publishable", "rate_limit": "0/minute"}, "rate_limit"),
        ({"name": "A", "kind": "publishable", "daily_quota": 0}, "daily_quota"),
        ({"name": "A", "kind": "publishable", "park_id": "00000000-0000-0000-0000-000000000007"},
         "park_id"),
        ({"name": "A", "kind": "publishable", "key": "cisip_pk_mine"}, "key"),
    ])
    def test_bad_input_is_422_and_creates_nothing(self, client, admin, body, field):
        body = assert_problem(client.post(KEYS, json=body, headers=admin), 422,
                              "validation_error")
        assert field in body["errors"]["json"]
        assert client.get(f"{KEYS}?status=active", headers=admin).json["items"] == []

    def test_origins_are_stored_as_browsers_send_them(self, issue_key):
        key = issue_key(allowed_origins=["HTTPS://WWW.Partner.Example:443/",
                                         "http://localhost:3000", "https://*.Partner.example",
                                         "https://bücher.example"])
        assert key["allowed_origins"] == [PARTNER, "http://localhost:3000",
                                          "https://*.partner.example",
                                          "https://xn--bcher-kva.example"]

    def test_list_filters_and_revoked_keys(self, client, admin, issue_key, taguspark):
        site = issue_key(name="Taguspark site", park_id=taguspark["id"])
        server = issue_key("secret", name="Taguspark server")
        gone = issue_key(name="Old widget")
        assert client.delete(f"{KEYS}/{gone['id']}", headers=admin).status_code == 204
        issue_key(name="Last year's fair", expires_at=days_from_now(-30))
        issue_key(name="Paused", active=False)

        def names(query=""):
            response = client.get(f"{KEYS}?sort=name{query}", headers=admin)
            assert response.status_code == 200, response.json
            return [key["name"] for key in response.json["items"]]

        assert names() == ["Last year's fair", "Paused", "Taguspark server", "Taguspark site"]
        assert names("&status=active") == ["Taguspark server", "Taguspark site"]
        assert names("&status=revoked") == ["Old widget"]
        assert names("&status=expired") == ["Last year's fair"]
        assert names("&status=inactive") == ["Paused"]
        assert names("&kind=secret") == [server["name"]]
        assert names("&park=taguspark") == [site["name"]]
        assert names("&q=SERVER") == ["Taguspark server"]
        assert_problem(client.get(f"{KEYS}?status=gone", headers=admin), 422)

    def test_change_a_key(self, client, admin, issue_key, taguspark):
        key = issue_key()
        response = client.patch(f"{KEYS}/{key['id']}", headers=admin, json={
            "name": "Renamed", "rate_limit": "10/second", "daily_quota": None,
            "park_id": taguspark["id"], "allowed_origins": ["https://*.partner.example"]})
        assert response.status_code == 200, response.json
        expected = {"name": "Renamed", "rate_limit": "10/second", "daily_quota": None,
                    "park_id": taguspark["id"], "allowed_origins": ["https://*.partner.example"]}
        assert {name: response.json[name] for name in expected} == expected
        assert response.json["park"]["slug"] == "taguspark"
        assert client.get(f"{KEYS}/{key['id']}", headers=admin).json["name"] == "Renamed"
        assert_problem(client.patch(f"{KEYS}/{key['id']}", json={"kind": "secret"},
                                    headers=admin), 422)
        assert client.get(f"{KEYS}/{key['id']}", headers=admin).json["kind"] == "publishable"

    def test_a_secret_key_takes_no_origins(self, client, admin, issue_key):
        key = issue_key("secret")
        assert_problem(client.patch(f"{KEYS}/{key['id']}", json={"allowed_origins": [PARTNER]},
                                    headers=admin), 422, "validation_error")
        assert client.get(f"{KEYS}/{key['id']}", headers=admin).json["allowed_origins"] == []

    def test_a_revoked_key_stays_readable_and_cannot_be_changed(self, client, admin, issue_key):
        key = issue_key()
        for _ in range(2):  # revoking again changes nothing
            assert client.delete(f"{KEYS}/{key['id']}", headers=admin).status_code == 204
        shown = client.get(f"{KEYS}/{key['id']}", headers=admin).json
        assert shown["status"] == "revoked" and shown["revoked_at"] is not None
        assert_problem(client.patch(f"{KEYS}/{key['id']}", json={"name": "B"}, headers=admin),
                       409, "key_revoked")
        assert_problem(client.post(f"{KEYS}/{key['id']}/roll", json={}, headers=admin), 409,
                       "key_revoked")
        assert_problem(client.get("/api/v1/parks", headers=keyed(key)), 401, "invalid_api_key")

    def test_unknown_keys_are_404(self, client, admin):
        missing = f"{KEYS}/00000000-0000-0000-0000-000000000007"
        for response in (client.get(missing, headers=admin),
                         client.delete(missing, headers=admin),
                         client.post(f"{missing}/roll", json={}, headers=admin),
                         client.get(f"{missing}/usage", headers=admin)):
            assert_problem(response, 404, "not_found")

    def test_only_admins_manage_keys(self, client, auth_headers, issue_key):
        key = issue_key()
        editor = auth_headers("editor")
        assert_problem(client.get(KEYS, headers=editor), 403)
        assert_problem(client.post(f"{KEYS}/{key['id']}/roll", json={}, headers=editor), 403)
        assert_problem(client.get(f"{KEYS}/{key['id']}/usage"), 401)

    def test_create_roll_change_and_revoke_are_in_the_audit_trail(self, client, admin,
                                                                  issue_key):
        key = issue_key()
        client.post(f"{KEYS}/{key['id']}/roll", json={"grace_seconds": 60}, headers=admin)
        client.patch(f"{KEYS}/{key['id']}", json={"active": False}, headers=admin)
        client.delete(f"{KEYS}/{key['id']}", headers=admin)
        events = [event for event in client.get("/api/v1/admin/audit?per_page=100",
                                                headers=admin).json["items"]
                  if event["event"].startswith("api_key")]
        same = {"api_key_id": key["id"], "name": "Partner site"}
        assert {event["event"]: event["detail"] for event in events} == {
            "api_key_created": same | {"kind": "publishable"},
            "api_key_rolled": same | {"grace_seconds": "60"},
            "api_key_updated": same | {"fields": "active"},
            "api_key_revoked": same,
        }
        assert all(event["actor"]["full_name"] == "Test Member" for event in events)


class TestKeyedRequests:
    def test_requests_without_a_key_are_as_before(self, client):
        response = client.get("/api/v1/parks")
        assert response.status_code == 200
        assert "RateLimit" not in response.headers

    @pytest.mark.parametrize("key", ["cisip_pk_" + "a" * 32, "cisip_pk_short", "nonsense", "",
                                     "cisip_pk_" + "é" * 32])
    def test_unknown_or_malformed_keys_are_401(self, client, key):
        assert_problem(client.get("/api/v1/parks", headers={"X-API-Key": key}), 401,
                       "invalid_api_key")

    def test_an_expired_or_switched_off_key_is_401(self, client, admin, issue_key):
        expired = issue_key(expires_at=days_from_now(-1))
        assert expired["status"] == "expired"
        assert_problem(client.get("/api/v1/parks", headers=keyed(expired)), 401,
                       "invalid_api_key")
        key = issue_key()
        assert client.get("/api/v1/parks", headers=keyed(key)).status_code == 200
        client.patch(f"{KEYS}/{key['id']}", json={"active": False}, headers=admin)
        assert_problem(client.get("/api/v1/parks", headers=keyed(key)), 401, "invalid_api_key")
        client.patch(f"{KEYS}/{key['id']}", json={"active": True}, headers=admin)
        assert client.get("/api/v1/parks", headers=keyed(key)).status_code == 200


class TestOrigins:
    @pytest.fixture
    def key(self, issue_key):
        return issue_key(allowed_origins=[PARTNER, "http://localhost:3000",
                                          "https://*.parks.example"])

    @pytest.mark.parametrize("origin", [
        PARTNER, "https://WWW.PARTNER.EXAMPLE", "https://www.partner.example:443",
        "http://localhost:3000", "https://taguspark.parks.example",
        "https://news.taguspark.parks.example"])
    def test_allowed_origins_read(self, client, key, origin):
        assert client.get("/api/v1/parks", headers=keyed(key, Origin=origin)).status_code == 200

    @pytest.mark.parametrize("origin", [
        "http://www.partner.example",  # another scheme
        "https://www.partner.example:8443",  # another port
        "https://partner.example",  # not written
        "https://evil.www.partner.example",  # no wildcard written for it
        "https://www.partner.example.evil.test",  # lookalikes
        "https://evilwww.partner.example",
        "https://www-partner.example",
        "https://parks.example",  # a wildcard is not its bare domain
        "https://evilparks.example",
        "https://taguspark.parks.example.evil.test",
        "http://taguspark.parks.example",
        "http://localhost:3001",
        "null",  # sandboxed frames, file: pages
    ])
    def test_other_origins_are_refused(self, client, key, origin):
        response = client.get("/api/v1/parks", headers=keyed(key, Origin=origin))
        assert_problem(response, 403, "key_origin_denied")
        assert "RateLimit" not in response.headers

    def test_referer_counts_when_there_is_no_origin(self, client, key):
        ok = client.get("/api/v1/parks", headers=keyed(key, Referer=f"{PARTNER}/news?id=1"))
        assert ok.status_code == 200
        assert_problem(client.get("/api/v1/parks", headers=keyed(
            key, Referer="https://www.partner.example.evil.test/")), 403, "key_origin_denied")

    def test_without_origin_or_referer_the_key_works(self, client, key):
        # Servers, apps and feed readers send neither; a browser's cross-origin fetch always
        # sends Origin, whatever its Referrer-Policy.
        assert client.get("/api/v1/parks", headers=keyed(key)).status_code == 200

    def test_a_key_without_allowed_origins_is_refused_from_every_page(self, client,
                                                                      issue_key):
        key = issue_key()
        assert_problem(client.get("/api/v1/parks", headers=keyed(key, Origin=PARTNER)), 403,
                       "key_origin_denied")

    def test_publishable_keys_read_public_content_only(self, client, key, auth_headers,
                                                       editor):
        response = client.post("/api/v1/parks", json={"name": "Keyed", "country": "PT"},
                               headers=keyed(key) | editor)
        assert_problem(response, 403, "key_scope_denied")
        assert_problem(client.get("/api/v1/auth/me", headers=keyed(key) | auth_headers()),
                       403, "key_scope_denied")
        assert client.get("/api/v1/parks").json["items"] == []


class TestSecretKeys:
    def test_a_server_reads_with_a_secret_key(self, client, issue_key):
        key = issue_key("secret")
        assert client.get("/api/v1/parks", headers=keyed(key)).status_code == 200

    @pytest.mark.parametrize("browser", [{"Origin": PARTNER}, {"Sec-Fetch-Site": "cross-site"},
                                         {"Origin": "null"}])
    def test_a_secret_key_from_a_browser_is_refused(self, client, issue_key, browser):
        key = issue_key("secret")
        assert_problem(client.get("/api/v1/parks", headers=keyed(key, **browser)), 403,
                       "secret_key_exposed")

    def test_a_secret_key_in_a_url_is_refused(self, client, issue_key):
        key = issue_key("secret")
        assert_problem(client.get(f"{FEED}?key={key['key']}"), 403, "secret_key_exposed")


class TestCaching:
    def test_keyed_and_unkeyed_reads_share_one_cache_entry(self, client, issue_key, taguspark):
        key = issue_key()
        bare = client.get("/api/v1/parks")
        with_key = client.get("/api/v1/parks", headers=keyed(key))
        assert (bare.headers["X-Cache"], with_key.headers["X-Cache"]) == ("MISS", "HIT")
        assert with_key.headers["ETag"] == bare.headers["ETag"]
        assert with_key.data == bare.data
        assert with_key.headers["Cache-Control"] == bare.headers["Cache-Control"]
        not_modified = client.get("/api/v1/parks", headers=keyed(
            key, **{"If-None-Match": bare.headers["ETag"]}))
        assert not_modified.status_code == 304
        assert not_modified.headers["ETag"] == bare.headers["ETag"]

    def test_http_caches_keep_keys_apart(self, client, issue_key):
        # A browser or CDN must not answer one key's request with another key's answer.
        bare = client.get("/api/v1/parks")
        assert "X-API-Key" in bare.headers["Vary"]
        with_key = client.get("/api/v1/parks", headers=keyed(issue_key()))
        assert {"X-API-Key", "Origin", "Authorization"} <= set(
            with_key.headers["Vary"].split(", "))

    def test_a_key_in_the_feed_url_shares_the_entry_too(self, client, issue_key, make_news,
                                                        taguspark):
        make_news("Forum", park_ids=[taguspark["id"]])
        key = issue_key()
        with_key = client.get(f"{FEED}?limit=5&key={key['key']}")
        bare = client.get(f"{FEED}?limit=5")
        assert (with_key.headers["X-Cache"], bare.headers["X-Cache"]) == ("MISS", "HIT")
        assert bare.headers["ETag"] == with_key.headers["ETag"]
        assert key["key"] not in with_key.get_data(as_text=True)
        again = client.get(f"{FEED}?key={key['key']}&limit=5")
        assert again.headers["X-Cache"] == "HIT"

    def test_a_refused_key_never_gets_the_cached_answer(self, client, admin, issue_key):
        key = issue_key(allowed_origins=[PARTNER])
        assert client.get("/api/v1/parks").headers["X-Cache"] == "MISS"
        assert client.get("/api/v1/parks").headers["X-Cache"] == "HIT"
        for headers in ({"X-API-Key": "cisip_pk_" + "b" * 32},
                        keyed(key, Origin="https://evil.example")):
            response = client.get("/api/v1/parks", headers=headers)
            assert response.status_code in (401, 403) and "X-Cache" not in response.headers
        client.delete(f"{KEYS}/{key['id']}", headers=admin)
        assert_problem(client.get(f"{FEED}?key={key['key']}"), 401, "invalid_api_key")

    def test_key_is_only_read_from_the_url_of_feeds(self, client, admin, issue_key):
        key = issue_key()
        client.delete(f"{KEYS}/{key['id']}", headers=admin)
        # Elsewhere it is an unknown query parameter: ignored like any other.
        assert client.get(f"/api/v1/parks?key={key['key']}").status_code == 200


class TestQuotas:
    @pytest.fixture
    def app(self, make_app):
        return make_app(RATELIMIT_ENABLED="true")

    def test_headers_count_down_then_429_with_retry_after(self, client, issue_key):
        key = issue_key(rate_limit="3/hour", daily_quota=10)
        seen = []
        for _ in range(4):
            response = client.get("/api/v1/parks", headers=keyed(key))
            assert response.headers["RateLimit-Policy"] == \
                '"rate";q=3;w=3600, "daily";q=10;w=86400'
            seen.append((response.status_code, rate_limits(response)))
        now = datetime.now(UTC)
        to_hour = 3600 - (now.minute * 60 + now.second)
        midnight = datetime(now.year, now.month, now.day, tzinfo=UTC) + timedelta(days=1)
        to_midnight = (midnight - now).total_seconds()
        assert [(status, limits["rate"][0], limits["daily"][0]) for status, limits in seen] \
            == [(200, 2, 9), (200, 1, 8), (200, 0, 7), (429, 0, 7)]
        for _, limits in seen:
            assert abs(limits["rate"][1] - to_hour) <= 2
            assert abs(limits["daily"][1] - to_midnight) <= 2
        refused = client.get("/api/v1/parks", headers=keyed(key))
        body = assert_problem(refused, 429, "quota_exceeded")
        assert body["violated_policies"] == ["rate"]
        assert int(refused.headers["Retry-After"]) == rate_limits(refused)["rate"][1]

    def test_the_daily_quota_ends_at_midnight_utc(self, client, issue_key):
        key = issue_key(rate_limit="100/second", daily_quota=2)
        assert [client.get("/api/v1/parks", headers=keyed(key)).status_code
                for _ in range(3)] == [200, 200, 429]
        refused = client.get(FEED + f"?key={key['key']}")
        assert assert_problem(refused, 429, "quota_exceeded")["violated_policies"] == ["daily"]
        now = datetime.now(UTC)
        midnight = datetime(now.year, now.month, now.day, tzinfo=UTC) + timedelta(days=1)
        assert abs(int(refused.headers["Retry-After"]) - (midnight - now).total_seconds()) <= 2

    def test_a_full_window_recovers(self, client, issue_key):
        key = issue_key(rate_limit="2/second", daily_quota=None)

        def status():
            response = client.get("/api/v1/parks", headers=keyed(key))
            assert response.headers["RateLimit-Policy"] == '"rate";q=2;w=1'
            if response.status_code == 429:
                assert response.headers["Retry-After"] == "1"
            return response.status_code

        poll(lambda: status() == 429, 2)
        poll(lambda: status() == 200, 2)

    def test_a_revalidation_spends_a_request_too(self, client, issue_key):
        key = issue_key(rate_limit="5/hour", daily_quota=None)
        etag = client.get("/api/v1/parks", headers=keyed(key)).headers["ETag"]
        response = client.get("/api/v1/parks", headers=keyed(key, **{"If-None-Match": etag}))
        assert response.status_code == 304
        assert rate_limits(response)["rate"][0] == 3

    def test_keys_have_quotas_of_their_own(self, client, issue_key):
        first, second = issue_key(rate_limit="1/hour"), issue_key(rate_limit="1/hour")
        assert client.get("/api/v1/parks", headers=keyed(first)).status_code == 200
        assert_problem(client.get("/api/v1/parks", headers=keyed(first)), 429)
        assert client.get("/api/v1/parks", headers=keyed(second)).status_code == 200
        assert client.get("/api/v1/parks").status_code == 200  # no key, no quota

    def test_headers_are_readable_cross_origin(self, client, issue_key):
        key = issue_key(allowed_origins=[PARTNER])
        response = client.get("/api/v1/parks", headers=keyed(key, Origin=PARTNER))
        exposed = response.headers["Access-Control-Expose-Headers"]
        assert "RateLimit" in exposed and "RateLimit-Policy" in exposed



class TestWithRedisDown:
    @pytest.fixture
    def app(self, make_app):
        return make_app(RATELIMIT_ENABLED="true", REDIS_URL="redis://127.0.0.1:1/0")

    def test_keys_and_quotas_still_work(self, client, admin, issue_key):
        key = issue_key(rate_limit="2/hour")
        assert [client.get("/api/v1/parks", headers=keyed(key)).status_code
                for _ in range(3)] == [200, 200, 429]
        client.delete(f"{KEYS}/{key['id']}", headers=admin)
        assert_problem(client.get("/api/v1/parks", headers=keyed(key)), 401, "invalid_api_key")


class TestUsage:
    def test_usage_counts_the_requests_served(self, client, admin, issue_key, taguspark):
        key = issue_key(allowed_origins=[PARTNER])
        other = issue_key()
        for path in ("/api/v1/parks", "/api/v1/parks/taguspark", "/api/v1/parks",
                     "/api/v1/news", "/api/v1/search?q=tagus"):
            assert client.get(path, headers=keyed(key)).status_code == 200
        assert client.get(f"{FEED}?key={key['key']}").status_code == 200
        assert client.head("/api/v1/parks", headers=keyed(key)).status_code == 200
        client.get("/api/v1/parks", headers=keyed(key, Origin="https://evil.example"))  # 403
        client.get("/api/v1/parks", headers=keyed(other))
        client.get("/api/v1/parks")

        usage = client.get(f"{KEYS}/{key['id']}/usage", headers=admin)
        assert usage.status_code == 200
        body = usage.json
        today = datetime.now(UTC).date().isoformat()
        assert body["to"] == today and len(body["days"]) == 90
        assert body["groups"] == {"parks": 4, "news": 1, "search": 1, "feeds": 1}
        assert body["total"] == 7
        assert body["days"][-1] == {"date": today, "total": 7, "groups": body["groups"]}
        assert all(day["total"] == 0 for day in body["days"][:-1])
        assert client.get(f"{KEYS}/{other['id']}/usage?days=1", headers=admin).json[
            "days"] == [{"date": today, "total": 1, "groups": {"parks": 1}}]
        last_used = client.get(f"{KEYS}/{key['id']}", headers=admin).json["last_used_at"]
        assert last_used is not None and last_used[:10] == today
        assert_problem(client.get(f"{KEYS}/{key['id']}/usage?days=91", headers=admin), 422)


class TestTwoInstances:
    """Changes made through instance A reach instance B: as two processes of a deployment
    (sharing PostgreSQL and Redis, or one SQLite file)."""

    @pytest.fixture
    def b(self, app, make_app):
        return make_app().test_client()

    def test_a_revocation_on_a_is_seen_by_b_within_a_second(self, client, b, admin,
                                                            issue_key):
        key = issue_key()
        assert b.get("/api/v1/parks", headers=keyed(key)).status_code == 200
        assert client.delete(f"{KEYS}/{key['id']}", headers=admin).status_code == 204
        poll(lambda: b.get("/api/v1/parks", headers=keyed(key)).status_code == 401, 1)
        assert_problem(b.get("/api/v1/parks", headers=keyed(key)), 401, "invalid_api_key")

    def test_a_roll_with_grace_on_two_instances(self, client, b, admin, issue_key):
        first = issue_key()
        assert b.get("/api/v1/parks", headers=keyed(first)).status_code == 200
        rolled = client.post(f"{KEYS}/{first['id']}/roll", json={"grace_seconds": 3600},
                             headers=admin)
        assert rolled.status_code == 200
        second = rolled.json
        assert second["key"] != first["key"] and second["id"] == first["id"]
        assert second["previous_key_expires_at"] is not None
        for instance in (client, b):
            assert instance.get("/api/v1/parks", headers=keyed(first)).status_code == 200
            assert instance.get("/api/v1/parks", headers=keyed(second)).status_code == 200

        third = client.post(f"{KEYS}/{first['id']}/roll", json={"grace_seconds": 0},
                            headers=admin).json
        assert third["previous_key_expires_at"] is None
        for old in (first, second):
            poll(lambda old=old: b.get("/api/v1/parks", headers=keyed(old)).status_code == 401,
                 1)
        assert b.get("/api/v1/parks", headers=keyed(third)).status_code == 200

    def test_the_grace_period_ends_on_its_own(self, client, b, admin, issue_key):
        first = issue_key()
        assert b.get("/api/v1/parks", headers=keyed(first)).status_code == 200
        client.post(f"{KEYS}/{first['id']}/roll", json={"grace_seconds": 1}, headers=admin)
        assert b.get("/api/v1/parks", headers=keyed(first)).status_code == 200
        poll(lambda: b.get("/api/v1/parks", headers=keyed(first)).status_code == 401, 2.5)

    def test_usage_counted_on_b_is_written_after_its_response(self, client, admin, issue_key,
                                                              make_app):
        b = make_app(API_KEY_USAGE_FLUSH_SECONDS="0").test_client()
        key = issue_key()
        for _ in range(3):
            with b.get("/api/v1/parks", headers=keyed(key)) as response:
                assert response.status_code == 200
        usage = client.get(f"{KEYS}/{key['id']}/usage?days=1", headers=admin).json
        assert usage["total"] == 3


class TestQuotasAcrossInstances:
    @pytest.fixture
    def app(self, make_app):
        return make_app(RATELIMIT_ENABLED="true")

    @pytest.fixture
    def b(self, app, make_app):
        return make_app(RATELIMIT_ENABLED="true").test_client()

    @pytest.mark.skipif(not REDIS_URL, reason="processes share quotas through Redis only")
    def test_instances_together_serve_exactly_the_quota(self, client, b, issue_key):
        key = issue_key(rate_limit="1000/hour", daily_quota=60)
        served, refused = 0, set()
        for request in range(200):
            instance = request % 2
            response = (client, b)[instance].get("/api/v1/parks", headers=keyed(key))
            if response.status_code == 429:
                refused.add(instance)
                if refused == {0, 1}:
                    break
            else:
                assert response.status_code == 200 and instance not in refused
                served += 1
        assert served == 60 and refused == {0, 1}
        assert rate_limits(response)["daily"][0] == 0


def test_the_feeds_document_the_key_parameter(client):
    spec = client.get("/openapi.json").json
    for path in ("/api/v1/feeds/news.rss", "/api/v1/parks/{ref}/feed.json"):
        assert "key" in [p["name"] for p in spec["paths"][path]["parameters"]]
        assert "key" not in [p["name"] for p in spec["paths"][path]["get"]["parameters"]]
    assert spec["paths"][KEYS + "/{key_id}/roll"]["post"]["operationId"] == "rollApiKey"
