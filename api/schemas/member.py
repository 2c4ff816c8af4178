"""Member schemas: profiles, the directory's filters, invitations and administration."""

import marshmallow as ma
from marshmallow import validate

from api.auth import current_member
from api.models import MemberStatus, Role
from api.models.member import hidden_fields
from api.pagination import ListArgsSchema
from api.schemas.base import (
    BaseSchema,
    CountryCode,
    LanguageTag,
    Slug,
    Timestamp,
    WebURL,
    text,
)
from api.schemas.park import ParkSummarySchema


class MemberSummarySchema(ma.Schema):
    """How other resources show a member (an author, say)."""

    id = ma.fields.UUID(dump_only=True, required=True)
    full_name = ma.fields.String(dump_only=True, required=True)


class MemberSchema(MemberSummarySchema):
    email = ma.fields.Email(dump_only=True, metadata={
        "description": "Shown to admins and to the member alone."})
    title = ma.fields.String(dump_only=True, required=True, allow_none=True)
    organization = ma.fields.String(dump_only=True, required=True, allow_none=True)
    country = ma.fields.String(dump_only=True, required=True, allow_none=True)
    park = ma.fields.Nested(ParkSummarySchema, dump_only=True, required=True, allow_none=True)
    bio = ma.fields.String(dump_only=True, required=True, allow_none=True)
    photo_url = ma.fields.String(dump_only=True, required=True, allow_none=True)
    role = ma.fields.Enum(Role, by_value=ma.fields.String, dump_only=True, required=True)
    status = ma.fields.Enum(MemberStatus, by_value=ma.fields.String, dump_only=True,
                            required=True)
    language = ma.fields.String(dump_only=True, required=True)
    created_at = Timestamp(dump_only=True, required=True)
    last_login_at = Timestamp(dump_only=True, allow_none=True, metadata={
        "description": "Shown to admins and to the member alone."})
    email_verified_at = Timestamp(dump_only=True, allow_none=True, metadata={
        "description": "Shown to admins and to the member alone."})

    @ma.post_dump(pass_original=True)
    def hide_private_fields(self, data, member, **_kwargs):
        for field in hidden_fields(current_member(), member):
            data.pop(field, None)
        return data


class ProfileSchema(MemberSchema):
    """Your own profile: a member's, with the fields only you and admins see."""

    email = ma.fields.Email(dump_only=True, required=True)
    last_login_at = Timestamp(dump_only=True, required=True, allow_none=True)
    email_verified_at = Timestamp(dump_only=True, required=True, allow_none=True)


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


class MemberQueryArgsSchema(ListArgsSchema):
    # Sorting by a private field (`last_login_at`) is for admins, who may read it.
    SORT_FIELDS = ("full_name", "created_at", "last_login_at")
    DEFAULT_SORT = "full_name"

    q = text(200, min_length=1,
             metadata={"description": "Words in the name, organisation or title."})
    country = CountryCode()
    park = Slug()  # a park id (UUID) has the shape of a slug too
    role = ma.fields.Enum(Role, by_value=ma.fields.String, metadata={"description": "Admins only."})
    status = ma.fields.Enum(MemberStatus, by_value=ma.fields.String,
                            metadata={"description": "Admins only."})


class MemberInviteSchema(BaseSchema):
    email = ma.fields.Email(required=True, validate=validate.Length(max=254))
    full_name = text(200, min_length=1, required=True)
    role = ma.fields.Enum(Role, by_value=ma.fields.String, required=True)
    title = text(200, allow_none=True)
    organization = text(200, allow_none=True)
    country = CountryCode(allow_none=True)
    park_id = ma.fields.UUID(allow_none=True)


class MemberAdminUpdateSchema(BaseSchema):
    """What an admin changes: approve (`status: active`), suspend, or change the role."""

    role = ma.fields.Enum(Role, by_value=ma.fields.String)
    status = ma.fields.Enum(MemberStatus, by_value=ma.fields.String)
