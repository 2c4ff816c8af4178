"""Registrations: capacity per mode, the waiting list and its promotions, the registration
window, the 409s, emails, editors' lists and CSV export, and capacity under concurrency."""

import csv
import io
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from api.extensions import db as database
from api.models import Member, MemberStatus, Role
from tests.content import days_from_now
from tests.helpers import PASSWORD, assert_problem, bearer, mails_to, text_body


@pytest.fixture
def event(make_event):
    return make_event("Forum", mode="hybrid", capacity={"in_person": 2, "online": None})


def register(client, headers, mode="in_person", slug="forum"):
    return client.post(f"/api/v1/events/{slug}/registrations", json={"mode": mode},
                       headers=headers)


@pytest.fixture
def members(login):
    """Logged-in members: `members(3)` answers three of them (tokens, ids and emails)."""

    def factory(count):
        return [login("member", full_name=f"Member {n}") for n in range(count)]

    return factory


def test_a_registration_is_confirmed_while_there_are_places(client, app, event, members):
    alice = members(1)[0]
    response = register(client, bearer(alice["access_token"]))
    assert response.status_code == 201, response.json
    assert response.headers["Location"].endswith("/api/v1/events/forum/registrations/me")
    body = response.json
    assert (body["mode"], body["status"], body["waitlist_position"]) == (
        "in_person", "confirmed", None)
    assert body["event"]["slug"] == "forum"
    assert set(body) >= {"id", "event", "mode", "status", "waitlist_position", "created_at"}
    mail = mails_to(app, alice["email"])
    assert [m["Subject"] for m in mail] == ["You are registered: Forum"]
    assert "https://cisip.example/events/forum" in text_body(mail[0])
    mine = client.get("/api/v1/events/forum/registrations/me",
                      headers=bearer(alice["access_token"]))
    assert mine.json["id"] == body["id"]
    assert mine.headers["Cache-Control"] == "private, no-store"


def test_a_second_registration_is_409(client, event, members):
    headers = bearer(members(1)[0]["access_token"])
    register(client, headers)
    assert_problem(register(client, headers, mode="online"), 409, "already_registered")


def test_a_mode_the_event_does_not_offer_is_422(client, make_event, members):
    make_event("Webinar", mode="online")
    response = register(client, bearer(members(1)[0]["access_token"]), slug="webinar")
    assert "mode" in assert_problem(response, 422, "validation_error")["errors"]["json"]


def test_a_full_mode_waitlists_in_arrival_order_and_a_cancellation_promotes(
        client, app, event, members):
    people = members(5)
    heads = [bearer(person["access_token"]) for person in people]
    answers = [register(client, headers).json for headers in heads[:4]]
    assert [(a["status"], a["waitlist_position"]) for a in answers] == [
        ("confirmed", None), ("confirmed", None), ("waitlisted", 1), ("waitlisted", 2)]
    assert register(client, heads[4], mode="online").json["status"] == "confirmed"
    waiting = mails_to(app, people[2]["email"])
    assert "number 1 on the waiting list" in text_body(waiting[0])
    assert client.delete("/api/v1/events/forum/registrations/me",
                         headers=heads[0]).status_code == 204
    promoted = client.get("/api/v1/events/forum/registrations/me", headers=heads[2]).json
    assert (promoted["status"], promoted["waitlist_position"]) == ("confirmed", None)
    assert [m["Subject"] for m in mails_to(app, people[2]["email"])][-1] == (
        "A place is yours: Forum")
    last = client.get("/api/v1/events/forum/registrations/me", headers=heads[3]).json
    assert (last["status"], last["waitlist_position"]) == ("waitlisted", 1)
    # Registering again after cancelling: to the back of the queue.
    again = register(client, heads[0]).json
    assert (again["status"], again["waitlist_position"]) == ("waitlisted", 2)


def test_cancelling_a_waitlisted_registration_promotes_nobody(client, event, members):
    heads = [bearer(p["access_token"]) for p in members(4)]
    for headers in heads:
        register(client, headers)
    client.delete("/api/v1/events/forum/registrations/me", headers=heads[2])
    last = client.get("/api/v1/events/forum/registrations/me", headers=heads[3]).json
    assert (last["status"], last["waitlist_position"]) == ("waitlisted", 1)
    assert_problem(client.delete("/api/v1/events/forum/registrations/me", headers=heads[2]),
                   404)


