"""RFC 9457 problem details: the one error format of every layer of the API."""

import http
import logging

import marshmallow as ma
from flask import current_app, json, make_response
from sqlalchemy.exc import DisconnectionError, OperationalError, SQLAlchemyError, TimeoutError
from werkzeug.exceptions import HTTPException, InternalServerError

PROBLEM_JSON = "application/problem+json"
logger = logging.getLogger(__name__)

# Stable codes clients branch on, by HTTP status, when nothing more precise applies.
DEFAULT_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    406: "not_acceptable",
    409: "conflict",
    413: "payload_too_large",
    414: "uri_too_long",
    415: "unsupported_media_type",
    417: "expectation_failed",
    422: "validation_error",
    429: "rate_limited",
    431: "header_fields_too_large",
    500: "internal_error",
    501: "not_implemented",
    503: "service_unavailable",
}

# Every code the API uses, documented in the OpenAPI description of the problem schema.
ERROR_CODES = {
    **{code: http.HTTPStatus(status).phrase for status, code in DEFAULT_CODES.items()},
    "invalid_credentials": "Unknown email or wrong password.",
    "account_pending": "The account has not been approved yet.",
    "account_suspended": "The account is suspended.",
    "token_missing": "No access token was sent.",
    "token_invalid": "The token is malformed, tampered with or of the wrong type.",
    "token_expired": "The token has expired; refresh it or log in again.",
    "token_revoked": "The login behind the token has ended.",
    "duplicate": "A unique value (such as a slug or an email) is already taken.",
    "csrf_failed": "A cookie-authenticated write without the matching X-CSRF-TOKEN header.",
    "invalid_token": "The emailed token is unknown, used, superseded or expired.",
    "invalid_password": "The current password is wrong.",
    "range_not_satisfiable": "The requested byte range is outside the file.",
    "link_invalid": "The signed link is malformed, tampered with or for something else.",
    "link_expired": "The signed link has expired; ask for a new one.",
    "email_unverified": "The member's email address is not verified yet, so the account "
                        "cannot be activated.",
    "already_registered": "You are already registered for this event.",
    "registration_closed": "The event takes no registrations now (closed, cancelled or "
                           "ended).",
    "invalid_api_key": "The API key is unknown, revoked, rolled out or expired.",
    "key_origin_denied": "The publishable key is not allowed from the request's origin.",
    "key_scope_denied": "A publishable key reads public content only (GET, no login).",
    "secret_key_exposed": "A secret key was sent from a browser or in a URL.",
    "quota_exceeded": "The API key's rate limit or daily quota is used up; see Retry-After.",
    "key_revoked": "The API key is revoked and can no longer be changed.",
    "webhook_disabled": "The webhook endpoint is disabled: enable it before sending to it.",
}


class APIError(Exception):
    """An error a client should see, with a status and a stable machine-readable code."""

    status = 400
    code: str | None = None

    def __init__(self, detail=None, *, status=None, code=None, errors=None, headers=None):
        super().__init__(detail)
        self.status = status or self.status
        self.code = code or self.code or DEFAULT_CODES.get(self.status, "error")
        self.detail = detail
        self.errors = errors
        self.headers = headers or {}


class NotFound(APIError):
    status = 404


class Conflict(APIError):
    status = 409
    code = "duplicate"


class Forbidden(APIError):
    status = 403


class Unauthorized(APIError):
    status = 401


def problem_body(status, code=None, detail=None, *, errors=None, **extensions):
    """The problem details of an error: `extensions` become extra members."""
    body = {
        "type": "about:blank",
        "title": http.HTTPStatus(status).phrase,
        "status": status,
        "code": code or DEFAULT_CODES.get(status, "error"),
        "detail": detail or http.HTTPStatus(status).description,
    }
    if errors is not None:
        body["errors"] = errors
    return body | extensions


def problem(status, code=None, detail=None, *, errors=None, headers=None, **extensions):
    """Build a problem+json response; `extensions` become extra members of the body."""
    body = problem_body(status, code, detail, errors=errors, **extensions)
    response = make_response(json.dumps(body), status, headers or {})
    response.mimetype = PROBLEM_JSON
    return response


def handle_api_error(error):
    return problem(error.status, error.code, error.detail, errors=error.errors,
                   headers=error.headers)


def handle_http_exception(error):
    """Answer werkzeug and webargs exceptions, keeping their headers (Allow, Retry-After)."""
    if error.code is None or error.code < 400:
        return error
    data = getattr(error, "data", None) or {}
    headers = {k: v for k, v in error.get_headers() if k.lower() != "content-type"}
    headers.update(data.get("headers") or {})
    errors = data.get("errors") or data.get("messages")
    detail = data.get("message")
    if errors is not None and detail is None:
        detail = "The request is invalid."
        if "json" in errors or "form" in errors or "files" in errors:
            detail = "The request body is invalid."
    if detail is None:
        detail = error.description
    if error.code >= 500:
        detail = http.HTTPStatus(error.code).description
    return problem(error.code, data.get("code"), detail, errors=errors, headers=headers)


def handle_database_error(error):
    """A lost database is 503 (retry later); any other database error is a plain 500."""
    if isinstance(error, OperationalError | DisconnectionError | TimeoutError):
        logger.error("database unavailable: %s", type(error).__name__)
        return problem(503, "service_unavailable",
                       "The database is unavailable; try again shortly.",
                       headers={"Retry-After": "5"})
    return handle_unexpected_error(error)


def handle_unexpected_error(error):
    """Log the trace; tell the client nothing internal."""
    if isinstance(error, HTTPException):
        return handle_http_exception(error)
    logger.exception("unhandled error")
    if current_app.debug:
        raise error
    return handle_http_exception(InternalServerError())


def register_error_handlers(app):
    app.register_error_handler(APIError, handle_api_error)
    app.register_error_handler(HTTPException, handle_http_exception)
    app.register_error_handler(SQLAlchemyError, handle_database_error)
    app.register_error_handler(Exception, handle_unexpected_error)


# What is wrong with one field: its messages, or those of a nested object's fields (or of a
# list's items, by index), to any depth.
FIELD_MESSAGES = {"anyOf": [{"type": "array", "items": {"type": "string"}},
                            {"type": "object", "additionalProperties": True}]}


class ProblemSchema(ma.Schema):
    """RFC 9457 problem details."""

    type = ma.fields.String(required=True, metadata={"example": "about:blank"})
    title = ma.fields.String(required=True, metadata={"example": "Unprocessable Entity"})
    status = ma.fields.Integer(required=True, metadata={"example": 422})
    code = ma.fields.String(
        required=True,
        metadata={
            "description": "Stable machine-readable code: "
            + "; ".join(f"`{code}`: {text}" for code, text in ERROR_CODES.items()),
            "enum": list(ERROR_CODES),
        }
    )
    detail = ma.fields.String(required=True,
                              metadata={"example": "The request body is invalid."})
    errors = ma.fields.Dict(
        keys=ma.fields.String(),
        values=ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.Raw(
            metadata=FIELD_MESSAGES)),
        metadata={"description": "On validation errors: messages keyed by location "
                  "(`json`, `query`, `form`, `files`), then by field."},
    )
    violated_policies = ma.fields.List(ma.fields.String(), metadata={
        "description": "On `quota_exceeded`: the key's policies used up (`rate`, `daily`), "
        "as named in the `RateLimit` header."})
