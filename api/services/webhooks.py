"""Webhooks: the event catalogue, events queued in the caller's transaction (and what each
content write tells partners), and the endpoints admins manage.

A service that changes news, reports or parks takes `snapshot(item)` before the write and
calls `announce(item, before)` (or `announce_deletion`) inside its transaction: the events
and their deliveries commit with the change or not at all. An item scheduled for later is
announced by the worker when its time comes (a `publication` outbox item), exactly once.
"""

import base64
import functools
import json
import secrets
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import cast

from apispec.ext.marshmallow import OpenAPIConverter
from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from api.errors import APIError, NotFound
from api.extensions import db
from api.models import (
    Event,
    EventStatus,
    News,
    NewsStatus,
    Park,
    Report,
    WebhookDelivery,
    WebhookEndpoint,
    WebhookEvent,
    WebhookEventType,
)
from api.models.base import utcnow
from api.outbox import discard_pending, enqueue
from api.pagination import Page, paginate
from api.safe_http import Policy, RefusedURL, check_url
from api.schemas import webhook as schemas
from api.schemas.base import Timestamp

Type = WebhookEventType
SECRET_GRACE = timedelta(hours=24)

# Each type: what it means and the schema of its `data`.
CATALOGUE = {
    Type.NEWS_PUBLISHED: ("A news item became public: published now, or its scheduled "
                          "publication time came.", schemas.NewsEventDataSchema),
    Type.NEWS_UPDATED: ("A public news item changed.", schemas.NewsEventDataSchema),
    Type.NEWS_UNPUBLISHED: ("A public news item was withdrawn (back to draft, archived, or "
                            "rescheduled for later).", schemas.NewsRemovedDataSchema),
    Type.NEWS_DELETED: ("A public news item was deleted.", schemas.NewsRemovedDataSchema),
    Type.EVENT_PUBLISHED: ("An event (forum, conference, webinar) was published.",
                           schemas.EventEventDataSchema),
    Type.EVENT_UPDATED: ("A published event changed.", schemas.EventEventDataSchema),
    Type.EVENT_CANCELLED: ("A published event was cancelled.", schemas.EventEventDataSchema),
    Type.REPORT_PUBLISHED: ("A report became public: published now, or its scheduled "
                            "publication time came.", schemas.ReportEventDataSchema),
    Type.PARK_CREATED: ("A park joined the directory.", schemas.ParkEventDataSchema),
    Type.PARK_UPDATED: ("A park's entry changed.", schemas.ParkEventDataSchema),
    Type.PARK_DELETED: ("A park left the directory.", schemas.ParkRemovedDataSchema),
    Type.PING: ("A test sent by `POST /webhooks/{id}/test`, to that endpoint only.",
                schemas.PingDataSchema),
}


# The catalogue


def event_types(args):
    """The catalogue as a page of `{type, description, schema}`."""
    items = [{"type": kind, "description": description, "schema": json_schema(schema)}
             for kind, (description, schema) in sorted(CATALOGUE.items(),
                                                       reverse=args["sort"] == "-type")]
    first = (args["page"] - 1) * args["per_page"]
    return Page(items=items[first:first + args["per_page"]], page=args["page"],
                per_page=args["per_page"], total=len(items))


@functools.cache
def json_schema(schema):
    """The JSON Schema (2020-12) of a marshmallow schema, nested schemas inline."""
    converter = OpenAPIConverter(openapi_version="3.1.0",
                                 schema_name_resolver=lambda _schema: None,
                                 spec=None)  # type: ignore[arg-type]  # unused: no refs
    document = converter.schema2jsonschema(schema)
    return {"$schema": "https://json-schema.org/draft/2020-12/schema",
            "title": schema.__name__.removesuffix("Schema"),
            "description": (schema.__doc__ or "").strip()} | document


# Queueing events


def queue_event(event_type, data, endpoints=None):
    """Queue the event `event_type` with `data` (shaped by its catalogue schema) for every
    active endpoint subscribed to it (or for `endpoints`), in the caller's transaction.

    Answers the event (its id is every delivery's `webhook-id`), or None when no endpoint
    wants it. The body is written once: every attempt sends and signs the same bytes.
    """
    event_type = Type(event_type)
    if endpoints is None:
        # Endpoints are few (one per partner site): chosen here rather than by JSON in SQL.
        endpoints = [endpoint for endpoint in db.session.scalars(
            select(WebhookEndpoint).where(WebhookEndpoint.active.is_(True)))
            if event_type.value in endpoint.events]
    if not endpoints:
        return None
    now = utcnow()
    body = json.dumps({"type": event_type.value,
                       "timestamp": Timestamp()._serialize(now, None, None),
                       "data": CATALOGUE[event_type][1]().dump(data)},
                      ensure_ascii=False, separators=(",", ":"))
    event = WebhookEvent(id=uuid.uuid4(), type=event_type.value, body=body, created_at=now)
    with db.transaction():
        db.session.add(event)
        for endpoint in endpoints:
            queue_delivery(event, endpoint)
    return event


