"""Events for other software: iCalendar read by two independent parsers (icalendar, vobject),
schema.org JSON-LD, the frab schedule (validated against its XSD) and the seed forum."""

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import icalendar
import pytest
import vobject
from lxml import etree

from tests.content import days_from_now

XSD = Path(__file__).resolve().parent / "data" / "frab-schedule.xsd"
LISBON = ZoneInfo("Europe/Lisbon")
FORUM_SLUG = "the-2021-community-of-international-science-industry-parks-forum"


@pytest.fixture
def lisbon(make_event, add_session, make_speaker):
    """A two-day event in Lisbon across the change to summer time (29 March 2026 at 01:00
    UTC): it starts at 09:00 WET (UTC+0) and ends at 18:00 WEST (UTC+1)."""
    speaker = make_speaker("Eduardo Baptista Correia", job_title="CEO",
                           organization="Taguspark")
    event = make_event(
        "Lisbon Forum", starts_at="2026-03-28T09:00:00Z", ends_at="2026-03-29T17:00:00Z",
        timezone="Europe/Lisbon", mode="hybrid",
        venue={"name": "Taguspark", "city": "Oeiras", "country": "PT",
               "location": {"lat": 38.737, "lon": -9.303}},
        streams=[{"platform": "Bilibili", "url": "https://live.example/lisbon",
                  "language": "zh"}],
        organizers=[{"name": "CISIP", "role": "host", "url": "https://cisip.example"},
                    {"name": "GEI", "role": "sponsor", "url": None}])
    add_session(event, "Opening", type="opening", starts_at="2026-03-28T09:00:00Z",
                ends_at="2026-03-28T09:30:00Z", room="Auditorium")
    add_session(event, "Roundtable", type="roundtable", starts_at="2026-03-29T09:00:00Z",
                ends_at="2026-03-29T10:30:00Z", participants=[
                    {"speaker_id": speaker["id"], "role": "panelist", "talk_title": "Sea"}])
    return event


def components(data):
    return {str(c["UID"]): c for c in icalendar.Calendar.from_ical(data).walk("VEVENT")}


def test_the_event_calendar_parses_with_icalendar_across_summer_time(client, lisbon):
    response = client.get("/api/v1/events/lisbon-forum.ics")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    calendar = icalendar.Calendar.from_ical(response.data)
    assert [tz["TZID"] for tz in calendar.walk("VTIMEZONE")] == ["Europe/Lisbon"]
    events = components(response.data)
    assert len(events) == 3
    main = events[lisbon["id"]]
    start, end = main.decoded("DTSTART"), main.decoded("DTEND")
    assert main["DTSTART"].params["TZID"] == "Europe/Lisbon"
    assert (start.hour, start.utcoffset()) == (9, timedelta(0))
    assert (end.hour, end.utcoffset()) == (18, timedelta(hours=1))
    assert end.astimezone(UTC) == datetime(2026, 3, 29, 17, tzinfo=UTC)
    assert str(main["URL"]) == "https://cisip.example/events/lisbon-forum"
    assert str(main["LOCATION"]) == "Taguspark, Oeiras, Portugal"
    assert str(main["STATUS"]) == "CONFIRMED"
    assert main["SEQUENCE"] == 2  # two sessions added after creation
    assert main.decoded("DTSTAMP") == main.decoded("LAST-MODIFIED")
    conference = main["CONFERENCE"]
    assert (str(conference), conference.params["LABEL"], conference.params["VALUE"]) == (
        "https://live.example/lisbon", "Bilibili", "URI")
    sessions = [c for uid, c in events.items() if uid != lisbon["id"]]
    assert {str(s["RELATED-TO"]) for s in sessions} == {lisbon["id"]}
    roundtable = next(s for s in sessions if "Roundtable" in str(s["SUMMARY"]))
    assert roundtable.decoded("DTSTART").utcoffset() == timedelta(hours=1)
    assert "Panelist: Eduardo Baptista Correia (CEO, Taguspark)" in str(
        roundtable["DESCRIPTION"])


def test_the_event_calendar_parses_with_vobject(client, lisbon):
    data = client.get("/api/v1/events/lisbon-forum.ics").get_data(as_text=True)
    calendar = vobject.readOne(data)
    events = {e.uid.value: e for e in calendar.vevent_list}
    main = events[lisbon["id"]]
    start, end = main.dtstart.value, main.dtend.value
    assert start == datetime(2026, 3, 28, 9, tzinfo=LISBON)
    assert start.utcoffset() == timedelta(0)
    assert end.utcoffset() == timedelta(hours=1)
    assert end.astimezone(UTC) == datetime(2026, 3, 29, 17, tzinfo=UTC)
    assert int(main.sequence.value) == 2
    assert main.status.value == "CONFIRMED"
    opening = next(e for e in events.values() if e.summary.value.startswith("Opening"))
    assert opening.dtstart.value.astimezone(UTC) == datetime(2026, 3, 28, 9, tzinfo=UTC)
    assert opening.location.value == "Auditorium, Taguspark, Oeiras, Portugal"


