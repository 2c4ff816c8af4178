"""Webhooks: endpoints, the catalogue, signed deliveries to a real receiver on 127.0.0.1
(verified with the standardwebhooks package), retries under the same id, 410 and five failing
days disabling, secret rotation, redelivery, and what content writes send."""

import time
from datetime import timedelta

import pytest
from jsonschema import Draft202012Validator

from api.models.base import utcnow
from api.worker import drain
from tests.helpers import assert_problem, mails_to, text_body
from tests.receiver import Receiver

HOOKS = "/api/v1/webhooks"


@pytest.fixture
def app(make_app):
    """The test receiver runs on 127.0.0.1 over plain HTTP: allowed for these tests only."""
    return make_app(WEBHOOK_ALLOW_HTTP="true", WEBHOOK_ALLOWED_HOSTS="127.0.0.1")


@pytest.fixture
def admin(auth_headers):
    return auth_headers("admin")


@pytest.fixture
def receiver():
    server = Receiver()
    yield server
    server.close()


@pytest.fixture
def make_hook(client, admin, receiver):
    def factory(events=("park.created", "park.updated", "park.deleted"), url=None, **fields):
        response = client.post(HOOKS, json={"url": url or receiver.url, "events": list(events),
                                            **fields}, headers=admin)
        assert response.status_code == 201, response.json
        return response.json

    return factory


def catalogue(client):
    response = client.get(f"{HOOKS}/event-types?per_page=100")
    assert response.status_code == 200
    return {item["type"]: item["schema"] for item in response.json["items"]}


def deliveries(client, admin, hook, query=""):
    response = client.get(f"{HOOKS}/{hook['id']}/deliveries{query}", headers=admin)
    assert response.status_code == 200, response.json
    return response.json["items"]


class TestCatalogue:
    def test_every_type_has_a_json_schema_for_its_data(self, client):
        schemas = catalogue(client)
        assert set(schemas) == {
            "news.published", "news.updated", "news.unpublished", "news.deleted",
            "event.published", "event.updated", "event.cancelled", "report.published",
            "park.created", "park.updated", "park.deleted", "ping"}
        for name, schema in schemas.items():
            Draft202012Validator.check_schema(schema)
            assert schema["type"] == "object"
            if name != "ping":
                assert "updated_at" in schema["required"], name
        assert set(schemas["event.published"]["required"]) == {
            "id", "slug", "title", "starts_at", "ends_at", "status", "url", "updated_at"}
        assert schemas["news.published"]["properties"]["published_at"]["format"] == "date-time"

    def test_the_catalogue_is_public_and_paginated(self, client):
        response = client.get(f"{HOOKS}/event-types?per_page=5&page=3")
        assert response.status_code == 200
        assert response.json["pagination"] == {"page": 3, "per_page": 5, "total": 12,
                                               "pages": 3}
        assert [item["type"] for item in response.json["items"]] == ["ping", "report.published"]


class TestEndpoints:
    def test_create_shows_the_secret_once(self, client, admin, make_hook, receiver):
        hook = make_hook()
        assert hook["secret"].startswith("whsec_") and len(hook["secret"]) > 40
        assert hook["active"] is True and hook["disabled_reason"] is None
        assert hook["events"] == ["park.created", "park.updated", "park.deleted"]
        shown = client.get(f"{HOOKS}/{hook['id']}", headers=admin)
        assert shown.status_code == 200 and "secret" not in shown.json
        listed = client.get(HOOKS, headers=admin).json["items"]
        assert [item["id"] for item in listed] == [hook["id"]]
        assert "secret" not in listed[0]

    def test_update_and_delete(self, client, admin, make_hook):
        hook = make_hook()
        changed = client.patch(f"{HOOKS}/{hook['id']}", json={"events": ["news.published"],
                                                             "description": "Taguspark site"},
                               headers=admin)
        assert changed.status_code == 200
        assert (changed.json["events"], changed.json["description"]) == (["news.published"],
                                                                         "Taguspark site")
        assert client.delete(f"{HOOKS}/{hook['id']}", headers=admin).status_code == 204
        assert_problem(client.get(f"{HOOKS}/{hook['id']}", headers=admin), 404, "not_found")

    @pytest.mark.parametrize("body, field", [
        ({"url": "https://partner.example/hook", "events": []}, "events"),
        ({"url": "https://partner.example/hook", "events": ["ping"]}, "events"),
        ({"url": "https://partner.example/hook", "events": ["news.exploded"]}, "events"),
        ({"url": "ftp://partner.example/hook", "events": ["park.created"]}, "url"),
        ({"url": "https://partner.example/hook", "events": ["park.created"], "secret": "x"},
         "secret"),
    ])
    def test_bad_bodies_are_refused_and_change_nothing(self, client, admin, body, field):
        body = assert_problem(client.post(HOOKS, json=body, headers=admin), 422,
                              "validation_error")
        assert field in body["errors"]["json"]
        assert client.get(HOOKS, headers=admin).json["items"] == []


