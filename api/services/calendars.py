"""Events for other software: iCalendar (RFC 5545, RFC 7986), schema.org JSON-LD, frab schedules.

The builders take events as the API shows them (`EventDetailSchema` output), so every format
says what the JSON API says, in the language asked for; the functions answering a request
tag the response for the shared cache with the ids it shows, as feeds do.
"""

import json
import uuid
from datetime import date, timedelta
from zoneinfo import ZoneInfo

import icalendar
import pycountry
from flask import Response, current_app
from icalendar.enums import STATUS, TRANSP
from lxml import etree

from api.cache_contract import response_dependencies
from api.models.base import utcnow
from api.schemas.event import EventDetailSchema
from api.services import events
from api.services.emails import event_page
from api.services.feeds import parse_time

PRODID = "-//CISIP//CISIP API//EN"
# Calendars keep published events this long after they end.
FEED_DAYS_BACK = 90
REFRESH = timedelta(hours=1)
STREAM_FEATURE = "VIDEO"
SCHEMA = "https://schema.org/"
ATTENDANCE = {"in_person": "OfflineEventAttendanceMode", "online": "OnlineEventAttendanceMode",
              "hybrid": "MixedEventAttendanceMode"}
ROLE_WORDS = {"host": "Host", "moderator": "Moderator", "keynote": "Keynote",
              "speaker": "Speaker", "panelist": "Panelist", "presenter": "Presenter",
              "closing": "Closing remarks"}


def _dump(items):
    dumped = EventDetailSchema(many=True).dump(items)
    # The response cache tags JSON bodies by their ids; these formats name them here.
    response_dependencies().shows_json(json.dumps(dumped))
    return dumped


def _local(value, item):
    return parse_time(value).astimezone(ZoneInfo(item["timezone"]))


# iCalendar


def events_calendar():
    """The subscribable calendar: published (and cancelled) events that ended at most
    FEED_DAYS_BACK days ago, each with its sessions."""
    since = utcnow() - timedelta(days=FEED_DAYS_BACK)
    shown = events.public_events_since(since)
    if shown:  # The oldest leaves the feed FEED_DAYS_BACK days after it ends.
        response_dependencies().changes_at(min(event.ends_at for event in shown)
                                           + timedelta(days=FEED_DAYS_BACK))
    frontend = current_app.config["FRONTEND_URL"]
    calendar = _calendar(_dump(shown), name="CISIP events", url=f"{frontend}/events",
                         description="Forums, conferences and webinars of the Community of "
                                     "International Science-Industry Parks.")
    return _ics_response(calendar)


def event_calendar(ref, viewer):
    """One event (as `viewer` may see it) with its sessions, as iCalendar."""
    item = _dump([events.get_event(ref, viewer)])[0]
    calendar = _calendar([item], name=item["title"], url=item_page(item),
                         description=item["summary"])
    return _ics_response(calendar)


def item_page(item):
    return event_page(item["slug"])


def _ics_response(calendar):
    return Response(calendar.to_ical(), content_type="text/calendar; charset=utf-8")


def _calendar(items, name, url, description):
    calendar = icalendar.Calendar.new(
        prodid=PRODID, name=name, description=description, url=url,
        uid=uuid.uuid5(uuid.NAMESPACE_URL, url), refresh_interval=REFRESH, calscale="GREGORIAN")
    calendar.add("X-PUBLISHED-TTL", icalendar.vDuration(REFRESH))
    for item in items:
        calendar.add_component(_vevent(item))
        for session in item["sessions"]:
            calendar.add_component(_session_vevent(session, item))
    if items:
        first = min(_local(item["starts_at"], item).date() for item in items)
        last = max(_local(item["ends_at"], item).date() for item in items)
        calendar.add_missing_timezones(first_date=first - timedelta(days=366),
                                       last_date=last + timedelta(days=366))
    return calendar


