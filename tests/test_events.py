"""Events: create, read, update and delete, filters and sorts, the agenda, translations, links
to parks, news and reports from both sides, search and the response cache."""

import pytest

from tests.content import days_from_now
from tests.helpers import assert_problem

FORUM = {
    "title": "CISIP Forum 2027",
    "theme": "Digital economy",
    "starts_at": "2027-12-07T01:00:00Z",
    "ends_at": "2027-12-07T09:00:00Z",
    "timezone": "Asia/Shanghai",
    "mode": "hybrid",
    "status": "published",
    "body": '<p>Welcome <script>alert(1)</script><a href="javascript:x()">here</a></p>',
    "venue": {"name": "Science Hall", "city": "Beijing", "country": "CN",
              "location": {"lat": 39.99, "lon": 116.31}},
    "streams": [{"platform": "Bilibili", "url": "https://live.example/forum", "language": "zh"}],
    "organizers": [{"name": "GEI", "role": "host", "url": "https://gei.example"}],
    "stats": {"participants": 60, "countries": 10, "online_viewers": 379},
    "capacity": {"in_person": 100},
}


@pytest.fixture
def forum(client, editor):
    response = client.post("/api/v1/events", json=FORUM, headers=editor)
    assert response.status_code == 201, response.json
    return response


def test_create_answers_201_with_the_event_and_its_location(forum):
    event = forum.json
    assert forum.headers["Location"].endswith("/api/v1/events/cisip-forum-2027")
    assert event["body"] == '<p>Welcome <a rel="noopener">here</a></p>'
    assert event["summary"] == "Welcome here"
    assert event["venue"] == {"name": "Science Hall", "address": None, "city": "Beijing",
                              "country": "CN", "location": {"lat": 39.99, "lon": 116.31}}
    assert event["capacity"] == {"in_person": 100, "online": None}
    assert event["stats"] == {"participants": 60, "countries": 10, "online_viewers": 379}
    assert event["organizers"] == [{"name": "GEI", "role": "host", "url": "https://gei.example"}]
    assert event["registration"] == {"opens_at": None, "closes_at": None, "open": True}
    assert (event["sessions"], event["parks"], event["news"], event["reports"]) == ([], [], [],
                                                                                  [])
    assert event["sequence"] == 0


@pytest.mark.parametrize(("body", "field"), [
    ({"title": "x", "starts_at": "2027-01-02T00:00:00Z", "ends_at": "2027-01-01T00:00:00Z",
      "timezone": "Europe/Lisbon"}, "ends_at"),
    ({"title": "x", "starts_at": "2027-01-01T00:00:00Z", "ends_at": "2027-01-02T00:00:00Z",
      "timezone": "Mars/Olympus"}, "timezone"),
    ({"title": "x", "starts_at": "2027-01-01T00:00:00Z", "ends_at": "2027-01-02T00:00:00Z",
      "timezone": "UTC", "capacity": {"online": -1}}, "capacity"),
    ({"title": "x", "starts_at": "2027-01-01T00:00:00Z", "ends_at": "2027-01-02T00:00:00Z",
      "timezone": "UTC", "status": "cancelled"}, "status"),
    ({"title": "x", "starts_at": "2027-01-01T00:00:00Z", "ends_at": "2027-01-02T00:00:00Z",
      "timezone": "UTC", "registration": {"open": True}}, "registration"),
    ({"title": "x", "starts_at": "2027-01-01T00:00:00Z", "ends_at": "2027-01-02T00:00:00Z",
      "timezone": "UTC", "park_ids": ["00000000-0000-0000-0000-000000000007"]}, "park_ids"),
])
def test_bad_input_is_422_and_creates_nothing(client, editor, body, field):
    response = client.post("/api/v1/events", json=body, headers=editor)
    assert field in assert_problem(response, 422, "validation_error")["errors"]["json"]
    assert client.get("/api/v1/events", headers=editor).json["pagination"]["total"] == 0


def test_a_taken_slug_is_409(client, editor, forum):
    response = client.post("/api/v1/events", headers=editor, json={
        **FORUM, "slug": "cisip-forum-2027"})
    assert_problem(response, 409)
    again = client.post("/api/v1/events", json=FORUM, headers=editor)
    assert again.json["slug"] == "cisip-forum-2027-2"


