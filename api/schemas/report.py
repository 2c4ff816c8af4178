"""Report schemas: the item, its multipart create form, JSON update, file and downloads."""

from datetime import UTC, datetime

import marshmallow as ma
from flask_smorest.fields import Upload
from marshmallow import validate

from api.models import Access
from api.pagination import ListArgsSchema
from api.schemas.base import BaseSchema, LanguageTag, Slug, Timestamp, WebURL, text
from api.schemas.member import MemberSummarySchema
from api.schemas.park import ParkSummarySchema
from api.translations import LanguageArgsSchema, Translated, TranslatedSchema, Translations

YEAR_RANGE = validate.Range(min=1900, max=datetime.now(UTC).year + 1)
ACCESS_VALUES = [access.value for access in Access]


class IdList(ma.fields.List):
    """UUIDs as a list; in forms as repeated fields or one comma-separated field (or both)."""

    def __init__(self, **kwargs):
        super().__init__(ma.fields.UUID(), validate=validate.Length(max=100), **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, str):
            value = [value]
        if isinstance(value, list | tuple) and all(isinstance(item, str) for item in value):
            value = [part.strip() for item in value for part in item.split(",") if part.strip()]
        return super()._deserialize(value, attr, data, **kwargs)


REPORT_TRANSLATIONS = Translations(
    "Report", title=text(300, min_length=1, allow_none=True), summary=text(20000, allow_none=True))


class ReportFileSchema(ma.Schema):
    name = ma.fields.String(required=True, metadata={"example": "report-2021.pdf"})
    size = ma.fields.Integer(required=True, metadata={"description": "Bytes."})
    content_type = ma.fields.String(required=True, metadata={"example": "application/pdf"})
    sha256 = ma.fields.String(required=True, metadata={
        "description": "Hex SHA-256 of the file; also its ETag."})


class ReportSummarySchema(ma.Schema):
    """How other resources show a report."""

    id = ma.fields.UUID(dump_only=True, required=True)
    slug = ma.fields.String(dump_only=True, required=True)
    title = Translated(dump_only=True, required=True)
    year = ma.fields.Integer(dump_only=True, required=True)
    access = ma.fields.String(dump_only=True, required=True, metadata={"enum": ACCESS_VALUES})


def _news_summary():
    # News items show report summaries, so the news schemas import this module.
    from api.schemas.news import NewsSummarySchema

    return NewsSummarySchema()


def _event_summary():
    from api.schemas.event import EventSummarySchema

    return EventSummarySchema()


class ReportSchema(TranslatedSchema, ReportSummarySchema):
    summary = Translated(dump_only=True, required=True, allow_none=True)
    published_at = Timestamp(dump_only=True, required=True, allow_none=True, metadata={
        "description": "Null for a draft; a future time keeps the report hidden until then."})
    cover_image_url = ma.fields.String(dump_only=True, required=True, allow_none=True)
    file = ma.fields.Nested(ReportFileSchema, dump_only=True, required=True, allow_none=True)
    download_count = ma.fields.Integer(dump_only=True, required=True)
    parks = ma.fields.List(ma.fields.Nested(ParkSummarySchema), dump_only=True, required=True)
    news = ma.fields.List(
        ma.fields.Nested(_news_summary), dump_only=True, required=True,
        metadata={"description": "News items about the report, newest first (published "
                                 "ones only, unless the caller is an editor)."})
    events = ma.fields.List(ma.fields.Nested(_event_summary), dump_only=True, required=True,
                            metadata={"description": "Events the report was released at "
                                      "(drafts only for editors)."})
    translations = REPORT_TRANSLATIONS.read_field()
    created_at = Timestamp(dump_only=True, required=True)
    updated_at = Timestamp(dump_only=True, required=True)


class ReportUpdateSchema(BaseSchema):
    """Metadata an editor may change (JSON); all optional."""

    title = text(300, min_length=1)
    slug = Slug()
    year = ma.fields.Integer(validate=YEAR_RANGE)
    summary = text(20000, allow_none=True)
    published_at = Timestamp(allow_none=True)
    cover_image_url = WebURL(allow_none=True, validate=validate.Length(max=2048))
    access = ma.fields.String(validate=validate.OneOf(ACCESS_VALUES))
    park_ids = IdList(metadata={"description": "Parks the report covers, by id. In a "
                                "multipart form: repeat the field or separate ids with "
                                "commas."})
    default_language = LanguageTag()
    translations = REPORT_TRANSLATIONS.write_field(form_encoded=True)


class ReportCreateSchema(ReportUpdateSchema):
    """The form fields of a multipart create; `access` defaults to `members`."""

    title = text(300, min_length=1, required=True)
    year = ma.fields.Integer(validate=YEAR_RANGE, required=True)


class ReportFileUploadSchema(BaseSchema):
    file = Upload(required=True, metadata={"description": "The report as a PDF (checked by "
                                           "content; size-limited by REPORT_MAX_BYTES)."})


class ReportCreateFileSchema(BaseSchema):
    file = Upload(metadata={"description": "The report as a PDF (checked by content; "
                            "size-limited). Optional: a report may be announced first."})


class ReportCreateBodySchema(ReportCreateSchema, ReportCreateFileSchema):
    """The whole multipart body of a create: form fields and the `file` part (for the docs;
    the form fields and the file are validated by the two schemas above)."""


class ReportQueryArgsSchema(ListArgsSchema, LanguageArgsSchema):
    SORT_FIELDS = ("published_at", "year", "title")
    DEFAULT_SORT = "-published_at"

    q = ma.fields.String(validate=validate.Length(min=1, max=200),
                         metadata={"description": "Words to look for (full-text search)."})
    year = ma.fields.Integer(validate=YEAR_RANGE)
    park = ma.fields.String(validate=validate.Length(min=1, max=220),
                            metadata={"description": "A park's id or slug."})
    access = ma.fields.String(validate=validate.OneOf(ACCESS_VALUES))


class DownloadLinkSchema(ma.Schema):
    url = ma.fields.String(required=True, metadata={
        "description": "Follow it without an Authorization header; it works until "
                       "`expires_at`.", "format": "uri"})
    expires_at = Timestamp(required=True)


class DownloadQueryArgsSchema(ma.Schema):
    class Meta:
        unknown = ma.EXCLUDE

    link = ma.fields.String(validate=validate.Length(max=1000), metadata={
        "description": "The signed token of a download link (see `POST …/download-link`)."})


class ReportDownloadSchema(ma.Schema):
    id = ma.fields.UUID(required=True)
    member = ma.fields.Nested(MemberSummarySchema, required=True, allow_none=True, metadata={
        "description": "Null once the member's account is deleted."})
    downloaded_at = Timestamp(required=True)
    ip = ma.fields.String(required=True, allow_none=True)
    user_agent = ma.fields.String(required=True, allow_none=True)
    via_link = ma.fields.Boolean(required=True)


class ReportDownloadArgsSchema(ListArgsSchema):
    SORT_FIELDS = ("downloaded_at",)
    DEFAULT_SORT = "-downloaded_at"
