"""Partner key schemas: a key, its create/update/roll bodies, the list's filters and its
usage."""

import limits
import marshmallow as ma
from marshmallow import validate

from api.models import ApiKeyKind
from api.origins import normalise_origin
from api.pagination import ListArgsSchema
from api.schemas.base import BaseSchema, QueryArgsSchema, Timestamp, text
from api.schemas.member import MemberSummarySchema
from api.schemas.park import ParkSummarySchema
from api.services.api_keys import USAGE_DAYS

MAX_GRACE_SECONDS = 86400
# A rate limit's window; longer spans are what `daily_quota` is for.
MAX_RATE_WINDOW_SECONDS = 3600
STATUSES = ("active", "inactive", "expired", "revoked")


class Origin(ma.fields.String):
    """A web origin (`https://www.partner.example`, `http://localhost:3000`), or a subdomain
    wildcard (`https://*.partner.example`), stored as browsers send it."""

    def __init__(self, **kwargs):
        super().__init__(validate=validate.Length(max=300), metadata={
            "example": "https://www.partner.example"}, **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        try:
            return normalise_origin(super()._deserialize(value, attr, data, **kwargs),
                                    wildcard=True)
        except ValueError as error:
            raise ma.ValidationError(str(error)) from error


class RateLimit(ma.fields.String):
    """A rate in the limits notation: `600/minute`, `10/second`, `5000 per hour`."""

    def __init__(self, **kwargs):
        super().__init__(validate=validate.Length(max=40), metadata={
            "example": "600/minute", "description": "Requests per window (`N/second`, "
            "`N/minute`, `N/hour`, or `N per 10 minutes`); the window is at most an hour: "
            "longer spans are what `daily_quota` is for."}, **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        text_value = super()._deserialize(value, attr, data, **kwargs).strip()
        try:
            items = limits.parse_many(text_value)
        except ValueError as error:
            raise ma.ValidationError("Write a rate such as 600/minute.") from error
        if len(items) != 1 or items[0].amount < 1 or \
                items[0].get_expiry() > MAX_RATE_WINDOW_SECONDS:
            raise ma.ValidationError("Write one rate of at least 1 request, per second, "
                                     "minute or hour (at most one hour).")
        return text_value


def daily_quota_field(**kwargs):
    return ma.fields.Integer(validate=validate.Range(min=1, max=1_000_000_000),
                             metadata={"description": "Requests per UTC day; null: no daily "
                                       "quota."}, **kwargs)


class ApiKeySchema(ma.Schema):
    id = ma.fields.UUID(required=True)
    name = ma.fields.String(required=True)
    kind = ma.fields.Enum(ApiKeyKind, by_value=True, required=True)
    key_hint = ma.fields.String(required=True, metadata={
        "description": "The key's prefix and last four characters (`cisip_pk_…x7Qa`), to "
        "recognise it; the key itself is shown once."})
    status = ma.fields.String(required=True, metadata={
        "enum": list(STATUSES), "description": "`active`; `inactive` (switched off with "
        "`active: false`); `expired` (past `expires_at`); `revoked` (for good)."})
    allowed_origins = ma.fields.List(ma.fields.String(), required=True, metadata={
        "description": "Browser origins a publishable key works from."})
    rate_limit = ma.fields.String(required=True, metadata={"example": "600/minute"})
    daily_quota = ma.fields.Integer(required=True, allow_none=True)
    park_id = ma.fields.UUID(required=True, allow_none=True)
    park = ma.fields.Nested(ParkSummarySchema, required=True, allow_none=True)
    active = ma.fields.Boolean(required=True)
    expires_at = Timestamp(required=True, allow_none=True)
    previous_key_expires_at = Timestamp(
        attribute="previous_expires_at", required=True, allow_none=True,
        metadata={"description": "After a roll with a grace period: when the previous key "
                  "stops working."})
    revoked_at = Timestamp(required=True, allow_none=True)
    last_used_at = Timestamp(required=True, allow_none=True, metadata={
        "description": "When the key was last used, to within about ten seconds."})
    created_by = ma.fields.Nested(MemberSummarySchema, required=True, allow_none=True)
    created_at = Timestamp(required=True)
    updated_at = Timestamp(required=True)


class IssuedApiKeySchema(ApiKeySchema):
    """A key as created or rolled: with the key itself, shown this once."""

    key = ma.fields.String(attribute="plaintext", required=True, metadata={
        "description": "The key (`cisip_pk_…` or `cisip_sk_…`). Shown only in this answer; "
        "only its hash is stored.", "example": "cisip_pk_3Zb8sQeK1uV0mY7tR2wX9nA4cJ6hL5dF"})


class ApiKeyUpdateSchema(BaseSchema):
    """What an admin may change; all optional. The kind never changes."""

    name = text(200, min_length=1)
    allowed_origins = ma.fields.List(Origin(), validate=validate.Length(max=50), metadata={
        "description": "Browser origins a publishable key works from: exact "
        "(`https://www.partner.example`, scheme, host and port) or all subdomains "
        "(`https://*.partner.example`, not the bare domain). Empty: no browser origin."})
    rate_limit = RateLimit()
    daily_quota = daily_quota_field(allow_none=True)
    park_id = ma.fields.UUID(allow_none=True, metadata={
        "description": "The partner park the key belongs to."})
    active = ma.fields.Boolean(metadata={"description": "`false` stops the key until it is "
                                         "switched on again."})
    expires_at = Timestamp(allow_none=True, metadata={"description": "When the key stops "
                                                      "working; null: never."})


class ApiKeyCreateSchema(ApiKeyUpdateSchema):
    name = text(200, min_length=1, required=True)
    kind = ma.fields.Enum(ApiKeyKind, by_value=True, required=True, metadata={
        "description": "`publishable`: for browsers and feed readers, read-only, bound to "
        "`allowed_origins`; `secret`: for servers, refused from browsers."})


class ApiKeyRollSchema(BaseSchema):
    grace_seconds = ma.fields.Integer(
        load_default=0, validate=validate.Range(min=0, max=MAX_GRACE_SECONDS),
        metadata={"description": "How long the current key keeps working beside the new "
                  f"one, 0 to {MAX_GRACE_SECONDS} seconds. Default 0: it stops at once."})


class ApiKeyQueryArgsSchema(ListArgsSchema):
    SORT_FIELDS = ("created_at", "name", "last_used_at")
    DEFAULT_SORT = "-created_at"

    q = text(200, min_length=1, metadata={"description": "Words in the key's name."})
    kind = ma.fields.Enum(ApiKeyKind, by_value=True)
    park = ma.fields.String(validate=validate.Length(min=1, max=220),
                            metadata={"description": "A park's id or slug."})
    status = ma.fields.String(validate=validate.OneOf(STATUSES), metadata={
        "description": "Keys in this status. Without it, every key but revoked ones."})


class ApiKeyUsageArgsSchema(QueryArgsSchema):
    days = ma.fields.Integer(load_default=USAGE_DAYS,
                             validate=validate.Range(min=1, max=USAGE_DAYS),
                             metadata={"description": "How many UTC days, today included, "
                                       f"1 to {USAGE_DAYS} (the counts kept)."})


class GroupCounts(ma.fields.Dict):
    def __init__(self, **kwargs):
        super().__init__(keys=ma.fields.String(), values=ma.fields.Integer(), metadata={
            "description": "Requests per endpoint group (`news`, `parks`, `speakers`, "
            "`reports`, `search`, `feeds`, …); groups without requests are left out.",
            "example": {"feeds": 120, "news": 4}}, **kwargs)


class UsageDaySchema(ma.Schema):
    date = ma.fields.Date(required=True)
    total = ma.fields.Integer(required=True)
    groups = GroupCounts(required=True)


class ApiKeyUsageSchema(ma.Schema):
    api_key_id = ma.fields.UUID(required=True)
    from_ = ma.fields.Date(data_key="from", attribute="from", required=True)
    to = ma.fields.Date(required=True)
    total = ma.fields.Integer(required=True)
    groups = GroupCounts(required=True)
    days = ma.fields.List(ma.fields.Nested(UsageDaySchema), required=True, metadata={
        "description": "Every day of the period, oldest first."})
