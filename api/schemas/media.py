"""Media schemas: the uploaded image and the upload form."""

import marshmallow as ma
from flask_smorest.fields import Upload

from api.schemas.base import BaseSchema, Timestamp


class MediaSchema(ma.Schema):
    id = ma.fields.UUID(dump_only=True)
    url = ma.fields.String(dump_only=True, metadata={"description": "Where the image is "
                                                     "served (public, cacheable for a year)."})
    content_type = ma.fields.String(dump_only=True, metadata={
        "enum": ["image/jpeg", "image/png", "image/webp", "image/gif"]})
    size = ma.fields.Integer(dump_only=True, metadata={"description": "Bytes."})
    width = ma.fields.Integer(dump_only=True)
    height = ma.fields.Integer(dump_only=True)
    created_at = Timestamp(dump_only=True)


class MediaUploadSchema(BaseSchema):
    file = Upload(required=True, metadata={"description": "A JPEG, PNG, WebP or GIF image; "
                                           "its type is read from its content."})