def test_the_sequence_grows_and_the_uid_stays(client, editor, lisbon):
    before = components(client.get("/api/v1/events/lisbon-forum.ics").data)
    response = client.patch("/api/v1/events/lisbon-forum", headers=editor,
                            json={"title": "Lisbon Forum 2026"})
    assert response.json["sequence"] == 3
    after = components(client.get("/api/v1/events/lisbon-forum.ics").data)
    assert set(after) == set(before)
    assert after[lisbon["id"]]["SEQUENCE"] == 3
    assert str(after[lisbon["id"]]["SUMMARY"]) == "Lisbon Forum 2026"
    session = next(uid for uid in after if uid != lisbon["id"])
    client.patch(f"/api/v1/events/lisbon-forum/sessions/{session}", headers=editor,
                 json={"room": "Room 2"})
    again = components(client.get("/api/v1/events/lisbon-forum.ics").data)
    assert again[lisbon["id"]]["SEQUENCE"] == 4
    assert again[session]["SEQUENCE"] == 4
    assert str(again[session]["LOCATION"]).startswith("Room 2, ")


def test_the_feed_keeps_cancelled_events_and_drops_old_ones(client, editor, make_event,
                                                             lisbon):
    make_event("Called off", starts_at=days_from_now(3), ends_at=days_from_now(4))
    client.patch("/api/v1/events/called-off", headers=editor, json={"status": "cancelled"})
    make_event("Long ago", starts_at=days_from_now(-100), ends_at=days_from_now(-99))
    make_event("Recent", starts_at=days_from_now(-60), ends_at=days_from_now(-59))
    make_event("Draft", status="draft")
    response = client.get("/api/v1/events.ics")
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    calendar = icalendar.Calendar.from_ical(response.data)
    assert str(calendar["X-WR-CALNAME"]) == "CISIP events"
    assert calendar["REFRESH-INTERVAL"].dt == timedelta(hours=1)
    summaries = {str(e["SUMMARY"]): e for e in calendar.walk("VEVENT")}
    assert set(summaries) == {"Called off", "Recent"}  # Lisbon (March 2026) ended long ago
    assert str(summaries["Called off"]["STATUS"]) == "CANCELLED"
    assert str(summaries["Recent"]["STATUS"]) == "CONFIRMED"
    parsed = vobject.readOne(response.get_data(as_text=True))
    assert len(parsed.vevent_list) == len(summaries)
    etag = response.headers["ETag"]
    assert client.get("/api/v1/events.ics", headers={"If-None-Match": etag}).status_code == 304


def test_json_ld_is_a_schema_org_event(client, lisbon):
    response = client.get("/api/v1/events/lisbon-forum",
                          headers={"Accept": "application/ld+json"})
    assert response.status_code == 200
    document = response.json
    assert (document["@context"], document["@type"]) == ("https://schema.org", "Event")
    assert document["eventAttendanceMode"] == "https://schema.org/MixedEventAttendanceMode"
    assert document["eventStatus"] == "https://schema.org/EventScheduled"
    assert document["startDate"] == "2026-03-28T09:00:00+00:00"
    assert document["endDate"] == "2026-03-29T18:00:00+01:00"
    assert [place["@type"] for place in document["location"]] == ["Place", "VirtualLocation"]
    assert document["location"][0]["address"]["addressCountry"] == "PT"
    assert document["location"][0]["geo"]["@type"] == "GeoCoordinates"
    assert document["location"][1]["url"] == "https://live.example/lisbon"
    assert document["organizer"] == [{"@type": "Organization", "name": "CISIP",
                                      "url": "https://cisip.example"}]
    assert document["sponsor"] == [{"@type": "Organization", "name": "GEI"}]
    assert [p["name"] for p in document["performer"]] == ["Eduardo Baptista Correia"]
    assert document["performer"][0]["@type"] == "Person"
    assert [(s["@type"], s["name"]) for s in document["subEvent"]] == [
        ("Event", "Opening"), ("Event", "Roundtable")]
    assert document["subEvent"][1]["startDate"] == "2026-03-29T10:00:00+01:00"


def test_cancelled_event_json_ld(client, editor, lisbon):
    client.patch("/api/v1/events/lisbon-forum", headers=editor, json={"status": "cancelled"})
    document = client.get("/api/v1/events/lisbon-forum",
                          headers={"Accept": "application/ld+json"}).json
    assert document["eventStatus"] == "https://schema.org/EventCancelled"


def test_frab_xml_validates_against_the_xsd(client, lisbon):
    response = client.get("/api/v1/events/lisbon-forum/schedule.xml")
    assert response.mimetype == "application/xml"
    document = etree.fromstring(response.data)
    schema = etree.XMLSchema(etree.parse(str(XSD)))
    assert schema.validate(document), schema.error_log
    days = document.findall("day")
    assert [(d.get("index"), d.get("date")) for d in days] == [("1", "2026-03-28"),
                                                              ("2", "2026-03-29")]
    first, second = (d.find("room/event") for d in days)
    assert (first.findtext("title"), first.findtext("start"), first.findtext("duration"),
            first.findtext("room")) == ("Opening", "09:00", "00:30", "Auditorium")
    assert (second.findtext("start"), second.findtext("duration")) == ("10:00", "01:30")
    assert second.findtext("date") == "2026-03-29T10:00:00+01:00"
    assert [p.text for p in second.findall("persons/person")] == ["Eduardo Baptista Correia"]
    assert document.findtext("conference/acronym") == "lisbon_forum"


