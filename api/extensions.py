"""Extensions. `db` is bound to each app with `init_app`; the API and JWT managers keep
per-app state, so `create_app` makes one of each per app."""

import functools
import http
import time
from typing import Any

import flask_smorest
import marshmallow as ma
from flask_jwt_extended import JWTManager, view_decorators
from flask_smorest.utils import prepare_response

from api.db import Database
from api.errors import PROBLEM_JSON, ProblemSchema, handle_http_exception


class Api(flask_smorest.Api):
    """flask-smorest's Api, answering and documenting errors as problem+json."""

    ERROR_SCHEMA = ProblemSchema

    def handle_http_exception(self, error):
        return handle_http_exception(error)

    def _register_responses(self):
        for status in http.HTTPStatus:
            response: dict[str, Any] = {"description": status.phrase}
            if status >= 400:
                response["schema"] = self.ERROR_SCHEMA
            prepare_response(response, self.spec, PROBLEM_JSON)
            self.spec.components.response(status.name, response, lazy=True)
        response = {"description": "Error", "schema": self.ERROR_SCHEMA}
        prepare_response(response, self.spec, PROBLEM_JSON)
        self.spec.components.response("DEFAULT_ERROR", response, lazy=True)

    def _register_pagination_header(self):
        """Lists answer their pagination in the body (`api.pagination`), not `X-Pagination`."""


db = Database()

DESCRIPTION = """\
The JSON API of the Community of International Science-Industry Parks: parks, members,
news, speakers, reports, search and feeds, for the community's site, partner parks' sites
and mobile apps.

- **Logging in**: `POST /api/v1/auth/login` answers an access token (send it as
  `Authorization: Bearer <token>`) and a refresh token for `POST /api/v1/auth/refresh`.
  Browser apps on the API's own site may ask for httpOnly cookies instead (`use_cookies`),
  and then echo the CSRF cookie in an `X-CSRF-TOKEN` header on every write.
- **Errors** are RFC 9457 problem details (`application/problem+json`) with a stable `code`
  to branch on; validation errors carry `errors`, keyed by location and field.
- **Lists** answer `{items, pagination}` and an RFC 8288 `Link` header.
- **Caching**: public reads carry an `ETag`; send it back in `If-None-Match` for a 304.
- **Languages**: translated text follows `?lang=` or `Accept-Language`.
"""

SPEC_OPTIONS = {
    "info": {
        "description": DESCRIPTION,
        "contact": {"name": "CISIP", "url": "https://www.cisip.example"},
        "license": {"name": "Proprietary", "url": "https://www.cisip.example/terms"},
    },
    # Paths are absolute (`/api/v1/…`, `/health/…`): the API is wherever this document is.
    "servers": [{"url": "/", "description": "The server this document is served from."}],
}


def enum_type(_converter, field, **_kwargs):
    """`fields.Enum` of text values is a typed string (apispec lists the values only)."""
    if isinstance(field, ma.fields.Enum):
        values = [member.value if field.by_value else member.name for member in field.enum]
        if all(isinstance(value, str) for value in values):
            return {"type": "string"}
    return {}


def init_api(app):
    api = Api(app, spec_kwargs=SPEC_OPTIONS)
    api.ma_plugin.converter.add_attribute_function(enum_type)
    api.spec.components.security_scheme(
        "bearerAuth", {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"})
    api.spec.components.security_scheme("cookieAuth", {
        "type": "apiKey", "in": "cookie", "name": "access_token_cookie",
        "description": "Browser SPAs on the API's own site (same host, or subdomains of one "
        "domain): the httpOnly cookie set by `POST /auth/login` with `use_cookies: true`. "
        "Writes also need the `csrf_access_token` cookie's value in an `X-CSRF-TOKEN` "
        "header."})
    return api


class JWT(JWTManager):
    """flask-jwt-extended's manager, verifying each token once per process: PyJWT's decoding
    costs more than all the rest of a cached read, and a token's claims never change. (A
    token's login is still checked on every request: see `api.auth.load_login`.)"""

    DECODED_KEPT = 10_000

    def __init__(self, app):
        self._decoded: dict[tuple, dict] = {}
        super().__init__(app)

    def verified_access_claims(self, encoded_token):
        """The claims of an access token this process verified before, while it has not
        expired; None otherwise (verify it then)."""
        claims = self._decoded.get((encoded_token, None, False))
        if claims is None or claims.get("type") != "access" or claims.get(
                "exp", float("inf")) <= time.time():
            return None
        return dict(claims)

    def _decode_jwt_from_config(self, encoded_token, csrf_value=None, allow_expired=False):
        key = (encoded_token, csrf_value, allow_expired)
        claims = self._decoded.get(key)
        if claims is None or claims.get("exp", float("inf")) <= time.time():
            claims = super()._decode_jwt_from_config(encoded_token, csrf_value, allow_expired)
            if len(self._decoded) >= self.DECODED_KEPT:
                self._decoded.clear()
            self._decoded[key] = claims
        return dict(claims)


def init_jwt(app):
    # flask-jwt-extended reads each token's header again on every request, with PyJWT's
    # character-by-character checks; a header is a pure function of the token: remember it.
    if not hasattr(view_decorators.get_unverified_jwt_headers, "cache_info"):
        view_decorators.get_unverified_jwt_headers = functools.lru_cache(JWT.DECODED_KEPT)(
            view_decorators.get_unverified_jwt_headers)
    return JWT(app)
