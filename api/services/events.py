"""Events: listing, the event and its agenda, publishing and cancelling, and registrations."""

import csv
import io
import zoneinfo

from sqlalchemy import exists, func, select
from sqlalchemy.orm import QueryableAttribute, selectinload

from api.cache_contract import response_dependencies
from api.errors import APIError, Forbidden, NotFound
from api.extensions import db
from api.models import (
    AttendanceMode,
    Event,
    EventMode,
    EventSession,
    EventStatus,
    News,
    NewsStatus,
    Park,
    ParticipantRole,
    Registration,
    RegistrationStatus,
    Report,
    Role,
    SessionParticipant,
    SessionType,
    Speaker,
)
from api.models.base import utcnow
from api.pagination import paginate
from api.refs import assign_slug, get_or_404, ref_filter
from api.sanitize import clean_html
from api.schemas.event import EventRegistrationSchema
from api.services import emails, webhooks
from api.services.items import (
    clean_translation,
    create_item,
    delete_item,
    derive_summaries,
    invalid,
    linked,
    speaker_links,
)
from api.services.publication import published_now
from api.services.search import matching_ids
from api.translations import apply_translations

SORT_COLUMNS = {"starts_at": Event.starts_at, "title": Event.title}
PUBLIC_STATUSES = (EventStatus.PUBLISHED, EventStatus.CANCELLED)
LINKS = {"park_ids": ("parks", Park), "news_ids": ("news", News),
         "report_ids": ("reports", Report)}


def sees_drafts(viewer):
    return viewer is not None and viewer.has_role(Role.EDITOR)


def event_visibility(viewer):
    """Conditions on `Event` the viewer may read: none for editors, published or cancelled
    events for everyone else."""
    return () if sees_drafts(viewer) else (Event.status.in_(PUBLIC_STATUSES),)


def visible_events(viewer):
    return select(Event).where(*event_visibility(viewer))


def relations(viewer, sessions=False):
    """What an event shows, loaded for a whole page in one query per relation; linked news
    and reports only when the viewer may read them (cached answers list `news` and `reports`
    among their collections, so publishing one purges them)."""
    news: QueryableAttribute = Event.news
    reports: QueryableAttribute = Event.reports
    if not sees_drafts(viewer):
        news = Event.news.and_(News.status == NewsStatus.PUBLISHED,
                               published_now(News.published_at))
        reports = Event.reports.and_(published_now(Report.published_at))
    options = [selectinload(Event.parks), selectinload(news), selectinload(reports)]
    if sessions:
        options.append(selectinload(Event.sessions).selectinload(EventSession.participants))
    return options


def expire_with_time(events):
    """A response showing `events` must not outlive the next moment one of them changes by
    itself: its registration opening or closing, or its end."""
    now = utcnow()
    for event in events:
        moments = (event.registration_opens_at, event.registration_closes(), event.ends_at)
        future = [moment for moment in moments if moment is not None and moment > now]
        if future:
            response_dependencies().changes_at(min(future))


# Events


def list_events(args, viewer):
    if args.get("status") is EventStatus.DRAFT and not sees_drafts(viewer):
        raise Forbidden("Only editors may list draft events.")
    stmt = _filtered(visible_events(viewer), args)
    if "upcoming" in args:
        # The list changes when the next of these events ends.
        next_end = db.session.scalar(select(func.min(Event.ends_at)).where(
            Event.ends_at > utcnow(), *event_visibility(viewer)))
        if next_end is not None:
            response_dependencies().changes_at(next_end)
    page = paginate(db.session, stmt.options(*relations(viewer)), args, SORT_COLUMNS)
    expire_with_time(page.items)
    return page


def _filtered(stmt, args):
    if "status" in args:
        stmt = stmt.where(Event.status == args["status"])
    if "q" in args:
        stmt = stmt.where(Event.id.in_(matching_ids(Event.SEARCH_TYPE, args["q"])))
    if "upcoming" in args:
        now = utcnow()
        stmt = stmt.where(Event.ends_at > now if args["upcoming"] else Event.ends_at <= now)
    if "from_" in args:
        stmt = stmt.where(Event.start_date >= args["from_"])
    if "to" in args:
        stmt = stmt.where(Event.start_date <= args["to"])
    if "country" in args:
        stmt = stmt.where(Event.country == args["country"])
    if "park" in args:
        stmt = stmt.where(Event.parks.any(ref_filter(Park, args["park"])))
    if "speaker" in args:
        stmt = stmt.where(exists(
            select(1).select_from(SessionParticipant).join(EventSession).join(Speaker)
            .where(EventSession.event_id == Event.id, ref_filter(Speaker, args["speaker"]))))
    if "mode" in args:
        modes = {args["mode"], EventMode.HYBRID}
        stmt = stmt.where(Event.mode.in_(modes))
    return stmt