def test_raising_the_capacity_confirms_the_queue(client, app, editor, event, members):
    people = members(4)
    for person in people:
        register(client, bearer(person["access_token"]))
    response = client.patch("/api/v1/events/forum", headers=editor,
                            json={"capacity": {"in_person": 3}})
    assert response.status_code == 200
    statuses = [client.get("/api/v1/events/forum/registrations/me",
                           headers=bearer(p["access_token"])).json["status"] for p in people]
    assert statuses == ["confirmed", "confirmed", "confirmed", "waitlisted"]
    assert mails_to(app, people[2]["email"])[-1]["Subject"] == "A place is yours: Forum"


@pytest.mark.parametrize("fields", [
    {"registration": {"opens_at": days_from_now(1)}},
    {"registration": {"closes_at": days_from_now(-1)}},
    {"starts_at": days_from_now(-2), "ends_at": days_from_now(-1)},
])
def test_outside_the_window_registration_is_closed(client, make_event, members, fields):
    make_event("Forum", **fields)
    assert client.get("/api/v1/events/forum").json["registration"]["open"] is False
    assert_problem(register(client, bearer(members(1)[0]["access_token"])), 409,
                   "registration_closed")


def test_cancelling_the_event_closes_registration_and_emails_registrants(
        client, app, editor, event, members):
    people = members(3)
    for person in people:
        register(client, bearer(person["access_token"]))
    client.delete("/api/v1/events/forum/registrations/me",
                  headers=bearer(people[1]["access_token"]))
    client.patch("/api/v1/events/forum", headers=editor, json={"status": "cancelled"})
    assert [m["Subject"] for m in mails_to(app, people[0]["email"])][-1] == "Cancelled: Forum"
    assert [m["Subject"] for m in mails_to(app, people[2]["email"])][-1] == "Cancelled: Forum"
    assert "Cancelled: Forum" not in [m["Subject"] for m in mails_to(app, people[1]["email"])]
    assert_problem(register(client, bearer(members(1)[0]["access_token"])), 409,
                   "registration_closed")


def test_a_deleted_member_hands_their_place_on(client, auth_headers, event, members):
    people = members(3)
    for person in people:
        register(client, bearer(person["access_token"]))
    response = client.delete(f"/api/v1/members/{people[0]['member_id']}",
                             headers=auth_headers("admin"))
    assert response.status_code == 204
    third = client.get("/api/v1/events/forum/registrations/me",
                       headers=bearer(people[2]["access_token"])).json
    assert third["status"] == "confirmed"


def test_drafts_take_no_registrations(client, make_event, members):
    make_event("Draft", status="draft")
    assert_problem(register(client, bearer(members(1)[0]["access_token"]), slug="draft"), 404)


def test_my_registrations(client, make_event, members):
    make_event("Forum")
    make_event("Webinar", mode="online")
    headers = bearer(members(1)[0]["access_token"])
    register(client, headers)
    register(client, headers, mode="online", slug="webinar")
    response = client.get("/api/v1/auth/me/registrations", headers=headers)
    assert response.headers["Cache-Control"] == "private, no-store"
    assert [r["event"]["slug"] for r in response.json["items"]] == ["webinar", "forum"]
    online = client.get("/api/v1/auth/me/registrations?mode=online", headers=headers).json
    assert [r["event"]["slug"] for r in online["items"]] == ["webinar"]