class TestDelivery:
    def test_a_park_created_reaches_the_receiver_signed(self, client, admin, make_hook,
                                                        make_park, receiver):
        hook = make_hook()
        park = make_park("Taguspark", "PT", city="Oeiras")
        assert drain(client.application) == 1
        [(headers, body)] = receiver.verified(hook["secret"])
        assert body["type"] == "park.created"
        assert body["data"] == {
            "id": park["id"], "slug": "taguspark", "name": "Taguspark", "country": "PT",
            "city": "Oeiras", "website": None, "is_member": True,
            "url": "https://cisip.example/parks/taguspark", "updated_at": park["updated_at"]}
        Draft202012Validator(catalogue(client)["park.created"]).validate(body["data"])
        assert headers["Content-Type"] == "application/json"
        assert headers["webhook-signature"].startswith("v1,")
        [attempt] = deliveries(client, admin, hook)
        assert attempt["event_id"] == headers["webhook-id"]
        assert (attempt["event_type"], attempt["attempt"], attempt["succeeded"],
                attempt["http_status"], attempt["next_retry_at"]) == ("park.created", 1, True,
                                                                     200, None)
        assert attempt["response_excerpt"] == "ok"

    def test_a_failed_call_is_retried_later_with_the_same_id_and_a_valid_signature(
            self, client, admin, make_hook, make_park, receiver):
        receiver.statuses = [500]
        hook = make_hook()
        make_park("Taguspark")
        assert drain(client.application) == 1
        [failed] = deliveries(client, admin, hook)
        assert (failed["succeeded"], failed["http_status"], failed["error"]) == (False, 500,
                                                                                 "HTTP 500")
        retry_at = failed["next_retry_at"]
        assert retry_at is not None
        assert drain(client.application) == 0  # not before its time
        assert drain(client.application, now=utcnow() + timedelta(minutes=2)) == 1
        first, second = receiver.verified(hook["secret"])
        assert first[0]["webhook-id"] == second[0]["webhook-id"]
        assert first[1] == second[1]
        latest, earlier = deliveries(client, admin, hook)
        assert (latest["attempt"], latest["succeeded"]) == (2, True)
        assert earlier == failed
        hook_state = client.get(f"{HOOKS}/{hook['id']}", headers=admin).json
        assert hook_state["failing_since"] is None and hook_state["active"] is True

    def test_410_disables_the_endpoint_and_tells_its_creator(self, client, app, admin,
                                                             make_hook, make_park, receiver):
        receiver.statuses = [410]
        hook = make_hook()
        make_park("Taguspark")
        drain(app)
        state = client.get(f"{HOOKS}/{hook['id']}", headers=admin).json
        assert (state["active"], state["disabled_reason"]) == (False, "gone")
        [attempt] = deliveries(client, admin, hook)
        assert (attempt["http_status"], attempt["next_retry_at"]) == (410, None)
        creator = hook["created_by"]["id"]
        mails = [m for m in mails_to(app, _email(client, admin, creator))
                 if "disabled" in m["Subject"]]
        assert receiver.url in text_body(mails[0]) and "410" in text_body(mails[0])
        # Nothing more is sent to it, until an admin enables it again.
        make_park("Kista Science City", "SE")
        assert drain(app) == 0
        enabled = client.patch(f"{HOOKS}/{hook['id']}", json={"active": True}, headers=admin)
        assert enabled.json["active"] is True and enabled.json["disabled_reason"] is None
        make_park("Tsinghua Science Park", "CN")
        drain(app)
        assert [body["data"]["name"] for _h, body in receiver.verified(hook["secret"])] == [
            "Taguspark", "Tsinghua Science Park"]

    def test_five_failing_days_disable_the_endpoint(self, client, app, admin, make_hook,
                                                    make_park, receiver):
        receiver.statuses = [503] * 20
        hook = make_hook()
        make_park("Taguspark")
        drain(app)
        state = client.get(f"{HOOKS}/{hook['id']}", headers=admin).json
        assert state["active"] is True and state["failing_since"] is not None
        # Four days on, still failing: still on. Past five days: disabled.
        drain(app, now=utcnow() + timedelta(days=4))
        assert client.get(f"{HOOKS}/{hook['id']}", headers=admin).json["active"] is True
        make_park("Kista Science City", "SE")
        drain(app, now=utcnow() + timedelta(days=5, minutes=1))
        state = client.get(f"{HOOKS}/{hook['id']}", headers=admin).json
        assert (state["active"], state["disabled_reason"]) == (False, "failing")
        creator = _email(client, admin, hook["created_by"]["id"])
        assert any("five days" in text_body(m) for m in mails_to(app, creator))

    def test_during_a_rotation_both_secrets_verify(self, client, admin, make_hook, make_park,
                                                   receiver):
        hook = make_hook()
        rotated = client.post(f"{HOOKS}/{hook['id']}/rotate-secret", headers=admin)
        assert rotated.status_code == 200
        new_secret = rotated.json["secret"]
        assert new_secret != hook["secret"] and rotated.json["previous_secret_expires_at"]
        make_park("Taguspark")
        drain(client.application)
        [(headers, _body)] = receiver.verified(new_secret)
        assert receiver.verified(hook["secret"])  # the old secret verifies the same call
        assert len(headers["webhook-signature"].split(" ")) == 2

    def test_ping_and_redelivery(self, client, admin, make_hook, receiver):
        hook = make_hook()
        ping = client.post(f"{HOOKS}/{hook['id']}/test", headers=admin)
        assert ping.status_code == 202 and ping.json["event_type"] == "ping"
        drain(client.application)
        [(headers, body)] = receiver.verified(hook["secret"])
        assert body["type"] == "ping" and body["data"]["webhook_id"] == hook["id"]
        assert headers["webhook-id"] == ping.json["event_id"]
        [attempt] = deliveries(client, admin, hook)
        again = client.post(f"{HOOKS}/{hook['id']}/deliveries/{attempt['id']}/redeliver",
                            headers=admin)
        assert again.status_code == 202 and again.json == ping.json
        drain(client.application)
        assert [h["webhook-id"] for h, _b in receiver.verified(hook["secret"])] == [
            ping.json["event_id"]] * 2
        latest = deliveries(client, admin, hook)[0]
        assert (latest["redelivery"], latest["attempt"]) == (True, 1)
        assert [d["id"] for d in deliveries(client, admin, hook, "?succeeded=false")] == []
        assert_problem(client.post(f"{HOOKS}/{hook['id']}/deliveries/{hook['id']}/redeliver",
                                   headers=admin), 404, "not_found")

    def test_redelivery_to_a_disabled_endpoint_is_a_conflict(self, client, admin, make_hook):
        hook = make_hook()
        client.post(f"{HOOKS}/{hook['id']}/test", headers=admin)
        drain(client.application)
        [attempt] = deliveries(client, admin, hook)
        client.patch(f"{HOOKS}/{hook['id']}", json={"active": False}, headers=admin)
        assert_problem(client.post(f"{HOOKS}/{hook['id']}/deliveries/{attempt['id']}/redeliver",
                                   headers=admin), 409, "webhook_disabled")