def get_event(ref, viewer):
    """The event with its agenda, as the viewer may see it."""
    event = get_or_404(Event, ref, visible_events(viewer).options(
        *relations(viewer, sessions=True)))
    expire_with_time([event])
    return event


def public_events_since(moment):
    """Published and cancelled events ending at `moment` or later, soonest first, with their
    agenda (for calendars)."""
    stmt = (visible_events(None).where(Event.ends_at >= moment)
            .options(*relations(None, sessions=True)).order_by(Event.starts_at, Event.id))
    return list(db.session.scalars(stmt))


def create_event(data):
    event = Event(status=EventStatus.DRAFT, sequence=0, stats={}, streams=[], organizers=[])
    return create_item(event, {"summary": None} | data, _apply, name=data["title"])


def update_event(ref, data):
    """Change the event; a raised capacity confirms waitlisted registrations, and cancelling
    emails every registrant."""
    event = get_or_404(Event, ref)
    before = webhooks.snapshot(event)
    with db.transaction():
        _lock(event)
        previous = event.status
        _apply(event, data)
        if "slug" in data:
            assign_slug(event, data["slug"])
        for registration in _fill_seats(event) if "capacity" in data else []:
            emails.send_registration_promoted(registration)
        if event.status is EventStatus.CANCELLED and previous is not EventStatus.CANCELLED:
            notify_cancellation(event)
        webhooks.announce(event, before)
    return event


def notify_cancellation(event):
    """Email everyone still registered for the cancelled `event`."""
    for registration in db.session.scalars(_registrations(event).where(
            Registration.status != RegistrationStatus.CANCELLED)):
        emails.send_event_cancelled(registration)


def delete_event(ref):
    delete_item(get_or_404(Event, ref))


def _apply(event, data):
    # Nothing is flushed on the way, so that the event still knows whether it changed.
    with db.session.no_autoflush:
        _apply_fields(event, data)
        derive_summaries(event, data)
        event.start_date = local(event.starts_at, event).date()
        _check_times(event)
        if event.id is not None and db.session.is_modified(event):
            event.sequence += 1


def _apply_fields(event, data):
    for field, value in data.items():
        if field == "body":
            event.body = clean_html(value)
        elif field in LINKS:
            relation, model = LINKS[field]
            setattr(event, relation, linked(model, value, field))
        elif field == "translations":
            apply_translations(event, value, clean_translation)
        elif field == "venue":
            _set_venue(event, value)
        elif field == "stats":
            event.stats = (event.stats or {}) | value
        elif field in ("capacity", "registration"):
            for key, number in value.items():
                setattr(event, f"{field}_{key}", number)
        elif field == "status":
            _set_status(event, value)
        elif field not in ("slug", "summary"):
            setattr(event, field, value)


def _set_venue(event, venue):
    if venue is None:
        venue = dict.fromkeys(("name", "address", "city", "country", "location"))
    for key in ("name", "address", "city"):
        if key in venue:
            setattr(event, f"venue_{key}", venue[key])
    if "country" in venue:
        event.country = venue["country"]
    if "location" in venue:
        location = venue["location"] or {"lat": None, "lon": None}
        event.latitude, event.longitude = location["lat"], location["lon"]


def _set_status(event, status):
    if status is EventStatus.CANCELLED and event.published_at is None:
        raise invalid("status", "Only a published event can be cancelled; delete a draft "
                      "instead.")
    if status is EventStatus.PUBLISHED and event.published_at is None:
        event.published_at = utcnow()
    event.status = status


def _check_times(event):
    if event.ends_at <= event.starts_at:
        raise invalid("ends_at", "The event must end after it starts.")
    opens, closes = event.registration_opens_at, event.registration_closes_at
    if opens is not None and closes is not None and closes <= opens:
        raise invalid("registration", "Registration must close after it opens.")
    outside = [session.title for session in event.sessions
               if session.starts_at < event.starts_at or session.ends_at > event.ends_at]
    if outside:
        raise invalid("starts_at", "Sessions would fall outside the event's time: "
                      f"{', '.join(outside)}. Move them first.")


def _lock(event):
    """Take the event's row lock (see `Database.lock`) and read it as it now is, so that
    concurrent writers count places and grow its `sequence` one after the other."""
    db.lock(Event, event.id)
    db.session.refresh(event)


