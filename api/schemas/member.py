"""Member schemas: profiles and the fields a member may edit on their own."""

import marshmallow as ma
from marshmallow import validate

from api.schemas.base import BaseSchema, CountryCode, LanguageTag, Timestamp, WebURL, text
from api.schemas.park import ParkSummarySchema


class MemberSummarySchema(ma.Schema):
    """How other resources show a member (an author, say)."""

    id = ma.fields.UUID(dump_only=True)
    full_name = ma.fields.String(dump_only=True)


class MemberSchema(MemberSummarySchema):
    email = ma.fields.Email(dump_only=True, metadata={
        "description": "Shown to admins and to the member alone."})
    title = ma.fields.String(dump_only=True, allow_none=True)
    organization = ma.fields.String(dump_only=True, allow_none=True)
    country = ma.fields.String(dump_only=True, allow_none=True)
    park = ma.fields.Nested(ParkSummarySchema, dump_only=True, allow_none=True)
    bio = ma.fields.String(dump_only=True, allow_none=True)
    photo_url = ma.fields.String(dump_only=True, allow_none=True)
    role = ma.fields.String(dump_only=True, metadata={"enum": ["member", "editor", "admin"]})
    status = ma.fields.String(dump_only=True,
                              metadata={"enum": ["pending", "active", "suspended"]})
    language = ma.fields.String(dump_only=True)
    created_at = Timestamp(dump_only=True)
    last_login_at = Timestamp(dump_only=True, allow_none=True)


class ProfileUpdateSchema(BaseSchema):
    """What a member may change on their own profile."""

    full_name = text(200, min_length=1)
    title = text(200, allow_none=True)
    organization = text(200, allow_none=True)
    country = CountryCode(allow_none=True)
    park_id = ma.fields.UUID(allow_none=True)
    bio = text(5000, allow_none=True)
    photo_url = WebURL(allow_none=True, validate=validate.Length(max=2048))
    language = LanguageTag()
