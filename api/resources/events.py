"""Events: the community's forums with their agenda, registration and calendars."""

from flask import Response, request, url_for
from flask.views import MethodView

from api.auth import current_member, current_viewer
from api.blueprint import LOCATION_HEADER_DOC, Blueprint
from api.models import Role
from api.schemas.event import (
    EventCreateSchema,
    EventDetailSchema,
    EventQueryArgsSchema,
    EventRegistrationSchema,
    EventSchema,
    EventSessionCreateSchema,
    EventSessionSchema,
    EventSessionUpdateSchema,
    EventUpdateSchema,
    MyRegistrationQueryArgsSchema,
    RegistrationCreateSchema,
    RegistrationQueryArgsSchema,
    RegistrationSchema,
)
from api.services import calendars, events
from api.translations import LanguageArgsSchema

blp = Blueprint("events", __name__, url_prefix="/api/v1",
                description="Forums, conferences and webinars: the agenda, registration and "
                "calendars.")

JSON_LD = "application/ld+json"
CSV = "text/csv"
NOT_FOUND = "No visible event has this id or slug."
CALENDAR = blp.response(200, {"type": "string", "contentMediaType": "text/calendar"},
                        content_type="text/calendar",
                        description="An iCalendar (RFC 5545) document.")


def prefers(media_type):
    """Whether the request's Accept header prefers `media_type` to JSON."""
    best = request.accept_mimetypes.best_match(["application/json", media_type])
    return best == media_type and request.accept_mimetypes[media_type] > 0


@blp.route("/events")
class Events(MethodView):
    @blp.doc(operationId="listEvents")
    @blp.auth_required(optional=True)
    @blp.arguments(EventQueryArgsSchema, location="query")
    @blp.cached("events")
    @blp.paginated(EventSchema)
    @blp.problem(403, "`status=draft` needs the `editor` role.")
    def get(self, args):
        """List events.

        Everyone sees published and cancelled events; editors also drafts (filter with
        `status`). Filter by words (`q`), `upcoming`, the start date (`from`, `to`, on the
        calendar where the event is held), the venue's `country`, a linked `park`, a
        `speaker` of its agenda and the attendance `mode`; sort by `starts_at` or `title`
        (default `-starts_at`, newest first; with `upcoming=true`, `starts_at`, soonest
        first). Items carry no agenda: read it from the event or its `sessions`. Text
        fields come in the language of `lang` or `Accept-Language` when translated.
        """
        return events.list_events(args, current_viewer())

    @blp.doc(operationId="createEvent")
    @blp.auth_required(Role.EDITOR)
    @blp.arguments(EventCreateSchema)
    @blp.response(201, EventDetailSchema, headers=LOCATION_HEADER_DOC)
    @blp.problem(409, "The slug is already taken.")
    def post(self, data):
        """Create an event (a draft unless `status` says otherwise).

        Times are RFC 3339 (any offset; answered in UTC) and `timezone` is where the event
        is held: calendars and schedules show its times there. The body is sanitised HTML;
        without a `summary` one is made from its first words. Link parks, news and reports
        with `park_ids`, `news_ids` and `report_ids`; add the agenda with
        `POST /events/{ref}/sessions`. `capacity` limits registrations per attendance mode
        (null: no limit); `registration` sets when they open and close (by default from
        publication to the end of the event).
        """
        event = events.create_event(data)
        return event, 201, {"Location": url_for("events.EventByRef", ref=event.slug)}


@blp.route("/events/<ref>")
class EventByRef(MethodView):
    @blp.doc(operationId="getEvent", responses={200: {"content": {JSON_LD: {"schema": {
        "type": "object", "description": "A schema.org `Event` (JSON-LD)."}}}}})
    @blp.auth_required(optional=True)
    @blp.arguments(LanguageArgsSchema, location="query")
    @blp.cached("event")
    @blp.response(200, EventDetailSchema)
    @blp.problem(404, NOT_FOUND)
    def get(self, _args, ref):
        """Retrieve an event by id or slug, with its agenda.

        Drafts are visible to editors only. With `Accept: application/ld+json` the answer
        is a schema.org `Event` for search engines: attendance mode, status, the venue as a
        `Place` and the streams as `VirtualLocation`s, organizers, performers and a
        `subEvent` per session, times on the clocks where it is held.
        """
        viewer = current_viewer()
        if prefers(JSON_LD):
            return calendars.event_json_ld(ref, viewer)
        return events.get_event(ref, viewer), 200, {"Vary": "Accept"}

    @blp.doc(operationId="updateEvent")
    @blp.auth_required(Role.EDITOR)
    @blp.arguments(EventUpdateSchema)
    @blp.response(200, EventDetailSchema)
    @blp.problem(404, "No event has this id or slug.")
    @blp.problem(409, "The slug is already taken.")
    def patch(self, data, ref):
        """Update an event; only the fields sent change.

        Lists sent (`streams`, `organizers`, `park_ids`, `news_ids`, `report_ids`) replace
        the stored ones; objects (`venue`, `stats`, `capacity`, `registration`) merge key by
        key; `translations` merge by language and field (null removes one). Raising a
        capacity confirms waitlisted registrations in their order (each is emailed);
        lowering it unconfirms nobody. `status: cancelled` keeps the event visible as
        cancelled (calendars too) and emails everyone registered. Every change makes the
        event's `sequence` grow.
        """
        return events.update_event(ref, data)

    @blp.doc(operationId="deleteEvent")
    @blp.auth_required(Role.EDITOR)
    @blp.response(204)
    @blp.problem(404, "No event has this id or slug.")
    def delete(self, ref):
        """Delete an event with its agenda and registrations.

        Nobody is told: to call off a published event, set `status` to `cancelled`
        instead.
        """
        events.delete_event(ref)