def local(moment, event):
    """`moment` on the clocks where `event` is held."""
    return moment.astimezone(zoneinfo.ZoneInfo(event.timezone))


# The agenda


def list_sessions(ref, viewer):
    return get_event(ref, viewer).sessions


def get_session(ref, session_id, viewer):
    return _session_of(get_event(ref, viewer), session_id)


def create_session(ref, data):
    event = _event_for_agenda(ref)
    with db.transaction():
        _lock(event)
        session = EventSession(number=_next_number(event),
                               default_language=event.default_language)
        _apply_session(session, event, data)
    return session


def update_session(ref, session_id, data):
    event = _event_for_agenda(ref)
    session = _session_of(event, session_id)
    with db.transaction():
        _lock(event)
        _apply_session(session, event, data)
    return session


def delete_session(ref, session_id):
    event = _event_for_agenda(ref)
    session = _session_of(event, session_id)
    with db.transaction():
        _lock(event)
        event.sessions.remove(session)
        _renumber(event.sessions)
        event.sequence += 1


def _event_for_agenda(ref):
    return get_or_404(Event, ref, select(Event).options(
        selectinload(Event.sessions).selectinload(EventSession.participants)))


def _session_of(event, session_id):
    for session in event.sessions:
        if session.id == session_id:
            return session
    raise NotFound(f"The event has no session '{session_id}'.")


def _next_number(event):
    """One more than the highest session number the event has had (read under its lock)."""
    highest = db.session.scalar(select(func.max(EventSession.number)).where(
        EventSession.event_id == event.id))
    return (highest or 0) + 1


def _apply_session(session, event, data):
    for field, value in data.items():
        if field == "participants":
            session.participants = speaker_links(
                session.participants, value, "participants",
                lambda speaker_id: SessionParticipant(speaker_id=speaker_id), ParticipantRole)
        elif field == "translations":
            apply_translations(session, value)
        elif field == "type":
            session.type = SessionType(value)
        elif field != "position":
            setattr(session, field, value)
    if session.ends_at <= session.starts_at:
        raise invalid("ends_at", "The session must end after it starts.")
    if session.starts_at < event.starts_at or session.ends_at > event.ends_at:
        raise invalid("starts_at", "The session must lie within the event's time.")
    if "position" in data or session.position is None:
        others = [other for other in event.sessions if other is not session]
        index = len(others) if data.get("position") is None else data["position"] - 1
        others.insert(min(index, len(others)), session)
        event.sessions = others
        _renumber(event.sessions)
    # Every change to the agenda is a change to the event (calendars see a new SEQUENCE).
    event.sequence += 1


def _renumber(sessions):
    for position, session in enumerate(sessions, start=1):
        session.position = position


# Registrations


def register(ref, data, member):
    """Register `member` in `data["mode"]`: confirmed while that mode has room, else on its
    waiting list. The event's row is locked while seats are counted, so concurrent
    registrations never exceed the capacity and queue in the order they are decided."""
    mode = data["mode"]
    event = get_or_404(Event, ref, visible_events(member))
    if not event.offers(mode):
        raise invalid("mode", f"This event cannot be attended {_mode_words(mode)}.")
    with db.transaction():
        _lock(event)
        if not event.registration_open():
            raise APIError("Registration for this event is closed.", status=409,
                           code="registration_closed")
        registration = _registration_of(event, member)
        if registration is not None and registration.status is not RegistrationStatus.CANCELLED:
            raise APIError("You are already registered for this event.", status=409,
                           code="already_registered")
        confirmed = _has_room(event, mode)
        if registration is None:
            registration = Registration(event=event, member=member)
            db.session.add(registration)
        now = utcnow()
        registration.mode = mode
        registration.status = (RegistrationStatus.CONFIRMED if confirmed
                               else RegistrationStatus.WAITLISTED)
        registration.created_at, registration.cancelled_at = now, None
        registration.confirmed_at = now if confirmed else None
        db.session.flush()
        db.session.refresh(registration)  # its place in the queue
        emails.send_registration_received(registration)
    return registration


def _mode_words(mode):
    return "in person" if mode is AttendanceMode.IN_PERSON else "online"


def _has_room(event, mode):
    """A seat in `mode` is free and nobody waits for one."""
    capacity = event.capacity_of(mode)
    if capacity is None:
        return True
    confirmed = _count(event, mode, RegistrationStatus.CONFIRMED)
    return confirmed < capacity and not _count(event, mode, RegistrationStatus.WAITLISTED)


