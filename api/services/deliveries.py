"""Delivering webhook events (Standard Webhooks signatures, the call, the delivery log, the
endpoint's state) and firing scheduled publications: the worker's outbox kinds beyond email.

A 2xx answer within 10 s delivers an event; anything else is retried for about three days
under the same `webhook-id`. `410 Gone` disables the endpoint at once, five days without a
success too; either way its creator is emailed.
"""

import http.client
import logging
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from flask import current_app
from sqlalchemy import delete, select
from standardwebhooks import Webhook

from api import safe_http
from api.extensions import db
from api.models import WebhookDelivery, WebhookEndpoint, WebhookEvent
from api.models.base import utcnow
from api.outbox import Kind, Result, Retries, describe_error
from api.services import emails
from api.services.webhooks import fire_publication

FAILING_LIMIT = timedelta(days=5)
LOG_KEPT = timedelta(days=30)
USER_AGENT = "CISIP-Webhooks/1.0 (+https://www.standardwebhooks.com/)"


@dataclass(frozen=True)
class Call:
    url: str
    event_id: uuid.UUID
    body: str
    secrets: list[str]
    healthy: bool  # the endpoint is not in a failing streak: a success changes nothing


@dataclass(frozen=True)
class Attempt:
    """What one call came to, for the delivery log."""

    http_status: int | None
    duration_ms: int
    excerpt: str | None
    healthy: bool


def signed_headers(event_id, body, secrets, now=None):
    """Standard Webhooks headers: one `v1,` signature per secret (two during a rotation)."""
    now = now or datetime.now(UTC)
    signatures = " ".join(Webhook(secret).sign(str(event_id), now, body) for secret in secrets)
    return {"Content-Type": "application/json", "User-Agent": USER_AGENT,
            "webhook-id": str(event_id), "webhook-timestamp": str(int(now.timestamp())),
            "webhook-signature": signatures}


class WebhookKind(Kind):
    """Outbox items of kind `webhook`: one event for one endpoint."""

    name = "webhook"
    # 30 s, 1 min, 2 min, … doubling up to 12 h: 17 attempts span about three days.
    retries = Retries(attempts=17, first=30, longest=12 * 3600)
    logger = logging.getLogger("api.webhooks")

    def prepare(self, items):
        """The calls of a batch: its endpoints and events read in two queries."""
        endpoints = _by_id(WebhookEndpoint, {item.payload["endpoint_id"] for item in items})
        events = _by_id(WebhookEvent, {item.payload["event_id"] for item in items})
        return {item.id: _call(endpoints.get(item.payload["endpoint_id"]),
                               events.get(item.payload["event_id"])) for item in items}

    def send(self, item, call):
        if call is None:  # not prepared (the batch's read failed): read it alone
            call = self.prepare([item])[item.id]
            db.session.rollback()  # no transaction stays open during the call
        if isinstance(call, Result):
            return call
        started = time.monotonic()
        status = excerpt = error = None
        try:
            # Signed now: `webhook-timestamp` is the time of this attempt.
            headers = signed_headers(call.event_id, call.body, call.secrets)
            answer = safe_http.post(call.url, call.body.encode(), headers,
                                    safe_http.Policy.from_config(current_app.config))
            status, excerpt = answer.status, answer.excerpt
        except safe_http.RefusedURL as refused:
            error = f"Refused: {refused}"
        except (OSError, http.client.HTTPException) as failed:
            error = describe_error(failed)
        attempt = Attempt(status, round((time.monotonic() - started) * 1000), excerpt,
                          call.healthy)
        if status is not None and 200 <= status < 300:
            return Result(True, detail=attempt)
        if status is not None:
            error = f"HTTP {status}" + (" (redirects are not followed)"
                                        if 300 <= status < 400 else "")
        return Result(False, error, permanent=status == 410, detail=attempt)

    def settle(self, item, result, retry_at, now):
        attempt = result.detail
        if attempt is None:
            return  # nothing was sent: no attempt to log
        endpoint_id = uuid.UUID(item.payload["endpoint_id"])
        db.session.add(WebhookDelivery(
            endpoint_id=endpoint_id, event_id=uuid.UUID(item.payload["event_id"]),
            attempt=item.attempts, redelivery=item.payload.get("redelivery", False),
            succeeded=result.ok, http_status=attempt.http_status,
            duration_ms=attempt.duration_ms, error=result.error and result.error[:200],
            response_excerpt=attempt.excerpt, attempted_at=now, next_retry_at=retry_at))
        if result.ok and attempt.healthy:
            return
        endpoint = db.session.get(WebhookEndpoint, endpoint_id)
        if endpoint is not None:
            _track_health(endpoint, result, attempt, now)


def _by_id(model, ids):
    rows = db.session.scalars(select(model).where(model.id.in_([uuid.UUID(i) for i in ids])))
    return {str(row.id): row for row in rows}


def _call(endpoint, event):
    """The call to make, or the Result of not making it."""
    if endpoint is None or event is None:
        return Result(False, "The endpoint or the event was deleted.", permanent=True)
    if not endpoint.active and event.type != "ping":
        return Result(False, "The endpoint is disabled.", permanent=True)
    secrets = [endpoint.secret]
    if endpoint.previous_secret and endpoint.previous_secret_expires_at > utcnow():
        secrets.append(endpoint.previous_secret)
    return Call(endpoint.url, event.id, event.body, secrets,
                healthy=endpoint.failing_since is None)


def _track_health(endpoint, result, attempt, now):
    """A success clears the failing streak; 410 or five failing days disable the endpoint."""
    if result.ok:
        if endpoint.failing_since is not None:
            endpoint.failing_since = None
        return
    if endpoint.failing_since is None:
        endpoint.failing_since = now
    if not endpoint.active:
        return
    if attempt.http_status == 410:
        _disable(endpoint, "gone", now)
    elif now - endpoint.failing_since >= FAILING_LIMIT:
        _disable(endpoint, "failing", now)


def _disable(endpoint, reason, now):
    endpoint.active = False
    endpoint.disabled_at, endpoint.disabled_reason = now, reason
    WebhookKind.logger.warning("webhook endpoint %s (%s) disabled: %s", endpoint.id,
                               endpoint.url, reason)
    creator = endpoint.created_by
    if creator is not None and creator.deleted_at is None:
        emails.send_webhook_disabled(creator, endpoint.url, reason)


class PublicationKind(Kind):
    """Outbox items of kind `publication`: a scheduled item's time came. The event is queued
    in the transaction that removes the item, so it is announced exactly once."""

    name = "publication"
    retries = Retries(attempts=20, first=10, longest=3600)

    def settle(self, item, result, retry_at, now):
        if result.ok:
            fire_publication(item.payload, now)


def purge_log(now):
    """Drop delivery attempts and events older than LOG_KEPT (the log's 30 days)."""
    with db.transaction():
        db.session.execute(delete(WebhookDelivery).where(
            WebhookDelivery.attempted_at < now - LOG_KEPT))
        db.session.execute(delete(WebhookEvent).where(WebhookEvent.created_at < now - LOG_KEPT))
