"""Speaker schemas: the item (with appearances on the single view), its bodies and list args."""

import marshmallow as ma
from marshmallow import validate

from api.models import EventStatus, NewsStatus, SessionType, SpeakerRole
from api.pagination import ListArgsSchema
from api.schemas.base import BaseSchema, CountryCode, LanguageTag, Slug, Timestamp, WebURL, text
from api.schemas.park import ParkSummarySchema
from api.translations import LanguageArgsSchema, Translated, TranslatedSchema, Translations

ROLES = [role.value for role in SpeakerRole]
STATUSES = [status.value for status in NewsStatus]  # of news items (the appearances)
EVENT_STATUSES = [status.value for status in EventStatus]


SPEAKER_TRANSLATIONS = Translations(
    "Speaker", name=text(200, min_length=1, allow_none=True), job_title=text(300, allow_none=True),
    organization=text(300, allow_none=True), bio=text(20000, allow_none=True))


class SpeakerSummarySchema(ma.Schema):
    """How other resources show a speaker."""

    id = ma.fields.UUID(dump_only=True, required=True)
    slug = ma.fields.String(dump_only=True, required=True)
    name = Translated(dump_only=True, required=True)
    honorific = ma.fields.String(dump_only=True, required=True, allow_none=True)
    job_title = Translated(dump_only=True, required=True, allow_none=True)
    organization = Translated(dump_only=True, required=True, allow_none=True)
    country = ma.fields.String(dump_only=True, required=True, allow_none=True)


class SpeakerSchema(TranslatedSchema, SpeakerSummarySchema):
    bio = Translated(dump_only=True, required=True, allow_none=True)
    photo_url = ma.fields.String(dump_only=True, required=True, allow_none=True)
    park = ma.fields.Nested(ParkSummarySchema, dump_only=True, required=True, allow_none=True)
    translations = SPEAKER_TRANSLATIONS.read_field()
    created_at = Timestamp(dump_only=True, required=True)
    updated_at = Timestamp(dump_only=True, required=True)


class AppearanceSessionSchema(ma.Schema):
    """The session of an event the speaker takes part in."""

    id = ma.fields.UUID(required=True)
    title = Translated(required=True)
    type = ma.fields.String(required=True, metadata={"enum": [t.value for t in SessionType]})
    starts_at = Timestamp(required=True)
    ends_at = Timestamp(required=True)


class AppearanceSchema(ma.Schema):
    """A news item the speaker appears in, or an event with a session they take part in;
    with their role and talk."""

    type = ma.fields.String(dump_only=True, required=True, metadata={"enum": ["news", "event"]})
    id = ma.fields.UUID(dump_only=True, required=True, attribute="item.id")
    slug = ma.fields.String(dump_only=True, required=True, attribute="item.slug")
    title = Translated(dump_only=True, required=True, attribute="item.title")
    published_at = Timestamp(dump_only=True, required=True, allow_none=True,
                             attribute="item.published_at", metadata={
                                 "description": "For a news item: its publication."})
    status = ma.fields.String(dump_only=True, required=True, attribute="item.status",
                              metadata={"enum": sorted(set(STATUSES) | set(EVENT_STATUSES))})
    role = ma.fields.String(dump_only=True, required=True, metadata={
        "enum": sorted(set(ROLES) | {"moderator", "closing"})})
    talk_title = ma.fields.String(dump_only=True, required=True, allow_none=True)
    session = ma.fields.Nested(AppearanceSessionSchema, dump_only=True, required=True,
                               allow_none=True,
                               metadata={"description": "For an event: the session."})


class SpeakerDetailSchema(SpeakerSchema):
    appearances = ma.fields.List(ma.fields.Nested(AppearanceSchema), dump_only=True,
                                 required=True, metadata={
        "description": "News the speaker appears in and events with sessions they take "
                       "part in, newest first (by publication, or by the session's start); "
                       "drafts only for editors."})


class SpeakerUpdateSchema(BaseSchema):
    """Fields an editor may change; all optional."""

    name = text(200, min_length=1)
    slug = Slug()
    honorific = text(40, allow_none=True)
    job_title = text(300, allow_none=True)
    organization = text(300, allow_none=True)
    country = CountryCode(allow_none=True)
    bio = text(20000, allow_none=True)
    photo_url = WebURL(allow_none=True, validate=validate.Length(max=2048))
    park_id = ma.fields.UUID(allow_none=True)
    default_language = LanguageTag()
    translations = SPEAKER_TRANSLATIONS.write_field()


class SpeakerCreateSchema(SpeakerUpdateSchema):
    name = text(200, min_length=1, required=True)


class SpeakerQueryArgsSchema(ListArgsSchema, LanguageArgsSchema):
    SORT_FIELDS = ("name", "created_at")
    DEFAULT_SORT = "name"

    q = ma.fields.String(validate=validate.Length(min=1, max=200),
                         metadata={"description": "Words to look for (full-text search)."})
    country = CountryCode()
    organization = ma.fields.String(validate=validate.Length(min=1, max=300), metadata={
        "description": "Organisation, exact but case-insensitive."})
    park = ma.fields.String(validate=validate.Length(min=1, max=220),
                            metadata={"description": "A park's id or slug."})