def test_patch_merges_objects_and_grows_the_sequence(client, editor, forum):
    response = client.patch("/api/v1/events/cisip-forum-2027", headers=editor, json={
        "capacity": {"online": 500}, "venue": {"address": "1 Zhongguancun Road"},
        "stats": {"online_viewers": 400}})
    assert response.status_code == 200, response.json
    event = response.json
    assert event["capacity"] == {"in_person": 100, "online": 500}
    assert event["venue"]["address"] == "1 Zhongguancun Road"
    assert event["venue"]["city"] == "Beijing"
    assert event["stats"] == {"participants": 60, "countries": 10, "online_viewers": 400}
    assert event["sequence"] == 1
    cleared = client.patch("/api/v1/events/cisip-forum-2027", headers=editor,
                           json={"venue": None}).json
    assert cleared["venue"] is None
    assert cleared["sequence"] == 2


def test_only_a_published_event_can_be_cancelled_and_stays_visible(client, editor, make_event):
    draft = make_event("Draft", status="draft")
    response = client.patch(f"/api/v1/events/{draft['slug']}", headers=editor,
                            json={"status": "cancelled"})
    assert "status" in assert_problem(response, 422)["errors"]["json"]
    assert_problem(client.get(f"/api/v1/events/{draft['slug']}"), 404)
    event = make_event("Called off")
    client.patch(f"/api/v1/events/{event['slug']}", headers=editor, json={"status": "cancelled"})
    shown = client.get(f"/api/v1/events/{event['slug']}").json
    assert shown["status"] == "cancelled"
    assert shown["registration"]["open"] is False


def test_drafts_are_for_editors(client, editor, auth_headers, make_event):
    make_event("Public")
    make_event("Secret", status="draft")
    assert [e["title"] for e in client.get("/api/v1/events").json["items"]] == ["Public"]
    member = auth_headers("member")
    assert [e["title"] for e in client.get("/api/v1/events", headers=member).json["items"]] == [
        "Public"]
    assert_problem(client.get("/api/v1/events?status=draft", headers=member), 403)
    assert [e["title"] for e in client.get("/api/v1/events?status=draft",
                                           headers=editor).json["items"]] == ["Secret"]
    assert_problem(client.get("/api/v1/events/secret"), 404)
    assert client.get("/api/v1/events/secret", headers=editor).status_code == 200


def test_delete_is_204_and_the_event_is_gone(client, editor, forum):
    assert client.delete("/api/v1/events/cisip-forum-2027", headers=editor).status_code == 204
    assert_problem(client.get("/api/v1/events/cisip-forum-2027"), 404)
    assert_problem(client.delete("/api/v1/events/cisip-forum-2027", headers=editor), 404)


class TestList:
    @pytest.fixture(autouse=True)
    def events(self, make_event, make_park, make_speaker, add_session):
        park = make_park("Taguspark", "PT")
        speaker = make_speaker("Song Qi")
        past = make_event("Past forum", starts_at="2021-12-07T01:00:00Z",
                          ends_at="2021-12-07T09:00:00Z", timezone="Asia/Shanghai",
                          venue={"country": "CN"}, mode="in_person")
        add_session(past, "Roundtable", type="roundtable", participants=[
            {"speaker_id": speaker["id"], "role": "panelist"}])
        make_event("Lisbon webinar", starts_at=days_from_now(10), ends_at=days_from_now(10.1),
                   mode="online", park_ids=[park["id"]])
        # 23:30 in Lisbon on 31 March is 22:30 UTC: its date is where it is held.
        make_event("Late summit", starts_at="2030-03-31T22:30:00Z",
                   ends_at="2030-04-01T02:00:00Z", mode="hybrid", venue={"country": "PT"})

    def titles(self, client, query=""):
        response = client.get(f"/api/v1/events{query}")
        assert response.status_code == 200, response.json
        return [item["title"] for item in response.json["items"]]

    def test_default_sort_is_newest_first(self, client):
        assert self.titles(client) == ["Late summit", "Lisbon webinar", "Past forum"]

    def test_upcoming_sorts_soonest_first(self, client):
        assert self.titles(client, "?upcoming=true") == ["Lisbon webinar", "Late summit"]
        assert self.titles(client, "?upcoming=true&sort=-title") == ["Lisbon webinar",
                                                                     "Late summit"]
        assert self.titles(client, "?upcoming=false") == ["Past forum"]

    def test_filters(self, client):
        assert self.titles(client, "?country=CN") == ["Past forum"]
        assert self.titles(client, "?park=taguspark") == ["Lisbon webinar"]
        assert self.titles(client, "?speaker=song-qi") == ["Past forum"]
        assert self.titles(client, "?mode=online") == ["Late summit", "Lisbon webinar"]
        assert self.titles(client, "?mode=in_person") == ["Late summit", "Past forum"]
        assert self.titles(client, "?mode=hybrid") == ["Late summit"]
        assert self.titles(client, "?q=webinar") == ["Lisbon webinar"]
        assert self.titles(client, "?from=2021-12-07&to=2021-12-07") == ["Past forum"]
        assert self.titles(client, "?from=2030-04-01") == []
        assert self.titles(client, "?from=2030-03-31&to=2030-03-31") == ["Late summit"]
        assert self.titles(client, "?sort=title") == ["Late summit", "Lisbon webinar",
                                                      "Past forum"]

    @pytest.mark.parametrize("query", ["?sort=place", "?mode=by-post", "?from=yesterday",
                                       "?upcoming=maybe", "?per_page=101", "?status=gone"])
    def test_bad_arguments_are_422(self, client, query):
        assert_problem(client.get(f"/api/v1/events{query}"), 422, "validation_error")

    def test_items_carry_no_agenda(self, client):
        item = client.get("/api/v1/events").json["items"][0]
        assert "sessions" not in item
        assert {"venue", "streams", "organizers", "registration", "capacity"} <= set(item)