@blp.route("/events/<ref>/sessions")
class Sessions(MethodView):
    @blp.doc(operationId="listEventSessions")
    @blp.auth_required(optional=True)
    @blp.arguments(LanguageArgsSchema, location="query")
    @blp.cached("agenda")
    @blp.response(200, EventSessionSchema(many=True))
    @blp.problem(404, NOT_FOUND)
    def get(self, _args, ref):
        """List the event's agenda, in order.

        Each session has its speakers with their role (`host`, `moderator`, `keynote`,
        `speaker`, `panelist`, `presenter`, `closing`) and talk title.
        """
        return events.list_sessions(ref, current_viewer())

    @blp.doc(operationId="createEventSession")
    @blp.auth_required(Role.EDITOR)
    @blp.arguments(EventSessionCreateSchema)
    @blp.response(201, EventSessionSchema, headers=LOCATION_HEADER_DOC)
    @blp.problem(404, "No event has this id or slug.")
    def post(self, data, ref):
        """Add a session to the agenda.

        It goes last unless `position` (from 1) says where. Its times lie within the
        event's. Speakers are `participants: [{speaker_id, role, talk_title}]`.
        """
        session = events.create_session(ref, data)
        return session, 201, {"Location": url_for("events.Sessions", ref=ref)}


@blp.route("/events/<ref>/sessions/<uuid:session_id>")
class SessionById(MethodView):
    @blp.doc(operationId="getEventSession")
    @blp.auth_required(optional=True)
    @blp.arguments(LanguageArgsSchema, location="query")
    @blp.cached("agenda")
    @blp.response(200, EventSessionSchema)
    @blp.problem(404, "No visible event has this id or slug, or it has no session this id.")
    def get(self, _args, ref, session_id):
        """Retrieve one session of the event's agenda."""
        return events.get_session(ref, session_id, current_viewer())

    @blp.doc(operationId="updateEventSession")
    @blp.auth_required(Role.EDITOR)
    @blp.arguments(EventSessionUpdateSchema)
    @blp.response(200, EventSessionSchema)
    @blp.problem(404, "No event has this id or slug, or no session this id.")
    def patch(self, data, ref, session_id):
        """Update a session; only the fields sent change.

        `participants` sent replace the stored ones; a new `position` moves the session
        and the others make room.
        """
        return events.update_session(ref, session_id, data)

    @blp.doc(operationId="deleteEventSession")
    @blp.auth_required(Role.EDITOR)
    @blp.response(204)
    @blp.problem(404, "No event has this id or slug, or no session this id.")
    def delete(self, ref, session_id):
        """Remove a session from the agenda."""
        events.delete_session(ref, session_id)


@blp.route("/events/<ref>/registrations")
class Registrations(MethodView):
    @blp.doc(operationId="listEventRegistrations", responses={200: {"content": {CSV: {
        "schema": {"type": "string", "contentMediaType": CSV}}}}})
    @blp.auth_required(Role.EDITOR)
    @blp.arguments(RegistrationQueryArgsSchema, location="query")
    @blp.paginated(EventRegistrationSchema)
    @blp.problem(404, "No event has this id or slug.")
    def get(self, args, ref):
        """List the event's registrations, oldest first.

        Filter by `status` (`confirmed`, `waitlisted`, `cancelled`) and `mode`. Each row
        has the member (name, email, organisation, country), the mode, the status and, for
        waitlisted ones, their place in the queue. With `Accept: text/csv` the answer is
        every matching row (not one page) as CSV with the same columns, for a
        spreadsheet; cells starting with `=`, `+`, `-`, `@`, a tab or a carriage return
        are prefixed with `'` so that no spreadsheet runs them as formulas.
        """
        if prefers(CSV):
            return Response(events.registrations_csv(ref, args),
                            content_type="text/csv; charset=utf-8",
                            headers={"Content-Disposition": "attachment; "
                                     'filename="registrations.csv"'})
        return events.list_registrations(ref, args)

    @blp.doc(operationId="registerForEvent")
    @blp.auth_required()
    @blp.arguments(RegistrationCreateSchema)
    @blp.response(201, RegistrationSchema, headers=LOCATION_HEADER_DOC)
    @blp.problem(404, NOT_FOUND)
    @blp.problem(409, "You are already registered (`already_registered`), or the event "
                 "takes no registrations now (`registration_closed`: not open yet, closed, "
                 "cancelled or ended).")
    def post(self, data, ref):
        """Register for the event, in person or online.

        While the mode has free places the registration is `confirmed`; when it is full,
        `waitlisted` with its `waitlist_position`: a place freed by a cancellation goes to
        the first in the queue, who is emailed. You get an email either way. Registering
        shares your name, email, organisation and country with the event's editors. After
        cancelling you may register again (at the end of the queue if the mode is full).
        """
        registration = events.register(ref, data, current_member())
        return registration, 201, {
            "Location": url_for("events.MyRegistration", ref=registration.event.slug)}


