"""Schemas of the login, token, registration, password and session endpoints."""

import marshmallow as ma
from marshmallow import validate

from api.pagination import ListArgsSchema
from api.schemas.base import BaseSchema, CountryCode, Timestamp, text
from api.security import MIN_PASSWORD_LENGTH, password_problems


def check_password_strength(value):
    problems = password_problems(value)
    if problems:
        raise ma.ValidationError(problems)


class NewPassword(ma.fields.String):
    """A password being set: long enough and not on the list of common passwords."""

    def __init__(self, **kwargs):
        super().__init__(
            required=True, load_only=True,
            validate=[validate.Length(max=1024), check_password_strength],
            metadata={"description": f"At least {MIN_PASSWORD_LENGTH} characters, not a "
                      "common password.", "minLength": MIN_PASSWORD_LENGTH},
            **kwargs,
        )


def email_field(**kwargs):
    return ma.fields.Email(required=True, validate=validate.Length(max=254), **kwargs)


def token_field():
    return ma.fields.String(required=True, load_only=True,
                            validate=validate.Length(min=1, max=200),
                            metadata={"description": "The token from the emailed link."})


class LoginSchema(BaseSchema):
    email = email_field()
    password = ma.fields.String(required=True, load_only=True,
                                validate=validate.Length(min=1, max=1024))
    use_cookies = ma.fields.Boolean(
        load_default=False, metadata={"description": "Browser SPAs: answer the tokens as "
                                      "httpOnly cookies (with CSRF cookies) instead of in "
                                      "the body."})


class TokenPairSchema(ma.Schema):
    """The tokens of a login, for an `Authorization: Bearer` header."""

    access_token = ma.fields.String(required=True, metadata={
        "description": "Send it as `Authorization: Bearer <access_token>`."})
    refresh_token = ma.fields.String(required=True, metadata={
        "description": "For `POST /auth/refresh`; keep it in secure storage."})
    token_type = ma.fields.String(required=True, metadata={"enum": ["Bearer"]})
    expires_in = ma.fields.Integer(required=True,
                                   metadata={"description": "Seconds the access token lives."})


class CookieTokensSchema(ma.Schema):
    """A login held in httpOnly cookies (`use_cookies`): the tokens are not in the body."""

    token_type = ma.fields.String(required=True, metadata={"enum": ["Cookie"]})
    expires_in = ma.fields.Integer(required=True,
                                   metadata={"description": "Seconds the access token lives."})


class RegisterSchema(BaseSchema):
    email = email_field()
    password = NewPassword()
    full_name = text(200, min_length=1, required=True)
    title = text(200, allow_none=True)
    organization = text(200, allow_none=True)
    country = CountryCode(allow_none=True)
    park_id = ma.fields.UUID(allow_none=True)


class MessageSchema(ma.Schema):
    detail = ma.fields.String(required=True)


class TokenSchema(BaseSchema):
    token = token_field()


class PasswordForgotSchema(BaseSchema):
    email = email_field()


class PasswordResetSchema(BaseSchema):
    token = token_field()
    new_password = NewPassword()


class PasswordChangeSchema(BaseSchema):
    current_password = ma.fields.String(required=True, load_only=True,
                                        validate=validate.Length(min=1, max=1024))
    new_password = NewPassword()


class SessionSchema(ma.Schema):
    id = ma.fields.UUID(dump_only=True, required=True)
    user_agent = ma.fields.String(dump_only=True, required=True, allow_none=True)
    ip_address = ma.fields.String(dump_only=True, required=True, allow_none=True)
    created_at = Timestamp(dump_only=True, required=True)
    last_used_at = Timestamp(dump_only=True, required=True, metadata={
        "description": "The login or the last token refresh."})
    expires_at = Timestamp(dump_only=True, required=True)
    current = ma.fields.Boolean(dump_only=True, required=True, metadata={
        "description": "True for the login making this request."})


class SessionQueryArgsSchema(ListArgsSchema):
    SORT_FIELDS = ("created_at", "last_used_at")
    DEFAULT_SORT = "-last_used_at"