def queue_delivery(event, endpoint, redelivery=False):
    enqueue("webhook", {"event_id": str(event.id), "endpoint_id": str(endpoint.id),
                        "redelivery": redelivery},
            f"{event.type} {event.id} to {endpoint.url}", key=_endpoint_key(endpoint.id))


def _endpoint_key(endpoint_id):
    return f"webhook:{endpoint_id}"


# What content writes tell partners


def frontend_url(path):
    return f"{current_app.config['FRONTEND_URL']}/{path}"


def _park_refs(parks):
    return [{"id": park.id, "slug": park.slug, "name": park.name} for park in parks]


def news_data(news):
    return {"id": news.id, "slug": news.slug, "title": news.title, "summary": news.summary,
            "published_at": news.published_at, "url": frontend_url(f"news/{news.slug}"),
            "tags": list(news.tags or []), "parks": _park_refs(news.parks),
            "updated_at": news.updated_at}


def report_data(report):
    return {"id": report.id, "slug": report.slug, "title": report.title, "year": report.year,
            "summary": report.summary, "access": report.access.value,
            "published_at": report.published_at, "url": frontend_url(f"reports/{report.slug}"),
            "parks": _park_refs(report.parks), "updated_at": report.updated_at}


def park_data(park):
    return {"id": park.id, "slug": park.slug, "name": park.name, "country": park.country,
            "city": park.city, "website": park.website, "is_member": park.is_member,
            "url": frontend_url(f"parks/{park.slug}"), "updated_at": park.updated_at}


def event_data(event):
    return {"id": event.id, "slug": event.slug, "title": event.title,
            "starts_at": event.starts_at, "ends_at": event.ends_at,
            "status": event.status.value, "url": frontend_url(f"events/{event.slug}"),
            "updated_at": event.updated_at}


def _due(moment, now):
    return moment is not None and moment <= now


@dataclass(frozen=True)
class Rule:
    """What writes to one model tell: its data, when it is public, and the event types."""

    data: Callable
    public: Callable[..., bool]
    published: Type
    updated: Type | None = None
    unpublished: Type | None = None
    deleted: Type | None = None
    scheduled: str | None = None  # the name in its publication items; None: never scheduled


RULES = {
    News: Rule(news_data,
               lambda news, now: news.status is NewsStatus.PUBLISHED and _due(
                   news.published_at, now),
               Type.NEWS_PUBLISHED, Type.NEWS_UPDATED, Type.NEWS_UNPUBLISHED, Type.NEWS_DELETED,
               scheduled="news"),
    Report: Rule(report_data, lambda report, now: _due(report.published_at, now),
                 Type.REPORT_PUBLISHED, scheduled="report"),
    Park: Rule(park_data, lambda _park, _now: True, Type.PARK_CREATED, Type.PARK_UPDATED,
               deleted=Type.PARK_DELETED),
    # A published event that stops being one (cancelled, or back to a draft) is called off
    # for partners.
    Event: Rule(event_data, lambda event, _now: event.status is EventStatus.PUBLISHED,
                Type.EVENT_PUBLISHED, Type.EVENT_UPDATED, Type.EVENT_CANCELLED),
}
SCHEDULED: dict[str, type[News] | type[Report]] = {"news": News, "report": Report}


def snapshot(item):
    """What partners see of `item` now (None while it is not public, or when no event
    concerns its kind); take it before a write and hand it to `announce`."""
    rule = RULES.get(type(item))
    return rule.data(item) if rule and rule.public(item, utcnow()) else None


def announce(item, before=None):
    """Queue what the write to `item` tells partners (`before`: its snapshot, None for a
    new item), and schedule its publication notice when it goes public later."""
    rule = RULES.get(type(item))
    if rule is None:
        return
    db.session.flush()  # ids and updated_at; the item's row is locked from here on
    now = utcnow()
    if rule.scheduled and _drop_publication(item):
        before = None  # its publication was never announced: the notice was still pending
    after = rule.data(item) if rule.public(item, now) else None
    if after is not None and before is None:
        queue_event(rule.published, after)
    elif after is None and before is not None and rule.unpublished:
        queue_event(rule.unpublished, rule.data(item))
    elif after is not None and rule.updated and _changed(before, after):
        queue_event(rule.updated, after)
    if rule.scheduled and after is None and getattr(item, "published_at", None) and \
            rule.public(item, item.published_at):
        enqueue("publication", {"type": rule.scheduled, "id": str(item.id),
                                "at": item.published_at.isoformat()},
                f"{rule.published.value} of {item.slug}", at=item.published_at,
                key=_publication_key(item))


def announce_deletion(item, before):
    """Queue the deletion of `item` (deleted in this transaction; `before` its snapshot)."""
    rule = RULES.get(type(item))
    if rule is None:
        return
    db.session.flush()
    pending = rule.scheduled and _drop_publication(item)
    if before is not None and rule.deleted and not pending:
        queue_event(rule.deleted, before | {"updated_at": utcnow()})


def _changed(before, after):
    return {k: v for k, v in before.items() if k != "updated_at"} != {
        k: v for k, v in after.items() if k != "updated_at"}