def _vevent(item):
    changed = parse_time(item["updated_at"])
    event = icalendar.Event.new(
        uid=item["id"], sequence=item["sequence"], stamp=changed, last_modified=changed,
        created=parse_time(item["created_at"]), start=_local(item["starts_at"], item),
        end=_local(item["ends_at"], item), summary=item["title"],
        description=_description(item), location=_location(item), url=item_page(item),
        status=_status(item),
        conferences=[_conference(stream) for stream in item["streams"]],
        categories=["Event"], transparency=TRANSP.OPAQUE)
    venue = item["venue"]
    if venue and venue["location"]:
        event.add("GEO", (venue["location"]["lat"], venue["location"]["lon"]))
    if item["cover_image"]:
        event.add("IMAGE", item["cover_image"]["url"], parameters={"VALUE": "URI",
                                                                   "DISPLAY": "BADGE"})
    return event


def _session_vevent(session, item):
    # A session changes with its event too (its status, the event's place).
    changed = max(parse_time(session["updated_at"]), parse_time(item["updated_at"]))
    streams = ([{"platform": "Stream", "url": session["stream_url"], "language": None}]
               if session["stream_url"] else item["streams"])
    location = ", ".join(part for part in (session["room"], _location(item)) if part)
    event = icalendar.Event.new(
        uid=session["id"], sequence=item["sequence"], stamp=changed, last_modified=changed,
        created=parse_time(session["created_at"]), start=_local(session["starts_at"], item),
        end=_local(session["ends_at"], item), summary=f"{session['title']} ({item['title']})",
        description=_session_description(session, item), location=location or None,
        url=item_page(item), related_to=[item["id"]],
        status=_status(item),
        conferences=[_conference(stream) for stream in streams],
        categories=[session["type"].replace("_", " ").capitalize()], transparency=TRANSP.OPAQUE)
    return event


def _status(item):
    return STATUS.CANCELLED if item["status"] == "cancelled" else STATUS.CONFIRMED


def _conference(stream):
    return icalendar.Conference(stream["url"], feature=STREAM_FEATURE, label=stream["platform"],
                                language=stream["language"])


def _location(item):
    """The venue in one line (`Name, Address, City, Country`); online events: `Online`."""
    venue = item["venue"]
    if not venue:
        return "Online" if item["mode"] == "online" else None
    parts = [venue["name"], venue["address"], venue["city"], _country_name(venue["country"])]
    return ", ".join(part for part in parts if part) or None


def _country_name(code):
    country = pycountry.countries.get(alpha_2=code) if code else None
    return getattr(country, "common_name", None) or (country.name if country else None)


def _description(item):
    parts = [item["summary"]]
    if item["theme"]:
        parts.append(f"Theme: {item['theme']}")
    if item["organizers"]:
        parts.append("Organised by " + ", ".join(o["name"] for o in item["organizers"]) + ".")
    parts.extend(f"Live on {stream['platform']}: {stream['url']}" for stream in item["streams"])
    parts.append(item_page(item))
    return "\n\n".join(part for part in parts if part)


def _session_description(session, item):
    parts = [session["description"]]
    parts.extend(f"{ROLE_WORDS[part['role']]}: {_person(part)}"
                 for part in session["participants"])
    parts.append(item_page(item))
    return "\n\n".join(part for part in parts if part)


def _person(part):
    speaker = part["speaker"]
    about = ", ".join(x for x in (speaker["job_title"], speaker["organization"]) if x)
    title = f': "{part["talk_title"]}"' if part["talk_title"] else ""
    return f"{speaker['name']}" + (f" ({about})" if about else "") + title


# schema.org JSON-LD


def event_json_ld(ref, viewer):
    """The event as a schema.org `Event` (JSON-LD), its sessions as `subEvent`s."""
    item = _dump([events.get_event(ref, viewer)])[0]
    body = json.dumps(json_ld(item), ensure_ascii=False)
    response = Response(body, content_type="application/ld+json; charset=utf-8")
    response.vary.add("Accept")
    return response


