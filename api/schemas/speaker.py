"""Speaker schemas: the item (with appearances on the single view), its bodies and list args."""

import marshmallow as ma
from marshmallow import validate

from api.models import NewsStatus, SpeakerRole
from api.pagination import ListArgsSchema
from api.schemas.base import BaseSchema, CountryCode, LanguageTag, Slug, Timestamp, WebURL, text
from api.schemas.park import ParkSummarySchema
from api.translations import LanguageArgsSchema, Translated, TranslatedSchema, Translations

ROLES = [role.value for role in SpeakerRole]
STATUSES = [status.value for status in NewsStatus]  # of news items (the appearances)


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


class AppearanceSchema(ma.Schema):
    """A news item the speaker took part in, with their role and talk."""

    id = ma.fields.UUID(dump_only=True, required=True, attribute="news.id")
    slug = ma.fields.String(dump_only=True, required=True, attribute="news.slug")
    title = Translated(dump_only=True, required=True, attribute="news.title")
    published_at = Timestamp(dump_only=True, required=True, allow_none=True,
                             attribute="news.published_at")
    status = ma.fields.String(dump_only=True, required=True, attribute="news.status",
                              metadata={"enum": STATUSES})
    role = ma.fields.String(dump_only=True, required=True, metadata={"enum": ROLES})
    talk_title = ma.fields.String(dump_only=True, required=True, allow_none=True)


class SpeakerDetailSchema(SpeakerSchema):
    appearances = ma.fields.List(ma.fields.Nested(AppearanceSchema), dump_only=True,
                                 required=True, metadata={
        "description": "News the speaker appears in, newest first (published ones only, "
                       "unless the caller is an editor)."})


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