class TestAgenda:
    @pytest.fixture
    def event(self, make_event):
        return make_event("Forum", starts_at="2027-05-01T08:00:00Z",
                          ends_at="2027-05-01T17:00:00Z")

    def test_sessions_come_in_order_with_their_speakers(self, client, editor, event,
                                                        add_session, make_speaker):
        host = make_speaker("Zhang Jizhe")
        panelist = make_speaker("Song Qi")
        add_session(event, "Keynote", starts_at="2027-05-01T09:00:00Z",
                    ends_at="2027-05-01T10:00:00Z")
        add_session(event, "Opening", type="opening", position=1,
                    starts_at="2027-05-01T08:00:00Z", ends_at="2027-05-01T08:30:00Z")
        roundtable = add_session(event, "Roundtable", type="roundtable", room="Online",
                                 starts_at="2027-05-01T14:00:00Z",
                                 ends_at="2027-05-01T15:00:00Z", participants=[
                                     {"speaker_id": host["id"], "role": "host",
                                      "talk_title": "Cooperation"},
                                     {"speaker_id": panelist["id"], "role": "panelist"}])
        agenda = client.get("/api/v1/events/forum/sessions").json
        assert [(s["position"], s["title"]) for s in agenda] == [
            (1, "Opening"), (2, "Keynote"), (3, "Roundtable")]
        assert [(p["speaker"]["name"], p["role"], p["talk_title"])
                for p in agenda[2]["participants"]] == [
            ("Zhang Jizhe", "host", "Cooperation"), ("Song Qi", "panelist", None)]
        assert {s["number"] for s in agenda} == {1, 2, 3}
        moved = client.patch(f"/api/v1/events/forum/sessions/{roundtable['id']}",
                             headers=editor, json={"position": 1})
        assert moved.status_code == 200, moved.json
        detail = client.get("/api/v1/events/forum").json
        assert [s["title"] for s in detail["sessions"]] == ["Roundtable", "Opening", "Keynote"]
        assert detail["sequence"] == 4
        assert client.delete(f"/api/v1/events/forum/sessions/{roundtable['id']}",
                             headers=editor).status_code == 204
        after = client.get("/api/v1/events/forum").json
        assert [(s["position"], s["title"]) for s in after["sessions"]] == [
            (1, "Opening"), (2, "Keynote")]
        assert after["sequence"] == 5

    def test_a_session_lies_within_its_event(self, client, editor, event, add_session):
        response = client.post("/api/v1/events/forum/sessions", headers=editor, json={
            "type": "keynote", "title": "Too late", "starts_at": "2027-05-01T16:00:00Z",
            "ends_at": "2027-05-01T18:00:00Z"})
        assert "starts_at" in assert_problem(response, 422)["errors"]["json"]
        add_session(event, "Afternoon", starts_at="2027-05-01T15:00:00Z",
                    ends_at="2027-05-01T16:00:00Z")
        shrink = client.patch("/api/v1/events/forum", headers=editor,
                              json={"ends_at": "2027-05-01T12:00:00Z"})
        assert "Afternoon" in assert_problem(shrink, 422)["errors"]["json"]["starts_at"][0]
        assert client.get("/api/v1/events/forum").json["ends_at"] == "2027-05-01T17:00:00Z"

    def test_bad_session_input_changes_nothing(self, client, editor, event, add_session):
        session = add_session(event, "Keynote", starts_at="2027-05-01T09:00:00Z",
                              ends_at="2027-05-01T10:00:00Z")
        path = f"/api/v1/events/forum/sessions/{session['id']}"
        for body in ({"ends_at": "2027-05-01T08:00:00Z"}, {"type": "party"},
                     {"participants": [{"speaker_id": "00000000-0000-0000-0000-000000000007"}]},
                     {"number": 9}):
            assert_problem(client.patch(path, headers=editor, json=body), 422)
        assert client.get("/api/v1/events/forum").json["sessions"][0] == session | {
            "language": "en"}
        assert_problem(client.patch("/api/v1/events/forum/sessions/"
                                    "00000000-0000-0000-0000-000000000007", headers=editor,
                                    json={"title": "x"}), 404)

    def test_speakers_appearances_include_their_sessions(self, client, event, add_session,
                                                          make_speaker, make_news):
        speaker = make_speaker("Song Qi")
        part = [{"speaker_id": speaker["id"], "role": "panelist", "talk_title": "PKU"}]
        make_news("Forum news", speakers=part, published_at="2021-12-09T00:00:00Z")
        session = add_session(event, "Roundtable", type="roundtable", participants=part)
        appearances = client.get("/api/v1/speakers/song-qi").json["appearances"]
        assert [(a["type"], a["slug"], a["role"]) for a in appearances] == [
            ("event", "forum", "panelist"), ("news", "forum-news", "panelist")]
        assert appearances[0]["session"]["id"] == session["id"]
        assert appearances[0]["session"]["title"] == "Roundtable"
        assert appearances[1]["session"] is None


