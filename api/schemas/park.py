"""Park schemas: the item, its create/update bodies and the list's query arguments."""

from datetime import UTC, datetime

import marshmallow as ma
from marshmallow import validate

from api.pagination import ListArgsSchema
from api.schemas.base import (
    BaseSchema,
    CountryCode,
    Label,
    LanguageTag,
    Slug,
    Timestamp,
    WebURL,
    text,
)
from api.translations import LanguageArgsSchema, Translated, TranslatedSchema, Translations

FOUNDED_YEAR_RANGE = validate.Range(min=1800, max=datetime.now(UTC).year + 1)


class LocationSchema(BaseSchema):
    lat = ma.fields.Float(required=True, validate=validate.Range(min=-90, max=90),
                          allow_nan=False)
    lon = ma.fields.Float(required=True, validate=validate.Range(min=-180, max=180),
                          allow_nan=False)


PARK_TRANSLATIONS = Translations(
    "Park", name=text(200, min_length=1, allow_none=True), city=text(120, allow_none=True),
    description=text(20000, allow_none=True))


class ParkSummarySchema(ma.Schema):
    """How other resources show a park."""

    id = ma.fields.UUID(dump_only=True, required=True)
    slug = ma.fields.String(dump_only=True, required=True)
    name = Translated(dump_only=True, required=True)
    country = ma.fields.String(dump_only=True, required=True)


class ParkSchema(TranslatedSchema, ParkSummarySchema):
    city = Translated(dump_only=True, required=True, allow_none=True)
    website = ma.fields.String(dump_only=True, required=True, allow_none=True)
    description = Translated(dump_only=True, required=True, allow_none=True)
    founded_year = ma.fields.Integer(dump_only=True, required=True, allow_none=True)
    focus_industries = ma.fields.List(ma.fields.String(), dump_only=True, required=True)
    logo_url = ma.fields.String(dump_only=True, required=True, allow_none=True)
    location = ma.fields.Nested(LocationSchema, dump_only=True, required=True, allow_none=True)
    is_member = ma.fields.Boolean(dump_only=True, required=True)
    member_since = ma.fields.Date(dump_only=True, required=True, allow_none=True)
    translations = PARK_TRANSLATIONS.read_field()
    created_at = Timestamp(dump_only=True, required=True)
    updated_at = Timestamp(dump_only=True, required=True)


class Industry(Label):
    """An industry label, stored lower-case so that filters match however it was typed."""


class ParkUpdateSchema(BaseSchema):
    """Fields an editor may change; all optional."""

    name = text(200, min_length=1)
    slug = Slug()
    country = CountryCode()
    city = text(120, allow_none=True)
    website = WebURL(allow_none=True, validate=validate.Length(max=2048))
    description = text(20000, allow_none=True)
    founded_year = ma.fields.Integer(allow_none=True, validate=FOUNDED_YEAR_RANGE)
    focus_industries = ma.fields.List(Industry(validate=validate.Length(min=1, max=80)),
                                      validate=validate.Length(max=30))
    logo_url = WebURL(allow_none=True, validate=validate.Length(max=2048))
    location = ma.fields.Nested(LocationSchema, allow_none=True)
    is_member = ma.fields.Boolean()
    member_since = ma.fields.Date(allow_none=True)
    default_language = LanguageTag()
    translations = PARK_TRANSLATIONS.write_field()


class ParkCreateSchema(ParkUpdateSchema):
    name = text(200, min_length=1, required=True)
    country = CountryCode(required=True)


class ParkQueryArgsSchema(ListArgsSchema, LanguageArgsSchema):
    SORT_FIELDS = ("name", "founded_year", "created_at")
    DEFAULT_SORT = "name"

    q = ma.fields.String(validate=validate.Length(min=1, max=200),
                         metadata={"description": "Words to look for (full-text search of "
                                   "name, city, description and industries)."})
    country = CountryCode()
    industry = Industry(metadata={"description": "A focus industry, case-insensitive."})
    is_member = ma.fields.Boolean()
