"""Media schemas: the uploaded image and the upload form."""

import marshmallow as ma
from flask_smorest.fields import Upload

from api.schemas.base import BaseSchema, Timestamp
from api.services.uploads import IMAGE_TYPES

CONTENT_TYPES = [content_type for content_type, _extension in IMAGE_TYPES.values()]


class MediaSchema(ma.Schema):
    id = ma.fields.UUID(dump_only=True, required=True)
    url = ma.fields.String(dump_only=True, required=True, metadata={
        "description": "Where the image is served (public, cacheable for a year).",
        "format": "uri"})
    content_type = ma.fields.String(dump_only=True, required=True, metadata={
        "enum": CONTENT_TYPES})
    size = ma.fields.Integer(dump_only=True, required=True, metadata={"description": "Bytes."})
    width = ma.fields.Integer(dump_only=True, required=True)
    height = ma.fields.Integer(dump_only=True, required=True)
    created_at = Timestamp(dump_only=True, required=True)


class MediaUploadSchema(BaseSchema):
    file = Upload(required=True, metadata={"description": "A JPEG, PNG, WebP or GIF image; "
                                           "its type is read from its content."})