def test_translations_are_read_in_the_language_asked(client, editor, make_event, add_session):
    event = make_event("Forum", translations={"zh": {"title": "论坛", "body": "<p>欢迎</p>"}})
    add_session(event, "Opening", translations={"zh": {"title": "开幕"}})
    zh = client.get("/api/v1/events/forum?lang=zh")
    assert zh.headers["Content-Language"] == "zh"
    assert (zh.json["title"], zh.json["summary"], zh.json["sessions"][0]["title"]) == (
        "论坛", "欢迎", "开幕")
    en = client.get("/api/v1/events/forum", headers={"Accept-Language": "en"}).json
    assert (en["title"], en["available_languages"]) == ("Forum", ["en", "zh"])


def test_links_to_parks_news_and_reports_read_from_both_sides(
        client, editor, make_event, make_park, make_news, make_report):
    park = make_park("Taguspark")
    news = make_news("Forum held")
    draft = make_news("Draft news", status="draft", published_at=None)
    report = make_report("2021 Report")
    event = make_event("Forum", park_ids=[park["id"]], news_ids=[news["id"], draft["id"]],
                       report_ids=[report["id"]])
    shown = client.get("/api/v1/events/forum").json
    assert [p["slug"] for p in shown["parks"]] == ["taguspark"]
    assert [n["slug"] for n in shown["news"]] == ["forum-held"]
    assert [r["slug"] for r in shown["reports"]] == ["2021-report"]
    edited = client.get("/api/v1/events/forum", headers=editor).json
    assert {n["slug"] for n in edited["news"]} == {"forum-held", "draft-news"}
    assert [e["id"] for e in client.get("/api/v1/reports/2021-report").json["events"]] == [
        event["id"]]
    assert [e["slug"] for e in client.get("/api/v1/news/forum-held").json["events"]] == [
        "forum"]
    client.patch("/api/v1/events/forum", headers=editor, json={"status": "draft"})
    assert client.get("/api/v1/reports/2021-report").json["events"] == []
    assert [e["slug"] for e in client.get("/api/v1/reports/2021-report",
                                          headers=editor).json["events"]] == ["forum"]


def test_search_finds_events(client, make_event):
    make_event("Digital economy forum", theme="A new driving force for global recovery")
    make_event("Hidden forum", status="draft")
    hits = client.get("/api/v1/search?q=recovery&type=event").json["items"]
    assert [(h["type"], h["slug"]) for h in hits] == [("event", "digital-economy-forum")]
    assert client.get("/api/v1/search?q=hidden").json["items"] == []


