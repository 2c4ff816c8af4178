"""Webhooks: the endpoints partner sites register, the events sent to them, and the log of
every delivery attempt."""

import enum
import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from api.models.base import Base, IdMixin, TimestampMixin, utcnow


class WebhookEventType(enum.StrEnum):
    NEWS_PUBLISHED = "news.published"
    NEWS_UPDATED = "news.updated"
    NEWS_UNPUBLISHED = "news.unpublished"
    NEWS_DELETED = "news.deleted"
    EVENT_PUBLISHED = "event.published"
    EVENT_UPDATED = "event.updated"
    EVENT_CANCELLED = "event.cancelled"
    REPORT_PUBLISHED = "report.published"
    PARK_CREATED = "park.created"
    PARK_UPDATED = "park.updated"
    PARK_DELETED = "park.deleted"
    PING = "ping"


class WebhookEndpoint(IdMixin, TimestampMixin, Base):
    __tablename__ = "webhook_endpoints"
    __cache_public_fields__: frozenset[str] = frozenset()  # never in a cached response

    url: Mapped[str] = mapped_column(String(2048))
    events: Mapped[list] = mapped_column(default=list)
    description: Mapped[str | None] = mapped_column(String(500))
    active: Mapped[bool] = mapped_column(default=True)
    # Signing needs the secret itself, so it is stored as it is (shown to no one after it
    # is made); the previous one keeps signing until `previous_secret_expires_at`.
    secret: Mapped[str] = mapped_column(String(100))
    previous_secret: Mapped[str | None] = mapped_column(String(100))
    previous_secret_expires_at: Mapped[datetime | None]
    # Since when every delivery failed (None after a success); five days disable it.
    failing_since: Mapped[datetime | None]
    disabled_at: Mapped[datetime | None]
    disabled_reason: Mapped[str | None] = mapped_column(String(20))
    created_by_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("members.id", ondelete="SET NULL"))

    created_by = relationship("Member")


class WebhookEvent(IdMixin, Base):
    """An event as it is sent: its id is every delivery's `webhook-id`, and `body` the exact
    bytes signed and sent on every attempt."""

    __tablename__ = "webhook_events"
    __cache_public_fields__: frozenset[str] = frozenset()

    type: Mapped[str] = mapped_column(String(40))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)

    @property
    def event_type(self):
        return WebhookEventType(self.type)


class WebhookDelivery(IdMixin, Base):
    """One attempt to deliver an event to an endpoint."""

    __tablename__ = "webhook_deliveries"
    __cache_public_fields__: frozenset[str] = frozenset()
    __table_args__ = (Index("ix_webhook_deliveries_endpoint_id_attempted_at", "endpoint_id",
                            "attempted_at"),)

    endpoint_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("webhook_endpoints.id", ondelete="CASCADE"))
    event_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("webhook_events.id", ondelete="CASCADE"), index=True)
    attempt: Mapped[int]
    redelivery: Mapped[bool] = mapped_column(default=False)
    succeeded: Mapped[bool]
    http_status: Mapped[int | None]
    duration_ms: Mapped[int]
    error: Mapped[str | None] = mapped_column(String(200))
    response_excerpt: Mapped[str | None] = mapped_column(String(500))
    attempted_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    next_retry_at: Mapped[datetime | None]

    event = relationship("WebhookEvent", lazy="joined", innerjoin=True)

    @property
    def event_type(self):
        return self.event.event_type
