"""Webhook schemas: endpoints, the delivery log, and the `data` of every event type."""

import marshmallow as ma
from marshmallow import validate

from api.models import WebhookEventType
from api.pagination import ListArgsSchema
from api.schemas.base import BaseSchema, Timestamp, WebURL, text
from api.schemas.member import MemberSummarySchema

SUBSCRIBABLE = [kind.value for kind in WebhookEventType if kind is not WebhookEventType.PING]


def _event_type(**kwargs):
    return ma.fields.Enum(WebhookEventType, by_value=True, **kwargs)


def _subscribable():
    return _event_type(validate=validate.NoneOf(
        [WebhookEventType.PING], error="`ping` is sent by a test only; it cannot be subscribed "
        "to."))


# The `data` of each event type. Every one carries `updated_at`: a consumer keeps the newest
# and drops an older event arriving late.


class ParkRefSchema(ma.Schema):
    id = ma.fields.UUID(required=True)
    slug = ma.fields.String(required=True)
    name = ma.fields.String(required=True)


class NewsEventDataSchema(ma.Schema):
    """`news.published`, `news.updated`: the item as the public sees it."""

    id = ma.fields.UUID(required=True)
    slug = ma.fields.String(required=True)
    title = ma.fields.String(required=True)
    summary = ma.fields.String(required=True)
    published_at = Timestamp(required=True)
    url = ma.fields.String(required=True, metadata={"description": "The article on the "
                                                    "community's site."})
    tags = ma.fields.List(ma.fields.String(), required=True)
    parks = ma.fields.List(ma.fields.Nested(ParkRefSchema), required=True)
    updated_at = Timestamp(required=True)


class NewsRemovedDataSchema(ma.Schema):
    """`news.unpublished`, `news.deleted`: the item is no longer public."""

    id = ma.fields.UUID(required=True)
    slug = ma.fields.String(required=True)
    title = ma.fields.String(required=True)
    updated_at = Timestamp(required=True, metadata={"description": "When it stopped being "
                                                    "public."})


class ReportEventDataSchema(ma.Schema):
    """`report.published`."""

    id = ma.fields.UUID(required=True)
    slug = ma.fields.String(required=True)
    title = ma.fields.String(required=True)
    year = ma.fields.Integer(required=True)
    summary = ma.fields.String(required=True, allow_none=True)
    access = ma.fields.String(required=True, validate=validate.OneOf(["public", "members"]))
    published_at = Timestamp(required=True)
    url = ma.fields.String(required=True)
    parks = ma.fields.List(ma.fields.Nested(ParkRefSchema), required=True)
    updated_at = Timestamp(required=True)


class ParkEventDataSchema(ma.Schema):
    """`park.created`, `park.updated`."""

    id = ma.fields.UUID(required=True)
    slug = ma.fields.String(required=True)
    name = ma.fields.String(required=True)
    country = ma.fields.String(required=True)
    city = ma.fields.String(required=True, allow_none=True)
    website = ma.fields.String(required=True, allow_none=True)
    is_member = ma.fields.Boolean(required=True)
    url = ma.fields.String(required=True)
    updated_at = Timestamp(required=True)


class ParkRemovedDataSchema(ma.Schema):
    """`park.deleted`."""

    id = ma.fields.UUID(required=True)
    slug = ma.fields.String(required=True)
    name = ma.fields.String(required=True)
    updated_at = Timestamp(required=True, metadata={"description": "When it was deleted."})


class EventEventDataSchema(ma.Schema):
    """`event.published`, `event.updated`, `event.cancelled`: a forum, conference or
    webinar."""

    id = ma.fields.UUID(required=True)
    slug = ma.fields.String(required=True)
    title = ma.fields.String(required=True)
    starts_at = Timestamp(required=True)
    ends_at = Timestamp(required=True)
    status = ma.fields.String(required=True,
                              validate=validate.OneOf(["draft", "published", "cancelled"]))
    url = ma.fields.String(required=True)
    updated_at = Timestamp(required=True)


class PingDataSchema(ma.Schema):
    """`ping`: sent by `POST /webhooks/{id}/test`, to that endpoint only."""

    webhook_id = ma.fields.UUID(required=True)
    message = ma.fields.String(required=True)


# Endpoints


