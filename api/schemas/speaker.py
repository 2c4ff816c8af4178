"""Speaker schemas: the item (with appearances on the single view), its bodies and list args."""

import marshmallow as ma
from marshmallow import validate

from api.pagination import ListArgsSchema
from api.schemas.base import BaseSchema, CountryCode, LanguageTag, Slug, Timestamp, WebURL, text
from api.schemas.park import ParkSummarySchema
from api.translations import (
    LanguageArgsSchema,
    Translated,
    TranslatedSchema,
    choose_language,
    translations_field,
)

ROLES = ["host", "keynote", "speaker", "panelist", "presenter"]


class SpeakerSummarySchema(ma.Schema):
    """How other resources show a speaker."""

    id = ma.fields.UUID(dump_only=True)
    slug = ma.fields.String(dump_only=True)
    name = Translated(dump_only=True)
    honorific = ma.fields.String(dump_only=True, allow_none=True)
    job_title = Translated(dump_only=True, allow_none=True)
    organization = Translated(dump_only=True, allow_none=True)
    country = ma.fields.String(dump_only=True, allow_none=True)


class SpeakerSchema(TranslatedSchema, SpeakerSummarySchema):
    bio = Translated(dump_only=True, allow_none=True)
    photo_url = ma.fields.String(dump_only=True, allow_none=True)
    park = ma.fields.Nested(ParkSummarySchema, dump_only=True, allow_none=True)
    created_at = Timestamp(dump_only=True)
    updated_at = Timestamp(dump_only=True)


class AppearanceSessionSchema(ma.Schema):
    """The session of an event the speaker takes part in."""

    id = ma.fields.UUID(required=True)
    title = Translated(required=True)
    type = ma.fields.String(required=True)
    starts_at = Timestamp(required=True)
    ends_at = Timestamp(required=True)


class AppearanceSchema(ma.Schema):
    """A news item the speaker appears in, or an event with a session they take part in;
    with their role and talk."""

    type = ma.fields.String(dump_only=True, metadata={"enum": ["news", "event"]})
    id = ma.fields.UUID(dump_only=True, attribute="item.id")
    slug = ma.fields.String(dump_only=True, attribute="item.slug")
    title = ma.fields.Function(
        lambda part: part.item.translated("title", choose_language(part.item)), dump_only=True)
    published_at = Timestamp(dump_only=True, allow_none=True, attribute="item.published_at")
    status = ma.fields.String(dump_only=True, attribute="item.status")
    role = ma.fields.String(dump_only=True, metadata={
        "enum": sorted(set(ROLES) | {"moderator", "closing"})})
    talk_title = ma.fields.String(dump_only=True, allow_none=True)
    session = ma.fields.Nested(AppearanceSessionSchema, dump_only=True, allow_none=True,
                               metadata={"description": "For an event: the session."})


class SpeakerDetailSchema(SpeakerSchema):
    appearances = ma.fields.List(ma.fields.Nested(AppearanceSchema), dump_only=True, metadata={
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
    translations = translations_field("Speaker", name=text(200, min_length=1, allow_none=True),
                                      job_title=text(300, allow_none=True),
                                      organization=text(300, allow_none=True),
                                      bio=text(20000, allow_none=True))


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