def test_an_invalid_schedule_fails_the_xsd(client, lisbon):
    """The check can fail: the same document without a required element does not pass."""
    document = etree.fromstring(client.get("/api/v1/events/lisbon-forum/schedule.xml").data)
    event = document.find("day/room/event")
    event.remove(event.find("slug"))
    assert not etree.XMLSchema(etree.parse(str(XSD))).validate(document)


def test_frab_json_has_the_same_agenda(client, lisbon):
    document = client.get("/api/v1/events/lisbon-forum/schedule.json").json["schedule"]
    conference = document["conference"]
    assert (conference["acronym"], conference["time_zone_name"], conference["daysCount"]) == (
        "lisbon_forum", "Europe/Lisbon", 2)
    assert [day["index"] for day in conference["days"]] == [1, 2]
    rooms = conference["days"][1]["rooms"]
    [roundtable] = rooms["Taguspark"]
    assert (roundtable["start"], roundtable["duration"], roundtable["type"]) == (
        "10:00", "01:30", "roundtable")
    assert [p["name"] for p in roundtable["persons"]] == ["Eduardo Baptista Correia"]
    assert set(roundtable) >= {"abstract", "date", "duration", "guid", "id", "language",
                               "links", "persons", "room", "slug", "start", "subtitle",
                               "title", "track", "type", "url"}


def test_the_seed_forum_has_its_agenda_in_order_with_the_right_roles(runner, client):
    assert "1 events added" in runner.invoke(args=["seed", "demo"]).output
    assert "0 events added" in runner.invoke(args=["seed", "demo"]).output
    event = client.get(f"/api/v1/events/{FORUM_SLUG}").json
    assert (event["timezone"], event["mode"], event["status"]) == (
        "Asia/Shanghai", "hybrid", "published")
    assert event["starts_at"].startswith("2021-12-07T01:00")  # 09:00 in Beijing
    assert event["venue"]["city"] == "Beijing"
    assert [o["name"].split(" ")[0] for o in event["organizers"]] == ["GEI", "CASTIP", "CISIP"]
    assert len(event["streams"]) == 2
    assert event["stats"] == {"participants": 60, "countries": 10, "online_viewers": 379}
    assert [n["slug"] for n in event["news"]] == [
        "the-2021-community-of-international-science-industry-parks-forum-successfully-held"]
    assert [r["slug"] for r in event["reports"]] == [
        "2021-report-on-the-development-of-b-r-science-parks"]
    agenda = [(s["type"], [(p["speaker"]["name"], p["role"]) for p in s["participants"]])
              for s in event["sessions"] if s["type"] != "break"]
    assert agenda == [
        ("opening", [("Wu Wensheng", "speaker")]),
        ("report_release", [("Wang Mingyang", "presenter")]),
        ("keynote", [("Amer Ahmed Hashimi", "keynote")]),
        ("keynote", [("Balogh András Zoltán", "keynote")]),
        ("keynote", [("Yang yi", "keynote")]),
        ("company_presentation", [("Chen Dong", "presenter")]),
        ("company_presentation", [("Bi Kong", "presenter")]),
        ("company_presentation", [("Zhang Qingdi", "presenter")]),
        ("company_presentation", [("Xiang Yanping", "presenter")]),
        ("company_presentation", [("Li Jieru", "presenter")]),
        ("roundtable", [("Zhang Jizhe", "host"), ("Song Qi", "panelist"),
                        ("Kanchana Wanichkorn", "panelist"),
                        ("Eduardo Baptista Correia", "panelist"),
                        ("Vijay Kant Mishra", "panelist")]),
        ("closing", [("Wang Delu", "closing")]),
    ]
    companies = [s["title"] for s in event["sessions"] if s["type"] == "company_presentation"]
    assert companies == ["CFMEE", "Geek+", "MOQI", "AIPARK", "Waterdrop"]
    starts = [s["starts_at"] for s in event["sessions"]]
    assert starts == sorted(starts)
    assert [s["position"] for s in event["sessions"]] == list(range(1, len(starts) + 1))
    report = client.get("/api/v1/reports/2021-report-on-the-development-of-b-r-science-parks")
    assert [e["slug"] for e in report.json["events"]] == [FORUM_SLUG]
    schedule = etree.fromstring(client.get(f"/api/v1/events/{FORUM_SLUG}/schedule.xml").data)
    assert etree.XMLSchema(etree.parse(str(XSD))).validate(schedule)
    ld = client.get(f"/api/v1/events/{FORUM_SLUG}", headers={"Accept": "application/ld+json"})
    assert len(json.loads(ld.data)["performer"]) == 16