def _count(event, mode, status):
    return db.session.scalar(select(func.count()).select_from(Registration).where(
        Registration.event_id == event.id, Registration.mode == mode,
        Registration.status == status))


def _fill_seats(event):
    """Confirm waitlisted registrations, first come first served, while their mode has free
    seats; answer them. Call within a transaction."""
    db.lock(Event, event.id)
    promoted = []
    for mode in AttendanceMode:
        capacity = event.capacity_of(mode)
        free = None if capacity is None else capacity - _count(
            event, mode, RegistrationStatus.CONFIRMED)
        if free is not None and free <= 0:
            continue
        queue = (_registrations(event)
                 .where(Registration.mode == mode,
                        Registration.status == RegistrationStatus.WAITLISTED)
                 .order_by(Registration.created_at, Registration.id).limit(free))
        for registration in db.session.scalars(queue):
            registration.status = RegistrationStatus.CONFIRMED
            registration.confirmed_at = utcnow()
            promoted.append(registration)
    return promoted


def get_my_registration(ref, member):
    registration = _registration_of(get_or_404(Event, ref, visible_events(member)), member)
    if registration is None:
        raise NotFound("You have not registered for this event.")
    return registration


def cancel_registration(ref, member):
    """Withdraw the member's registration; a freed seat goes to the first in the queue."""
    event = get_or_404(Event, ref, visible_events(member))
    if event.ends_at <= utcnow():
        raise APIError("The event has ended.", status=409, code="registration_closed")
    with db.transaction():
        db.lock(Event, event.id)
        registration = _registration_of(event, member)
        if registration is None or registration.status is RegistrationStatus.CANCELLED:
            raise NotFound("You have not registered for this event.")
        for other in _withdraw(event, registration):
            emails.send_registration_promoted(other)


def withdraw_member(member):
    """Cancel every registration of `member` (whose account is going) for events still to
    come, handing their seats on."""
    registrations = db.session.scalars(select(Registration).join(Registration.event).where(
        Registration.member_id == member.id,
        Registration.status != RegistrationStatus.CANCELLED, Event.ends_at > utcnow()))
    for registration in list(registrations):
        with db.transaction():
            db.lock(Event, registration.event_id)
            db.session.refresh(registration)
            for other in _withdraw(registration.event, registration):
                emails.send_registration_promoted(other)


def _withdraw(event, registration):
    was_confirmed = registration.status is RegistrationStatus.CONFIRMED
    registration.status = RegistrationStatus.CANCELLED
    registration.cancelled_at = utcnow()
    db.session.flush()
    return _fill_seats(event) if was_confirmed else []


def _registration_of(event, member):
    return db.session.scalar(_registrations(event).where(Registration.member_id == member.id))


def _registrations(event):
    return select(Registration).where(Registration.event_id == event.id)


def list_registrations(ref, args):
    """The event's registrations (editors), oldest first unless sorted otherwise."""
    stmt = _filtered_registrations(_registrations(get_or_404(Event, ref)), args)
    return paginate(db.session, stmt, args, {"created_at": Registration.created_at})


def my_registrations(member, args):
    stmt = select(Registration).where(Registration.member_id == member.id)
    stmt = _filtered_registrations(stmt, args)
    return paginate(db.session, stmt, args, {"created_at": Registration.created_at})


def _filtered_registrations(stmt, args):
    for field in ("status", "mode"):
        if field in args:
            stmt = stmt.where(getattr(Registration, field) == args[field])
    return stmt


CSV_COLUMNS = ("id", "member_id", "full_name", "email", "organization", "country", "mode",
               "status", "waitlist_position", "created_at", "confirmed_at", "cancelled_at")
# A spreadsheet runs a cell starting with one of these as a formula (CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def registrations_csv(ref, args):
    """Every registration matching `args` (not one page) as CSV, with the columns of the
    JSON list; cells a spreadsheet would run as a formula are neutralised."""
    stmt = _filtered_registrations(_registrations(get_or_404(Event, ref)), args)
    registrations = db.session.scalars(stmt.order_by(Registration.created_at, Registration.id))
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for row in EventRegistrationSchema(many=True).dump(registrations):
        member = row.pop("member")
        row |= {"member_id": member["id"], "full_name": member["full_name"],
                "email": member["email"], "organization": member["organization"],
                "country": member["country"]}
        writer.writerow([_cell(row[column]) for column in CSV_COLUMNS])
    return out.getvalue()


def _cell(value):
    text = "" if value is None else str(value)
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text