def _publication_key(item):
    return f"publication:{RULES[type(item)].scheduled}:{item.id}"


def _drop_publication(item):
    """Drop the item's pending publication notice; True when there was one."""
    return discard_pending(_publication_key(item)) > 0


def fire_publication(payload, now):
    """The worker's part of a scheduled publication: queue its event, if the item is still
    due to go public at that time (a later write replaced or dropped the notice otherwise)."""
    model = SCHEDULED[payload["type"]]
    rule = RULES[model]
    item = cast(News | Report | None,
                db.session.get(model, uuid.UUID(payload["id"]), with_for_update=True))
    at = datetime.fromisoformat(payload["at"])
    if item is None or not rule.public(item, now) or item.published_at != at:
        return None
    return queue_event(rule.published, rule.data(item))


# Endpoints


def new_secret():
    return "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()


def _check_url(url):
    try:
        check_url(url, Policy.from_config(current_app.config))
    except RefusedURL as error:
        raise APIError("The request body is invalid.", status=422, code="validation_error",
                       errors={"json": {"url": [str(error)]}}) from error


def list_endpoints(args):
    stmt = select(WebhookEndpoint).options(selectinload(WebhookEndpoint.created_by))
    if "active" in args:
        stmt = stmt.where(WebhookEndpoint.active.is_(args["active"]))
    return paginate(db.session, stmt, args, {"created_at": WebhookEndpoint.created_at})


def get_endpoint(webhook_id):
    endpoint = db.session.get(WebhookEndpoint, webhook_id)
    if endpoint is None:
        raise NotFound("No webhook endpoint has this id.")
    return endpoint


def create_endpoint(data, creator):
    """Register an endpoint; its URL must pass the address checks now and at each call."""
    _check_url(data["url"])
    endpoint = WebhookEndpoint(url=data["url"],
                               events=[Type(kind).value for kind in data["events"]],
                               description=data.get("description"),
                               active=data.get("active", True), secret=new_secret(),
                               created_by=creator)
    with db.transaction():
        db.session.add(endpoint)
    return endpoint


def update_endpoint(webhook_id, data):
    """Change what `data` holds; `active: true` enables a disabled endpoint again."""
    endpoint = get_endpoint(webhook_id)
    if "url" in data:
        _check_url(data["url"])
    with db.transaction():
        for field, value in data.items():
            if field == "events":
                endpoint.events = [Type(kind).value for kind in value]
            elif field == "active":
                _set_active(endpoint, value)
            else:
                setattr(endpoint, field, value)
    return endpoint


def _set_active(endpoint, active):
    if active and not endpoint.active:
        endpoint.failing_since = endpoint.disabled_at = endpoint.disabled_reason = None
    elif not active and endpoint.active:
        endpoint.disabled_at = utcnow()
    endpoint.active = active


def delete_endpoint(webhook_id):
    endpoint = get_endpoint(webhook_id)
    with db.transaction():
        discard_pending(_endpoint_key(endpoint.id))
        db.session.delete(endpoint)


def rotate_secret(webhook_id):
    """A new secret; the current one keeps signing beside it for SECRET_GRACE."""
    endpoint = get_endpoint(webhook_id)
    with db.transaction():
        endpoint.previous_secret = endpoint.secret
        endpoint.previous_secret_expires_at = utcnow() + SECRET_GRACE
        endpoint.secret = new_secret()
    return endpoint


def send_test(webhook_id):
    endpoint = get_endpoint(webhook_id)
    return queue_event(Type.PING, {"webhook_id": endpoint.id, "message": "Hello from CISIP: "
                                   "this endpoint receives signed webhooks."}, [endpoint])


def list_deliveries(webhook_id, args):
    endpoint = get_endpoint(webhook_id)
    stmt = select(WebhookDelivery).where(WebhookDelivery.endpoint_id == endpoint.id)
    if "event" in args:
        stmt = stmt.where(WebhookDelivery.event_id == args["event"])
    if "event_type" in args:
        stmt = stmt.join(WebhookDelivery.event).where(
            WebhookEvent.type == args["event_type"].value)
    if "succeeded" in args:
        stmt = stmt.where(WebhookDelivery.succeeded.is_(args["succeeded"]))
    return paginate(db.session, stmt, args, {"attempted_at": WebhookDelivery.attempted_at})


def redeliver(webhook_id, delivery_id):
    """Send the event of a logged attempt again (same `webhook-id`), from a first attempt."""
    endpoint = get_endpoint(webhook_id)
    delivery = db.session.scalar(select(WebhookDelivery).where(
        WebhookDelivery.id == delivery_id, WebhookDelivery.endpoint_id == endpoint.id))
    if delivery is None:
        raise NotFound("This endpoint has no delivery with this id.")
    if not endpoint.active:
        raise APIError("The endpoint is disabled; enable it (`active: true`) first.",
                       status=409, code="webhook_disabled")
    with db.transaction():
        queue_delivery(delivery.event, endpoint, redelivery=True)
    return delivery.event