class WebhookSchema(ma.Schema):
    id = ma.fields.UUID(required=True, dump_only=True)
    url = ma.fields.String(required=True)
    events = ma.fields.List(ma.fields.String(metadata={"enum": SUBSCRIBABLE}), required=True)
    description = ma.fields.String(required=True, allow_none=True)
    active = ma.fields.Boolean(required=True)
    disabled_reason = ma.fields.String(
        required=True, allow_none=True, validate=validate.OneOf(["gone", "failing"]),
        metadata={"description": "Why the API disabled it: `gone` (it answered 410) or "
                  "`failing` (five days without a success); null otherwise."})
    disabled_at = Timestamp(required=True, allow_none=True)
    failing_since = Timestamp(required=True, allow_none=True, metadata={
        "description": "Since when every delivery failed; null after a success."})
    previous_secret_expires_at = Timestamp(required=True, allow_none=True, metadata={
        "description": "Until then the previous secret signs too (after a rotation)."})
    created_by = ma.fields.Nested(MemberSummarySchema, required=True, allow_none=True)
    created_at = Timestamp(required=True)
    updated_at = Timestamp(required=True)


class WebhookWithSecretSchema(WebhookSchema):
    secret = ma.fields.String(required=True, metadata={
        "description": "The signing secret (`whsec_…`), shown this once: keep it.",
        "example": "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"})


class WebhookUpdateSchema(BaseSchema):
    url = WebURL(validate=validate.Length(max=2048), metadata={
        "description": "`https`, resolving to public addresses only."})
    events = ma.fields.List(_subscribable(),
                            validate=validate.Length(min=1, max=len(SUBSCRIBABLE)))
    description = text(500, allow_none=True)
    active = ma.fields.Boolean(metadata={"description": "`true` enables a disabled endpoint "
                                         "again."})


class WebhookCreateSchema(WebhookUpdateSchema):
    url = WebURL(required=True, validate=validate.Length(max=2048), metadata={
        "description": "`https`, resolving to public addresses only."})
    events = ma.fields.List(_subscribable(),
                            required=True,
                            validate=validate.Length(min=1, max=len(SUBSCRIBABLE)))


class WebhookQueryArgsSchema(ListArgsSchema):
    SORT_FIELDS = ("created_at",)
    DEFAULT_SORT = "created_at"

    active = ma.fields.Boolean()


class DeliverySchema(ma.Schema):
    """One attempt to deliver an event to the endpoint."""

    id = ma.fields.UUID(required=True)
    event_id = ma.fields.UUID(required=True, metadata={
        "description": "The `webhook-id` header: the same on every attempt of the event."})
    event_type = _event_type(required=True)
    attempt = ma.fields.Integer(required=True, metadata={"description": "From 1."})
    redelivery = ma.fields.Boolean(required=True, metadata={
        "description": "Asked for with `…/redeliver`."})
    succeeded = ma.fields.Boolean(required=True)
    http_status = ma.fields.Integer(required=True, allow_none=True, metadata={
        "description": "Null when no answer came (refused address, timeout, connection)."})
    duration_ms = ma.fields.Integer(required=True)
    error = ma.fields.String(required=True, allow_none=True)
    response_excerpt = ma.fields.String(required=True, allow_none=True, metadata={
        "description": "The first 200 characters of the answer."})
    attempted_at = Timestamp(required=True)
    next_retry_at = Timestamp(required=True, allow_none=True, metadata={
        "description": "When the event is tried again; null when delivered or given up."})


class DeliveryQueryArgsSchema(ListArgsSchema):
    SORT_FIELDS = ("attempted_at",)
    DEFAULT_SORT = "-attempted_at"

    event = ma.fields.UUID(metadata={"description": "Attempts of this event (`webhook-id`)."})
    event_type = _event_type()
    succeeded = ma.fields.Boolean()


class QueuedEventSchema(ma.Schema):
    """An event queued for delivery (a test ping, a redelivery)."""

    event_id = ma.fields.UUID(required=True, attribute="id",
                              metadata={"description": "The `webhook-id`."})
    event_type = _event_type(required=True)


class EventTypeSchema(ma.Schema):
    type = _event_type(required=True)
    description = ma.fields.String(required=True)
    schema = ma.fields.Dict(required=True, metadata={
        "description": "JSON Schema (2020-12) of the event's `data`.",
        "additionalProperties": True})


class EventTypeQueryArgsSchema(ListArgsSchema):
    SORT_FIELDS = ("type",)
    DEFAULT_SORT = "type"