class TestCache:
    def hit(self, client, path, **kwargs):
        return client.get(path, **kwargs).headers.get("X-Cache") == "HIT"

    def test_event_reads_are_cached_and_renaming_a_speaker_purges_them(
            self, client, editor, make_event, add_session, make_speaker):
        speaker = make_speaker("Song Qi")
        event = make_event("Forum")
        other = make_event("Other forum")
        add_session(event, "Roundtable", participants=[{"speaker_id": speaker["id"],
                                                        "role": "panelist"}])
        paths = ["/api/v1/events/forum", "/api/v1/events/forum/sessions",
                 "/api/v1/events/forum.ics", "/api/v1/events/forum/schedule.xml",
                 "/api/v1/events/forum/schedule.json", "/api/v1/events.ics"]
        for path in [*paths, f"/api/v1/events/{other['slug']}"]:
            assert client.get(path).status_code == 200, path
            assert self.hit(client, path), path
        client.patch("/api/v1/speakers/song-qi", headers=editor, json={"name": "Prof. Song Qi"})
        for path in paths:
            response = client.get(path)
            assert response.headers["X-Cache"] == "MISS", path
            assert "Prof. Song Qi" in response.get_data(as_text=True), path

    def test_json_ld_is_cached_apart_from_json(self, client, make_event):
        make_event("Forum")
        assert client.get("/api/v1/events/forum").is_json
        ld = client.get("/api/v1/events/forum", headers={"Accept": "application/ld+json"})
        assert ld.mimetype == "application/ld+json"
        assert ld.json["@type"] == "Event"
        assert "Accept" in ld.headers["Vary"]
        again = client.get("/api/v1/events/forum", headers={"Accept": "application/ld+json"})
        assert (again.headers["X-Cache"], again.mimetype) == ("HIT", "application/ld+json")
        plain = client.get("/api/v1/events/forum")
        assert (plain.headers["X-Cache"], plain.mimetype) == ("HIT", "application/json")
        assert "Accept" in plain.headers["Vary"]

    def test_publishing_a_linked_news_item_shows_on_the_event(self, client, editor,
                                                              make_event, make_news):
        draft = make_news("Report of the day", status="draft", published_at=None)
        make_event("Forum", news_ids=[draft["id"]])
        assert client.get("/api/v1/events/forum").json["news"] == []
        client.patch("/api/v1/news/report-of-the-day", headers=editor,
                     json={"status": "published"})
        assert [n["slug"] for n in client.get("/api/v1/events/forum").json["news"]] == [
            "report-of-the-day"]

    def test_linking_an_event_shows_on_the_news_item(self, client, editor, make_event,
                                                     make_news):
        make_news("Forum held")
        make_event("Forum")
        assert client.get("/api/v1/news/forum-held").json["events"] == []
        news_id = client.get("/api/v1/news/forum-held").json["id"]
        client.patch("/api/v1/events/forum", headers=editor, json={"news_ids": [news_id]})
        assert [e["slug"] for e in client.get("/api/v1/news/forum-held").json["events"]] == [
            "forum"]

    def test_every_public_get_is_readable_cross_origin_with_etags(self, client, make_event):
        make_event("Forum")
        for path in ("/api/v1/events", "/api/v1/events/forum", "/api/v1/events/forum.ics",
                     "/api/v1/events.ics", "/api/v1/events/forum/schedule.xml"):
            response = client.get(path, headers={"Origin": "https://partner.example"})
            assert response.headers["Access-Control-Allow-Origin"] == "*", path
            assert response.headers["Cache-Control"].startswith("public, max-age="), path
            etag = response.headers["ETag"]
            again = client.get(path, headers={"If-None-Match": etag})
            assert again.status_code == 304, path


def test_a_patch_that_changes_nothing_keeps_the_sequence(client, editor, forum):
    same = client.patch("/api/v1/events/cisip-forum-2027", headers=editor,
                        json={"title": "CISIP Forum 2027", "capacity": {"in_person": 100}})
    assert (same.status_code, same.json["sequence"]) == (200, 0)
    changed = client.patch("/api/v1/events/cisip-forum-2027", headers=editor,
                           json={"capacity": {"in_person": 99}})
    assert changed.json["sequence"] == 1
