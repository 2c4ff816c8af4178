"""Feed schemas: the query arguments of the news feeds and the JSON Feed 1.1 document."""

import marshmallow as ma
from marshmallow import validate

from api.pagination import MAX_PER_PAGE
from api.schemas.base import CountryCode, Label
from api.translations import LanguageArgsSchema

DEFAULT_LIMIT = 20


class FeedArgsSchema(LanguageArgsSchema):
    park = ma.fields.String(validate=validate.Length(min=1, max=220),
                            metadata={"description": "A park's id or slug."})
    tag = Label(validate=validate.Length(min=1, max=80),
                metadata={"description": "Only news with this tag."})
    country = CountryCode(metadata={"description": "Country of a linked park."})
    limit = ma.fields.Integer(
        load_default=DEFAULT_LIMIT, validate=validate.Range(min=1, max=MAX_PER_PAGE),
        metadata={"description": f"How many of the newest items, 1 to {MAX_PER_PAGE}."})


class ParkFeedArgsSchema(FeedArgsSchema):
    """The feed of one park: every argument of the news feeds but `park`."""

    class Meta:
        exclude = ("park",)


class JsonFeedAuthorSchema(ma.Schema):
    name = ma.fields.String(required=True)


class JsonFeedItemSchema(ma.Schema):
    id = ma.fields.String(required=True, metadata={
        "description": "Stable: `urn:uuid:` and the news item's id."})
    url = ma.fields.String(required=True, metadata={"description": "The article's page."})
    title = ma.fields.String(required=True)
    summary = ma.fields.String(required=True)
    content_html = ma.fields.String(required=True, metadata={"description": "Sanitised HTML."})
    date_published = ma.fields.String(required=True, metadata={"format": "date-time"})
    date_modified = ma.fields.String(required=True, metadata={"format": "date-time"})
    tags = ma.fields.List(ma.fields.String(), required=True)
    language = ma.fields.String(required=True)
    authors = ma.fields.List(ma.fields.Nested(JsonFeedAuthorSchema))
    image = ma.fields.String(metadata={"description": "The cover image's URL."})


class JsonFeedSchema(ma.Schema):
    """A JSON Feed 1.1 document (https://jsonfeed.org/version/1.1)."""

    version = ma.fields.String(required=True, metadata={
        "example": "https://jsonfeed.org/version/1.1"})
    title = ma.fields.String(required=True)
    description = ma.fields.String(required=True)
    home_page_url = ma.fields.String(required=True)
    feed_url = ma.fields.String(required=True)
    language = ma.fields.String(required=True)
    items = ma.fields.List(ma.fields.Nested(JsonFeedItemSchema), required=True)