@blp.route("/events/<ref>/registrations/me")
class MyRegistration(MethodView):
    @blp.doc(operationId="getMyEventRegistration")
    @blp.auth_required()
    @blp.response(200, RegistrationSchema)
    @blp.problem(404, "No visible event has this id or slug, or you never registered.")
    def get(self, ref):
        """Retrieve your registration for the event (a cancelled one too)."""
        return events.get_my_registration(ref, current_member())

    @blp.doc(operationId="cancelEventRegistration")
    @blp.auth_required()
    @blp.response(204)
    @blp.problem(404, "No visible event has this id or slug, or you are not registered.")
    @blp.problem(409, "The event has ended (`registration_closed`).")
    def delete(self, ref):
        """Cancel your registration.

        If it held a place, the first waitlisted registration of the same mode is
        confirmed and its member emailed.
        """
        events.cancel_registration(ref, current_member())


@blp.route("/auth/me/registrations")
class MyRegistrations(MethodView):
    @blp.doc(operationId="listMyEventRegistrations")
    @blp.auth_required()
    @blp.arguments(MyRegistrationQueryArgsSchema, location="query")
    @blp.paginated(RegistrationSchema)
    def get(self, args):
        """List your event registrations, newest first.

        Filter by `status` and `mode`. Each has the event's summary (its `status` says
        whether it was cancelled).
        """
        return events.my_registrations(current_member(), args)


@blp.route("/events.ics")
class EventsCalendar(MethodView):
    @blp.doc(operationId="getEventsCalendar")
    @blp.auth_required(optional=True)
    @blp.arguments(LanguageArgsSchema, location="query")
    @blp.cached("calendar")
    @CALENDAR
    def get(self, _args):
        """Get the calendar of events to subscribe to (iCalendar).

        Published events that end 90 days ago or later, each with its sessions (one
        `VEVENT` apiece). `UID`s never change and `SEQUENCE` grows with every change, so
        subscribed calendars update in place; times carry the event's time zone (`TZID`,
        with its `VTIMEZONE`); streams are `CONFERENCE` links (RFC 7986); a cancelled
        event stays, with `STATUS:CANCELLED`. Clients are asked to refresh hourly
        (`REFRESH-INTERVAL`). Readable from any origin; `ETag` and 304.
        """
        return calendars.events_calendar()


@blp.route("/events/<ref>.ics")
class EventCalendar(MethodView):
    @blp.doc(operationId="getEventCalendar")
    @blp.auth_required(optional=True)
    @blp.arguments(LanguageArgsSchema, location="query")
    @blp.cached("event")
    @CALENDAR
    @blp.problem(404, NOT_FOUND)
    def get(self, _args, ref):
        """Get one event with its sessions as iCalendar, to add to a calendar."""
        return calendars.event_calendar(ref, current_viewer())


@blp.route("/events/<ref>/schedule.xml")
class ScheduleXml(MethodView):
    @blp.doc(operationId="getEventScheduleXml")
    @blp.auth_required(optional=True)
    @blp.arguments(LanguageArgsSchema, location="query")
    @blp.cached("event")
    @blp.response(200, {"type": "string", "contentMediaType": "application/xml"},
                  content_type="application/xml", description="A frab schedule XML document.")
    @blp.problem(404, NOT_FOUND)
    def get(self, _args, ref):
        """Get the agenda as a frab schedule (XML), for conference apps.

        Days and rooms where the event is held; each session is an `event` with a numeric
        `id` unique within the event and its UUID as `guid`, its speakers as `persons`
        and its stream as a link.
        """
        return calendars.schedule_xml(ref, current_viewer())


@blp.route("/events/<ref>/schedule.json")
class ScheduleJson(MethodView):
    @blp.doc(operationId="getEventScheduleJson")
    @blp.auth_required(optional=True)
    @blp.arguments(LanguageArgsSchema, location="query")
    @blp.cached("event")
    @blp.response(200, {"type": "object"}, description="A frab schedule JSON document.")
    @blp.problem(404, NOT_FOUND)
    def get(self, _args, ref):
        """Get the agenda as a frab schedule (JSON), for conference apps.

        The same content as `schedule.xml`, in the JSON form of the c3voc schedule tools:
        `schedule.conference.days[].rooms[room][]`.
        """
        return calendars.schedule_json(ref, current_viewer())