def json_ld(item):
    page = item_page(item)
    document = {
        "@context": "https://schema.org",
        "@type": "Event",
        "@id": page,
        "url": page,
        "name": item["title"],
        "description": item["summary"],
        "inLanguage": item["language"],
        "startDate": _local(item["starts_at"], item).isoformat(),
        "endDate": _local(item["ends_at"], item).isoformat(),
        "eventStatus": SCHEMA + ("EventCancelled" if item["status"] == "cancelled"
                                 else "EventScheduled"),
        "eventAttendanceMode": SCHEMA + ATTENDANCE[item["mode"]],
        "location": _places(item),
        "organizer": [_organization(o) for o in item["organizers"]
                      if o["role"] in ("host", "co_host")],
        "performer": _performers(item["sessions"]),
        "subEvent": [_sub_event(session, item) for session in item["sessions"]],
    }
    sponsors = [_organization(o) for o in item["organizers"] if o["role"] == "sponsor"]
    partners = [_organization(o) for o in item["organizers"] if o["role"] == "partner"]
    optional = {"about": item["theme"], "sponsor": sponsors, "contributor": partners,
                "image": item["cover_image"]["url"] if item["cover_image"] else None,
                "maximumAttendeeCapacity": item["capacity"]["in_person"]}
    document |= {key: value for key, value in optional.items() if value}
    return document


def _places(item):
    places = []
    venue = item["venue"]
    if venue:
        place = {"@type": "Place", "name": venue["name"] or venue["city"],
                 "address": {"@type": "PostalAddress", "streetAddress": venue["address"],
                             "addressLocality": venue["city"],
                             "addressCountry": venue["country"]}}
        if venue["location"]:
            place["geo"] = {"@type": "GeoCoordinates", "latitude": venue["location"]["lat"],
                            "longitude": venue["location"]["lon"]}
        places.append(_compact(place))
    places.extend({"@type": "VirtualLocation", "name": stream["platform"], "url": stream["url"]}
                  for stream in item["streams"])
    return places


def _organization(organizer):
    return _compact({"@type": "Organization", "name": organizer["name"],
                     "url": organizer["url"]})


def _person_ld(speaker):
    person = {"@type": "Person", "name": speaker["name"], "jobTitle": speaker["job_title"],
              "honorificPrefix": speaker["honorific"]}
    if speaker["organization"]:
        person["affiliation"] = {"@type": "Organization", "name": speaker["organization"]}
    return _compact(person)


def _performers(sessions):
    """Everyone who takes part in a session, once each, in agenda order."""
    speakers = {part["speaker"]["id"]: part["speaker"]
                for session in sessions for part in session["participants"]}
    return [_person_ld(speaker) for speaker in speakers.values()]


def _sub_event(session, item):
    sub = {"@type": "Event", "@id": f"{item_page(item)}#session-{session['id']}",
           "name": session["title"], "description": session["description"],
           "startDate": _local(session["starts_at"], item).isoformat(),
           "endDate": _local(session["ends_at"], item).isoformat(),
           "eventStatus": SCHEMA + ("EventCancelled" if item["status"] == "cancelled"
                                    else "EventScheduled"),
           "eventAttendanceMode": SCHEMA + ATTENDANCE[item["mode"]],
           "location": _places(item),
           "performer": [_person_ld(part["speaker"]) for part in session["participants"]]}
    return _compact(sub)


def _compact(document):
    return {key: value for key, value in document.items() if value not in (None, "", [])}


# frab schedules (what conference apps read)


def schedule_xml(ref, viewer):
    """The agenda as a frab schedule XML document (validates against frab-schedule.xsd)."""
    item = _dump([events.get_event(ref, viewer)])[0]
    root = etree.Element("schedule")
    etree.SubElement(root, "version").text = str(item["sequence"])
    conference = etree.SubElement(root, "conference")
    for name, value in _conference_fields(item).items():
        etree.SubElement(conference, name).text = str(value)
    for index, (day, sessions) in enumerate(_days(item), start=1):
        day_element = etree.SubElement(root, "day", index=str(index), date=day.isoformat(),
                                       start=_local(sessions[0]["starts_at"], item).isoformat(),
                                       end=max(_local(s["ends_at"], item) for s in sessions)
                                       .isoformat())
        for room, in_room in _rooms(sessions, item):
            room_element = etree.SubElement(day_element, "room", name=room)
            for session in in_room:
                _xml_session(etree.SubElement(room_element, "event"), session, item, room)
    body = etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
    return Response(body, content_type="application/xml; charset=utf-8")


