"""Event schemas: the event and its agenda, their write bodies, registrations and list args."""

import zoneinfo

import marshmallow as ma
from marshmallow import validate

from api.models import (
    AttendanceMode,
    EventMode,
    EventStatus,
    ParticipantRole,
    RegistrationStatus,
    SessionType,
)
from api.pagination import ListArgsSchema
from api.schemas.base import (
    BaseSchema,
    CountryCode,
    LanguageTag,
    QueryArgsSchema,
    Slug,
    Timestamp,
    WebURL,
    text,
)
from api.schemas.member import MemberSummarySchema
from api.schemas.news import MAX_BODY, ImageSchema, NewsSummarySchema
from api.schemas.park import LocationSchema, ParkSummarySchema
from api.schemas.report import ReportSummarySchema
from api.schemas.speaker import SpeakerSummarySchema
from api.translations import LanguageArgsSchema, Translated, TranslatedSchema, Translations

ORGANIZER_ROLES = ["host", "co_host", "partner", "sponsor"]
MAX_CAPACITY = 1_000_000


def choice(enum_class, **kwargs):
    """An enum field, by value (`in_person`, not `IN_PERSON`)."""
    return ma.fields.Enum(enum_class, by_value=True, **kwargs)


class TimeZoneName(ma.fields.String):
    """An IANA time zone name such as `Asia/Shanghai`."""

    default_error_messages = {"invalid_zone": "Not an IANA time zone name (e.g. Europe/Lisbon)."}

    def __init__(self, **kwargs):
        super().__init__(metadata={"example": "Asia/Shanghai"} | kwargs.pop("metadata", {}),
                         **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        name = super()._deserialize(value, attr, data, **kwargs)
        if name not in zoneinfo.available_timezones():
            raise self.make_error("invalid_zone")
        return name


def count(**kwargs):
    """A non-negative integer, or null for unknown (stats) or unlimited (capacity)."""
    return ma.fields.Integer(allow_none=True, validate=validate.Range(min=0, max=MAX_CAPACITY),
                             strict=True, **kwargs)


# Nested objects, read and written alike (writes merge them key by key, see the services).


class VenueSchema(BaseSchema):
    name = text(300, allow_none=True)
    address = text(500, allow_none=True)
    city = text(120, allow_none=True)
    country = CountryCode(allow_none=True)
    location = ma.fields.Nested(LocationSchema, allow_none=True)


class StreamSchema(BaseSchema):
    platform = text(100, min_length=1, required=True,
                    metadata={"description": "The broadcast platform's name."})
    url = WebURL(required=True, validate=validate.Length(max=2048))
    language = LanguageTag(allow_none=True, load_default=None)


class OrganizerSchema(BaseSchema):
    name = text(300, min_length=1, required=True)
    role = ma.fields.String(load_default="host", validate=validate.OneOf(ORGANIZER_ROLES),
                            metadata={"enum": ORGANIZER_ROLES})
    url = WebURL(allow_none=True, load_default=None, validate=validate.Length(max=2048))


class StatsSchema(BaseSchema):
    participants = count(metadata={"description": "People who attended (in person)."})
    countries = count(metadata={"description": "Countries they came from."})
    online_viewers = count()


class CapacitySchema(BaseSchema):
    in_person = count(metadata={"description": "Seats for in-person attendance; null: no "
                                "limit."})
    online = count(metadata={"description": "Places for online attendance; null: no limit."})


class RegistrationWindowSchema(BaseSchema):
    opens_at = Timestamp(allow_none=True, metadata={"description": "Null: open once "
                                                    "published."})
    closes_at = Timestamp(allow_none=True, metadata={"description": "Null: open until the "
                                                     "event ends."})


class RegistrationStateSchema(RegistrationWindowSchema):
    open = ma.fields.Boolean(required=True, metadata={
        "description": "Whether members can register now: published, not cancelled, within "
                       "the window and before the end."})


# Reads


class EventSummarySchema(ma.Schema):
    """How other resources show an event."""

    id = ma.fields.UUID(required=True)
    slug = ma.fields.String(required=True)
    title = Translated(required=True)
    status = choice(EventStatus, required=True)
    starts_at = Timestamp(required=True)
    ends_at = Timestamp(required=True)
    timezone = ma.fields.String(required=True)
    mode = choice(EventMode, required=True)


class ParticipantSchema(ma.Schema):
    speaker = ma.fields.Nested(SpeakerSummarySchema, required=True)
    role = choice(ParticipantRole, required=True)
    talk_title = ma.fields.String(required=True, allow_none=True)


SESSION_TRANSLATIONS = Translations(
    "Session", title=text(300, min_length=1, allow_none=True),
    description=text(20000, allow_none=True))
EVENT_TRANSLATIONS = Translations(
    "Event", title=text(300, min_length=1, allow_none=True),
    theme=text(500, allow_none=True), summary=text(2000, allow_none=True),
    body=ma.fields.String(allow_none=True, validate=validate.Length(max=MAX_BODY)))


class EventSessionSchema(TranslatedSchema):
    id = ma.fields.UUID(required=True)
    type = choice(SessionType, required=True)
    title = Translated(required=True)
    description = Translated(required=True, allow_none=True)
    starts_at = Timestamp(required=True)
    ends_at = Timestamp(required=True)
    room = ma.fields.String(required=True, allow_none=True)
    stream_url = ma.fields.String(required=True, allow_none=True)
    position = ma.fields.Integer(required=True, metadata={"description": "Place in the "
                                                          "agenda, from 1."})
    number = ma.fields.Integer(required=True, metadata={
        "description": "A positive number unique within the event (the frab schedule's "
                       "`id`, for conference apps)."})
    participants = ma.fields.List(ma.fields.Nested(ParticipantSchema), required=True)
    translations = SESSION_TRANSLATIONS.read_field()
    created_at = Timestamp(required=True)
    updated_at = Timestamp(required=True)


class EventSchema(TranslatedSchema, EventSummarySchema):
    theme = Translated(required=True, allow_none=True)
    summary = Translated(required=True)
    body = Translated(required=True, metadata={"description": "Sanitised HTML."})
    venue = ma.fields.Nested(VenueSchema, required=True, allow_none=True)
    streams = ma.fields.List(ma.fields.Nested(StreamSchema), required=True)
    organizers = ma.fields.List(ma.fields.Nested(OrganizerSchema), required=True)
    stats = ma.fields.Nested(StatsSchema, required=True)
    capacity = ma.fields.Nested(CapacitySchema, required=True)
    registration = ma.fields.Nested(RegistrationStateSchema, required=True)
    cover_image = ma.fields.Nested(ImageSchema, required=True, allow_none=True)
    parks = ma.fields.List(ma.fields.Nested(ParkSummarySchema), required=True)
    news = ma.fields.List(ma.fields.Nested(NewsSummarySchema), required=True, metadata={
        "description": "News about the event (published ones only, unless the caller is an "
                       "editor)."})
    reports = ma.fields.List(ma.fields.Nested(ReportSummarySchema), required=True, metadata={
        "description": "Reports released at the event (published ones only, unless the "
                       "caller is an editor)."})
    sequence = ma.fields.Integer(required=True, metadata={
        "description": "Grows with every change to the event or its sessions (the "
                       "iCalendar `SEQUENCE`)."})
    translations = EVENT_TRANSLATIONS.read_field()
    created_at = Timestamp(required=True)
    updated_at = Timestamp(required=True)


class EventDetailSchema(EventSchema):
    sessions = ma.fields.List(ma.fields.Nested(EventSessionSchema), required=True,
                              metadata={"description": "The agenda, in order."})


class RegistrationSchema(ma.Schema):
    id = ma.fields.UUID(required=True)
    event = ma.fields.Nested(EventSummarySchema, required=True)
    mode = choice(AttendanceMode, required=True)
    status = choice(RegistrationStatus, required=True)
    waitlist_position = ma.fields.Integer(required=True, allow_none=True, metadata={
        "description": "For a waitlisted registration, its place in the queue of its mode "
                       "(1 is next); else null."})
    created_at = Timestamp(required=True, metadata={"description": "When the member "
                                                    "registered (the waiting list's order)."})
    confirmed_at = Timestamp(required=True, allow_none=True)
    cancelled_at = Timestamp(required=True, allow_none=True)


class RegistrantSchema(MemberSummarySchema):
    """The registered member, as editors see them."""

    email = ma.fields.Email(required=True, metadata={
        "description": "Registering shares it with the event's editors."})
    organization = ma.fields.String(required=True, allow_none=True)
    country = ma.fields.String(required=True, allow_none=True)


class EventRegistrationSchema(RegistrationSchema):
    """A registration as the event's editors list it: with the member."""

    class Meta:
        exclude = ("event",)

    member = ma.fields.Nested(RegistrantSchema, required=True)


# Writes


class ParticipantInputSchema(BaseSchema):
    speaker_id = ma.fields.UUID(required=True)
    role = choice(ParticipantRole, load_default=ParticipantRole.SPEAKER)
    talk_title = text(300, allow_none=True, load_default=None)


class EventSessionUpdateSchema(BaseSchema):
    """Fields an editor may change; all optional. `participants` given replace the stored."""

    type = choice(SessionType)
    title = text(300, min_length=1)
    description = text(20000, allow_none=True)
    starts_at = Timestamp(metadata={"description": "Within the event's time."})
    ends_at = Timestamp(metadata={"description": "After `starts_at`, within the event's time."})
    room = text(200, allow_none=True)
    stream_url = WebURL(allow_none=True, validate=validate.Length(max=2048))
    position = ma.fields.Integer(validate=validate.Range(min=1), strict=True, metadata={
        "description": "Place in the agenda, from 1: the session moves there and the others "
                       "make room. Past the end: last."})
    participants = ma.fields.List(ma.fields.Nested(ParticipantInputSchema),
                                  validate=validate.Length(max=100))
    default_language = LanguageTag()
    translations = SESSION_TRANSLATIONS.write_field()


class EventSessionCreateSchema(EventSessionUpdateSchema):
    type = choice(SessionType, required=True)
    title = text(300, min_length=1, required=True)
    starts_at = Timestamp(required=True, metadata={"description": "Within the event's time."})
    ends_at = Timestamp(required=True, metadata={"description": "After `starts_at`, within "
                                                 "the event's time."})


class EventUpdateSchema(BaseSchema):
    """Fields an editor may change; all optional. Lists given replace the stored ones;
    objects (`venue`, `stats`, `capacity`, `registration`) merge: the keys sent change."""

    title = text(300, min_length=1)
    slug = Slug()
    theme = text(500, allow_none=True)
    summary = text(2000, allow_none=True, metadata={
        "description": "Derived from the body's first words when missing or null."})
    body = ma.fields.String(validate=validate.Length(max=MAX_BODY), metadata={
        "description": "HTML; sanitised (scripts, event handlers and `javascript:` URLs are "
                       "removed)."})
    status = choice(EventStatus, metadata={
        "description": "`cancelled` only for an event that was published; its registrants "
                       "are emailed."})
    starts_at = Timestamp()
    ends_at = Timestamp(metadata={"description": "After `starts_at`."})
    timezone = TimeZoneName(metadata={"description": "Where the event is held (IANA name): "
                                      "calendars show its times there."})
    mode = choice(EventMode)
    venue = ma.fields.Nested(VenueSchema, allow_none=True)
    streams = ma.fields.List(ma.fields.Nested(StreamSchema), validate=validate.Length(max=20))
    organizers = ma.fields.List(ma.fields.Nested(OrganizerSchema),
                                validate=validate.Length(max=50))
    stats = ma.fields.Nested(StatsSchema)
    capacity = ma.fields.Nested(CapacitySchema)
    registration = ma.fields.Nested(RegistrationWindowSchema)
    cover_image = ma.fields.Nested(ImageSchema, allow_none=True)
    park_ids = ma.fields.List(ma.fields.UUID(), validate=validate.Length(max=100))
    news_ids = ma.fields.List(ma.fields.UUID(), validate=validate.Length(max=100),
                              metadata={"description": "News about the event, by id."})
    report_ids = ma.fields.List(ma.fields.UUID(), validate=validate.Length(max=100),
                                metadata={"description": "Reports released at the event."})
    default_language = LanguageTag()
    translations = EVENT_TRANSLATIONS.write_field()


class EventCreateSchema(EventUpdateSchema):
    title = text(300, min_length=1, required=True)
    starts_at = Timestamp(required=True)
    ends_at = Timestamp(required=True, metadata={"description": "After `starts_at`."})
    timezone = TimeZoneName(required=True, metadata={
        "description": "Where the event is held (IANA name): calendars show its times there."})


class RegistrationCreateSchema(BaseSchema):
    mode = choice(AttendanceMode, required=True,
                  metadata={"description": "How you attend; a hybrid event offers both."})


# Query arguments


class Flag(ma.fields.Boolean):
    """A query flag: `true`/`false` (also `1`/`0`, `yes`/`no`)."""


class EventQueryArgsSchema(ListArgsSchema, LanguageArgsSchema):
    SORT_FIELDS = ("starts_at", "title")
    DEFAULT_SORT = "-starts_at"

    q = ma.fields.String(validate=validate.Length(min=1, max=200),
                         metadata={"description": "Words to look for (full-text search)."})
    upcoming = Flag(metadata={"description": "`true`: only events that have not ended (and "
                              "then sorted by `starts_at` unless `sort` says otherwise); "
                              "`false`: only those that have."})
    from_ = ma.fields.Date(data_key="from", metadata={
        "description": "Starting on or after this date (`YYYY-MM-DD`, where it is held)."})
    to = ma.fields.Date(metadata={"description": "Starting on or before this date."})
    country = CountryCode(metadata={"description": "Country of the venue."})
    park = ma.fields.String(validate=validate.Length(min=1, max=220),
                            metadata={"description": "A linked park's id or slug."})
    speaker = ma.fields.String(validate=validate.Length(min=1, max=220), metadata={
        "description": "A speaker's id or slug: events with a session they take part in."})
    mode = choice(EventMode, metadata={
        "description": "`in_person` or `online`: events one can attend that way (hybrid "
                       "ones included); `hybrid`: hybrid events only."})
    status = choice(EventStatus, metadata={
        "description": "`draft` needs the `editor` role; without it everyone sees published "
                       "and cancelled events, editors every status."})

    @ma.pre_load
    def upcoming_sorts_soonest_first(self, data, **_kwargs):
        flag = str(data.get("upcoming", "")).lower()
        if "sort" not in data and flag in Flag.truthy:
            data = {key: data[key] for key in data} | {"sort": "starts_at"}
        return data


class RegistrationFiltersSchema(QueryArgsSchema):
    status = choice(RegistrationStatus)
    mode = choice(AttendanceMode)


# Each derives from ListArgsSchema itself: a subclass of a list schema cannot change the
# default `sort` (ListArgsSchema.__init_subclass__ writes it into the inherited fields).
class RegistrationQueryArgsSchema(ListArgsSchema, RegistrationFiltersSchema):
    SORT_FIELDS = ("created_at",)
    DEFAULT_SORT = "created_at"


class MyRegistrationQueryArgsSchema(ListArgsSchema, RegistrationFiltersSchema,
                                    LanguageArgsSchema):
    SORT_FIELDS = ("created_at",)
    DEFAULT_SORT = "-created_at"