def _email(client, admin, member_id):
    return client.get(f"/api/v1/members/{member_id}", headers=admin).json["email"]


class TestContentEvents:
    """What news, report and park writes send, and when."""

    @pytest.fixture
    def hook(self, make_hook):
        return make_hook(["news.published", "news.updated", "news.unpublished",
                          "news.deleted", "report.published", "park.updated", "park.deleted"])

    def events(self, app, receiver, hook, now=None):
        drain(app, now)
        types = [(body["type"], body["data"].get("title") or body["data"].get("name"))
                 for _h, body in receiver.verified(hook["secret"])]
        receiver.calls.clear()
        return types

    def test_news_life_cycle(self, app, client, editor, hook, make_news, receiver):
        draft = make_news("Forum 2021", status="draft")
        assert self.events(app, receiver, hook) == []
        news = f"/api/v1/news/{draft['id']}"
        client.patch(news, json={"status": "published"}, headers=editor)
        assert self.events(app, receiver, hook) == [("news.published", "Forum 2021")]
        client.patch(news, json={"title": "Forum 2021: the report"}, headers=editor)
        client.patch(news, json={"tags": []}, headers=editor)  # nothing a partner sees
        assert self.events(app, receiver, hook) == [("news.updated", "Forum 2021: the report")]
        client.patch(news, json={"status": "archived"}, headers=editor)
        assert self.events(app, receiver, hook) == [("news.unpublished",
                                                     "Forum 2021: the report")]
        client.patch(news, json={"status": "published"}, headers=editor)
        client.delete(news, headers=editor)
        assert self.events(app, receiver, hook) == [
            ("news.published", "Forum 2021: the report"),
            ("news.deleted", "Forum 2021: the report")]
        make_news("Never public", status="draft")
        client.delete(f"/api/v1/news/{make_news('Gone', status='draft')['id']}",
                      headers=editor)
        assert self.events(app, receiver, hook) == []

    def test_a_scheduled_item_fires_once_at_its_time(self, app, client, editor, hook, make_news,
                                                     receiver):
        at = utcnow().replace(microsecond=0) + timedelta(hours=1)
        news = make_news("Forum 2022", published_at=at.isoformat())
        assert self.events(app, receiver, hook) == []
        assert self.events(app, receiver, hook, now=at - timedelta(seconds=1)) == []
        drain(app, now=at)
        [(_headers, body)] = receiver.verified(hook["secret"])
        assert body["type"] == "news.published"
        assert body["data"]["published_at"] == news["published_at"]
        receiver.calls.clear()
        assert self.events(app, receiver, hook, now=at + timedelta(days=1)) == []

    def test_a_rescheduled_item_fires_at_its_new_time_only(self, app, client, editor, hook,
                                                           make_news, receiver):
        at = utcnow() + timedelta(hours=1)
        news = make_news("Forum 2022", published_at=at.isoformat())
        later = at + timedelta(hours=2)
        client.patch(f"/api/v1/news/{news['id']}", json={"published_at": later.isoformat()},
                     headers=editor)
        assert self.events(app, receiver, hook, now=at + timedelta(minutes=1)) == []
        assert self.events(app, receiver, hook, now=later + timedelta(seconds=1)) == [
            ("news.published", "Forum 2022")]

    def test_an_edit_after_the_time_came_but_before_the_notice_announces_it(
            self, app, client, editor, hook, make_news, receiver):
        # Scheduled a second or more ahead: the item must be created before its time comes.
        at = utcnow().replace(microsecond=0) + timedelta(seconds=2)
        news = make_news("Forum 2022", published_at=at.isoformat())
        while utcnow() <= at:  # its time comes (two seconds at most); no worker delivers yet
            time.sleep(0.02)
        client.patch(f"/api/v1/news/{news['id']}", json={"title": "Forum 2022!"},
                     headers=editor)
        assert self.events(app, receiver, hook, now=utcnow() + timedelta(hours=2)) == [
            ("news.published", "Forum 2022!")]

    def test_reports_and_parks(self, app, client, editor, hook, make_report, make_park,
                               receiver):
        park = make_park("Taguspark")  # park.created is not subscribed
        make_report("CISIP Annual Report 2021", park_ids=park["id"])
        make_report("Draft report", published_at=None)
        client.patch(f"/api/v1/parks/{park['id']}", json={"city": "Oeiras"}, headers=editor)
        client.patch(f"/api/v1/parks/{park['id']}", json={"city": "Oeiras"}, headers=editor)
        client.delete(f"/api/v1/parks/{park['id']}", headers=editor)
        assert self.events(app, receiver, hook) == [
            ("report.published", "CISIP Annual Report 2021"), ("park.updated", "Taguspark"),
            ("park.deleted", "Taguspark")]

    def test_event_life_cycle(self, app, client, editor, make_hook, make_event, add_session,
                              receiver):
        hook = make_hook(["event.published", "event.updated", "event.cancelled"])
        event = make_event("Forum 2022", status="draft")
        assert self.events(app, receiver, hook) == []
        path = f"/api/v1/events/{event['id']}"
        client.patch(path, json={"status": "published"}, headers=editor)
        assert self.events(app, receiver, hook) == [("event.published", "Forum 2022")]
        client.patch(path, json={"title": "Forum 2022 on science parks"}, headers=editor)
        assert self.events(app, receiver, hook) == [
            ("event.updated", "Forum 2022 on science parks")]
        response = client.patch(path, json={"status": "cancelled"}, headers=editor)
        assert response.status_code == 200, response.json
        drain(app)
        [(_headers, body)] = receiver.verified(hook["secret"])
        assert (body["type"], body["data"]["status"]) == ("event.cancelled", "cancelled")

    def test_a_write_that_fails_sends_nothing(self, app, client, editor, hook, make_park,
                                              receiver):
        make_park("Taguspark", slug="taguspark")
        response = client.post("/api/v1/parks", json={"name": "Other", "country": "PT",
                                                      "slug": "taguspark"}, headers=editor)
        assert_problem(response, 409)
        assert self.events(app, receiver, hook) == []