def _xml_session(element, session, item, room):
    fields = _session_fields(session, item, room)
    element.set("id", str(fields.pop("id")))
    element.set("guid", fields.pop("guid"))
    persons, links = fields.pop("persons"), fields.pop("links")
    del fields["url"]  # (JSON only)
    for name, value in fields.items():
        etree.SubElement(element, name).text = value or ""
    persons_element = etree.SubElement(element, "persons")
    for person in persons:
        etree.SubElement(persons_element, "person").text = person["public_name"]
    links_element = etree.SubElement(element, "links")
    for link in links:
        etree.SubElement(links_element, "link", href=link["url"]).text = link["title"]


def schedule_json(ref, viewer):
    """The agenda in the frab schedule's JSON form (as the c3voc schedule tools write it)."""
    item = _dump([events.get_event(ref, viewer)])[0]
    days = []
    for index, (day, sessions) in enumerate(_days(item), start=1):
        days.append({
            "index": index, "date": day.isoformat(),
            "day_start": _local(sessions[0]["starts_at"], item).isoformat(),
            "day_end": max(_local(s["ends_at"], item) for s in sessions).isoformat(),
            "rooms": {room: [_session_fields(s, item, room) for s in in_room]
                      for room, in_room in _rooms(sessions, item)}})
    rooms = list(dict.fromkeys(_room_of(s, item) for s in item["sessions"]))
    conference = _conference_fields(item)
    conference["daysCount"] = conference.pop("days")
    document = {"$schema": "https://c3voc.de/schedule/schema.json",
                "generator": {"name": "CISIP API"},
                "schedule": {
                    "version": str(item["sequence"]),
                    "base_url": item_page(item),
                    "conference": conference | {
                        "url": item_page(item), "time_zone_name": item["timezone"],
                        "rooms": [{"name": room,
                                   "guid": str(uuid.uuid5(uuid.UUID(item["id"]), room))}
                                  for room in rooms],
                        "days": days}}}
    body = json.dumps(document, ensure_ascii=False)
    return Response(body, content_type="application/json; charset=utf-8")


def _conference_fields(item):
    start = _local(item["starts_at"], item).date()
    end = _local(item["ends_at"], item).date()
    # Conference apps take an acronym of letters, digits and underscores.
    return {"acronym": item["slug"].replace("-", "_"), "title": item["title"],
            "start": start.isoformat(),
            "end": end.isoformat(), "days": (end - start).days + 1,
            "timeslot_duration": "00:05"}


def _days(item):
    """The sessions by the day they start on, where the event is held."""
    by_day: dict[date, list] = {}
    for session in item["sessions"]:
        by_day.setdefault(_local(session["starts_at"], item).date(), []).append(session)
    return sorted((day, sorted(sessions, key=lambda s: s["starts_at"]))
                  for day, sessions in by_day.items())


def _room_of(session, item):
    venue = item["venue"] or {}
    return session["room"] or venue.get("name") or ("Online" if item["mode"] == "online"
                                                    else "Main room")


def _rooms(sessions, item):
    rooms: dict[str, list] = {}
    for session in sessions:
        rooms.setdefault(_room_of(session, item), []).append(session)
    return rooms.items()


def _session_fields(session, item, room):
    """One session as a frab `event`: its number as the id, its UUID as the guid."""
    start = _local(session["starts_at"], item)
    minutes = int((parse_time(session["ends_at"]) - parse_time(session["starts_at"]))
                  .total_seconds() // 60)
    links = [{"url": session["stream_url"], "title": "Live stream"}] if session[
        "stream_url"] else [{"url": s["url"], "title": s["platform"]} for s in item["streams"]]
    return {
        "id": session["number"], "guid": session["id"], "room": room,
        "title": session["title"], "subtitle": "", "track": _track(session),
        "type": session["type"], "date": start.isoformat(), "start": f"{start:%H:%M}",
        "duration": f"{minutes // 60:02d}:{minutes % 60:02d}", "language": item["language"],
        "abstract": session["description"] or "", "description": "",
        "slug": f"{item['slug']}-{session['number']}",
        "url": f"{item_page(item)}#session-{session['id']}",
        "persons": [{"guid": part["speaker"]["id"], "name": part["speaker"]["name"],
                     "public_name": part["speaker"]["name"]}
                    for part in session["participants"]],
        "links": links,
    }


def _track(session):
    return session["type"].replace("_", " ").capitalize()
