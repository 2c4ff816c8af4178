"""Schemas of the login and token endpoints."""

import marshmallow as ma
from marshmallow import validate

from api.schemas.base import BaseSchema


class LoginSchema(BaseSchema):
    email = ma.fields.Email(required=True, validate=validate.Length(max=254))
    password = ma.fields.String(required=True, load_only=True,
                                validate=validate.Length(min=1, max=1024))


class TokenPairSchema(ma.Schema):
    access_token = ma.fields.String(required=True)
    refresh_token = ma.fields.String(required=True)
    token_type = ma.fields.String(required=True, metadata={"enum": ["Bearer"]})
    expires_in = ma.fields.Integer(required=True,
                                   metadata={"description": "Seconds the access token lives."})