class TestEditorsList:
    @pytest.fixture
    def registered(self, client, event, make_member):
        names = ["=HYPERLINK(\"http://evil.example\")", "+1 Plus", "-2 Minus", "@SUM(A1)",
                 "\tTabbed"]
        people = [make_member(full_name=name, organization="Org") for name in names]
        for person in people:
            response = client.post("/api/v1/auth/login", json={"email": person.email,
                                                               "password": PASSWORD})
            register(client, bearer(response.json["access_token"]))
        return people

    def test_filters_and_order(self, client, editor, registered):
        listed = client.get("/api/v1/events/forum/registrations", headers=editor)
        assert listed.headers["Cache-Control"] == "private, no-store"
        rows = listed.json["items"]
        assert [r["member"]["email"] for r in rows] == [p.email for p in registered]
        assert [r["status"] for r in rows] == ["confirmed"] * 2 + ["waitlisted"] * 3
        assert [r["waitlist_position"] for r in rows] == [None, None, 1, 2, 3]
        waitlisted = client.get("/api/v1/events/forum/registrations?status=waitlisted",
                                headers=editor).json
        assert waitlisted["pagination"]["total"] == 3
        assert client.get("/api/v1/events/forum/registrations?mode=online",
                          headers=editor).json["items"] == []
        assert_problem(client.get("/api/v1/events/forum/registrations?status=maybe",
                                  headers=editor), 422)

    def test_csv_neutralises_formulas(self, client, editor, registered):
        response = client.get("/api/v1/events/forum/registrations?per_page=1",
                              headers=editor | {"Accept": "text/csv"})
        assert response.status_code == 200
        assert response.mimetype == "text/csv"
        assert response.headers["Cache-Control"] == "private, no-store"
        rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
        assert [row["full_name"] for row in rows] == [
            "'=HYPERLINK(\"http://evil.example\")", "'+1 Plus", "'-2 Minus", "'@SUM(A1)",
            "'\tTabbed"]
        assert [row["status"] for row in rows] == ["confirmed"] * 2 + ["waitlisted"] * 3
        assert rows[2]["waitlist_position"] == "1"
        assert rows[0]["email"] == registered[0].email
        assert all(not value.startswith(("=", "+", "-", "@", "\t", "\r"))
                   for row in rows for value in row.values())


def test_deleting_an_event_deletes_its_registrations(client, editor, event, members):
    headers = bearer(members(1)[0]["access_token"])
    register(client, headers)
    assert client.delete("/api/v1/events/forum", headers=editor).status_code == 204
    assert client.get("/api/v1/auth/me/registrations", headers=headers).json["items"] == []


# Capacity under concurrency: requests that commit for real, from many threads at once.


def crowd(app, count):
    """`count` members' Authorization headers, and an editor's first."""
    with app.app_context():
        for n in range(count + 1):
            role = Role.EDITOR if n == 0 else Role.MEMBER
            member = Member(email=f"m{n}@crowd.example", full_name=f"M{n}", role=role,
                            status=MemberStatus.ACTIVE)
            member.password = PASSWORD
            database.session.add(member)
        database.session.commit()
    client = app.test_client()
    return [bearer(client.post("/api/v1/auth/login", json={
        "email": f"m{n}@crowd.example", "password": PASSWORD}).json["access_token"])
        for n in range(count + 1)]


def test_fifty_at_once_for_ten_places(committing_app):
    """On PostgreSQL the event's row is locked (`SELECT … FOR UPDATE`); SQLite takes its
    single write lock first (see `Database.lock`)."""
    app = committing_app()
    editor, *people = crowd(app, 50)
    created = app.test_client().post("/api/v1/events", headers=editor, json={
        "title": "Crowded", "starts_at": days_from_now(30), "ends_at": days_from_now(31),
        "timezone": "UTC", "status": "published", "capacity": {"in_person": 10}})
    assert created.status_code == 201, created.json
    start = threading.Barrier(len(people))

    def attempt(headers):
        start.wait()
        return register(app.test_client(), headers, slug="crowded")

    with ThreadPoolExecutor(max_workers=len(people)) as pool:
        answers = list(pool.map(attempt, people))
    assert [answer.status_code for answer in answers] == [201] * 50
    bodies = [answer.json for answer in answers]
    assert sorted(b["status"] for b in bodies) == ["confirmed"] * 10 + ["waitlisted"] * 40
    listed = app.test_client().get("/api/v1/events/crowded/registrations?per_page=100",
                                   headers=editor).json["items"]
    # In arrival order: ten confirmed, then the queue numbered 1 to 40.
    assert [row["status"] for row in listed] == ["confirmed"] * 10 + ["waitlisted"] * 40
    assert [row["waitlist_position"] for row in listed[10:]] == list(range(1, 41))
    # Each registrant was told the place in the queue their registration shows.
    positions = {b["id"]: b["waitlist_position"] for b in bodies}
    assert all(positions[row["id"]] == row["waitlist_position"] for row in listed)

