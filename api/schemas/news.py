"""News schemas: the item, its create/update bodies and the list's query arguments."""

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
from api.schemas.member import MemberSummarySchema
from api.schemas.park import ParkSummarySchema
from api.schemas.report import ReportSummarySchema
from api.schemas.speaker import ROLES, STATUSES, SpeakerSummarySchema
from api.translations import LanguageArgsSchema, Translated, TranslatedSchema, Translations

MAX_BODY = 200_000


class ImageSchema(BaseSchema):
    url = WebURL(required=True, validate=validate.Length(max=2048))
    caption = text(500, allow_none=True, load_default=None)


NEWS_TRANSLATIONS = Translations(
    "News", title=text(300, min_length=1, allow_none=True), summary=text(2000, allow_none=True),
    body=ma.fields.String(allow_none=True, validate=validate.Length(max=MAX_BODY)))


class NewsSpeakerSchema(ma.Schema):
    speaker = ma.fields.Nested(SpeakerSummarySchema, dump_only=True, required=True)
    role = ma.fields.String(dump_only=True, required=True, metadata={"enum": ROLES})
    talk_title = ma.fields.String(dump_only=True, required=True, allow_none=True)


class NewsSpeakerInputSchema(BaseSchema):
    speaker_id = ma.fields.UUID(required=True)
    role = ma.fields.String(load_default="speaker", validate=validate.OneOf(ROLES))
    talk_title = text(300, allow_none=True, load_default=None)


class NewsSummarySchema(ma.Schema):
    """How other resources show a news item."""

    id = ma.fields.UUID(dump_only=True, required=True)
    slug = ma.fields.String(dump_only=True, required=True)
    title = Translated(dump_only=True, required=True)
    summary = Translated(dump_only=True, required=True)
    published_at = Timestamp(dump_only=True, required=True, allow_none=True)
    status = ma.fields.String(dump_only=True, required=True, metadata={"enum": STATUSES})


def _event_summary():
    # Events show news summaries, so the event schemas import this module.
    from api.schemas.event import EventSummarySchema

    return EventSummarySchema()


class NewsSchema(TranslatedSchema, NewsSummarySchema):
    body = Translated(dump_only=True, required=True, metadata={"description": "Sanitised HTML."})
    cover_image = ma.fields.Nested(ImageSchema, dump_only=True, required=True, allow_none=True)
    images = ma.fields.List(ma.fields.Nested(ImageSchema), dump_only=True, required=True)
    tags = ma.fields.List(ma.fields.String(), dump_only=True, required=True)
    parks = ma.fields.List(ma.fields.Nested(ParkSummarySchema), dump_only=True, required=True)
    speakers = ma.fields.List(ma.fields.Nested(NewsSpeakerSchema), dump_only=True,
                              required=True, attribute="speaker_links")
    reports = ma.fields.List(
        ma.fields.Nested(ReportSummarySchema), dump_only=True, required=True,
        metadata={"description": "Reports the item is about (published ones only, unless "
                                 "the caller is an editor)."})
    author = ma.fields.Nested(MemberSummarySchema, dump_only=True, required=True,
                              allow_none=True)
    events = ma.fields.List(ma.fields.Nested(_event_summary), dump_only=True, required=True,
                            metadata={"description": "Events the item is about (drafts only "
                                      "for editors)."})
    translations = NEWS_TRANSLATIONS.read_field()
    created_at = Timestamp(dump_only=True, required=True)
    updated_at = Timestamp(dump_only=True, required=True)


class NewsUpdateSchema(BaseSchema):
    """Fields an editor may change; all optional. Lists given replace the stored ones."""

    title = text(300, min_length=1)
    slug = Slug()
    summary = text(2000, allow_none=True, metadata={
        "description": "Derived from the body's first words when missing or null."})
    body = ma.fields.String(validate=validate.Length(max=MAX_BODY), metadata={
        "description": "HTML; sanitised (scripts, event handlers and `javascript:` URLs are "
                       "removed)."})
    status = ma.fields.String(validate=validate.OneOf(STATUSES))
    published_at = Timestamp(allow_none=True, metadata={
        "description": "A future time keeps a published item hidden until then. Set to now "
                       "when publishing without one."})
    cover_image = ma.fields.Nested(ImageSchema, allow_none=True)
    images = ma.fields.List(ma.fields.Nested(ImageSchema), validate=validate.Length(max=50))
    tags = ma.fields.List(Label(validate=validate.Length(min=1, max=80)),
                          validate=validate.Length(max=30))
    park_ids = ma.fields.List(ma.fields.UUID(), validate=validate.Length(max=100))
    report_ids = ma.fields.List(ma.fields.UUID(), validate=validate.Length(max=100), metadata={
        "description": "Reports the item is about, by id."})
    speakers = ma.fields.List(ma.fields.Nested(NewsSpeakerInputSchema),
                              validate=validate.Length(max=100))
    default_language = LanguageTag()
    translations = NEWS_TRANSLATIONS.write_field()


class NewsCreateSchema(NewsUpdateSchema):
    title = text(300, min_length=1, required=True)
    body = ma.fields.String(required=True, validate=validate.Length(max=MAX_BODY),
                            metadata={"description": "HTML; sanitised on write."})


class NewsQueryArgsSchema(ListArgsSchema, LanguageArgsSchema):
    SORT_FIELDS = ("published_at", "title")
    DEFAULT_SORT = "-published_at"

    q = ma.fields.String(validate=validate.Length(min=1, max=200),
                         metadata={"description": "Words to look for (full-text search)."})
    tag = Label(validate=validate.Length(min=1, max=80))
    park = ma.fields.String(validate=validate.Length(min=1, max=220),
                            metadata={"description": "A park's id or slug."})
    speaker = ma.fields.String(validate=validate.Length(min=1, max=220),
                               metadata={"description": "A speaker's id or slug."})
    report = ma.fields.String(validate=validate.Length(min=1, max=220),
                              metadata={"description": "A linked report's id or slug."})
    country = CountryCode(metadata={"description": "Country of a linked park."})
    from_ = ma.fields.Date(data_key="from", metadata={
        "description": "Published on or after this date (`YYYY-MM-DD`)."})
    to = ma.fields.Date(metadata={"description": "Published on or before this date."})
    status = ma.fields.String(validate=validate.OneOf(STATUSES), metadata={
        "description": "Editors only; without it editors see every status."})


class ParkNewsQueryArgsSchema(NewsQueryArgsSchema):
    """The news list of one park: every filter of `/news` but `park`."""

    class Meta:
        exclude = ("park",)
