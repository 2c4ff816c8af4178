"""The outbox: work that leaves the database (emails, webhook calls, scheduled notices),
written in the transaction that causes it and delivered by the workers."""

import enum
import uuid
from datetime import datetime

from sqlalchemy import Enum, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from api.models.base import Base, IdMixin, utcnow


class OutboxStatus(enum.StrEnum):
    PENDING = "pending"
    FAILED = "failed"


class OutboxItem(IdMixin, Base):
    """One piece of work. A worker claims it by moving `available_at` past its lease and
    setting a fresh `claim`; a delivered item is deleted, one that ran out of attempts kept
    as `failed`."""

    __tablename__ = "outbox"
    __cache_public_fields__: frozenset[str] = frozenset()  # never in a cached response
    __table_args__ = (
        # Only pending rows are ever looked for by time: a small index however long the
        # failed ones are kept.
        Index("ix_outbox_due", "available_at", postgresql_where=text("status = 'pending'"),
              sqlite_where=text("status = 'pending'")),
    )

    kind: Mapped[str] = mapped_column(String(20))
    # What it is, for logs and admins, without its content (no email body, no token).
    summary: Mapped[str] = mapped_column(String(300))
    payload: Mapped[dict] = mapped_column(default=dict)
    status: Mapped[OutboxStatus] = mapped_column(
        Enum(OutboxStatus, native_enum=False, length=20,
             values_callable=lambda e: [m.value for m in e]),
        default=OutboxStatus.PENDING, index=True)
    # What the item is about, for items that replace each other (a news item's scheduled
    # publication); None for most.
    key: Mapped[str | None] = mapped_column(String(120), index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    available_at: Mapped[datetime] = mapped_column(default=utcnow)
    claim: Mapped[uuid.UUID | None]
    claimed_by: Mapped[str | None] = mapped_column(String(120))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    failed_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(Text)


class WorkerHeartbeat(Base):
    """A running worker process, as it last reported itself."""

    __tablename__ = "outbox_workers"
    __cache_public_fields__: frozenset[str] = frozenset()

    id: Mapped[str] = mapped_column(String(120), primary_key=True)
    hostname: Mapped[str] = mapped_column(String(255))
    pid: Mapped[int]
    threads: Mapped[int]
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    heartbeat_at: Mapped[datetime] = mapped_column(default=utcnow)
    delivered: Mapped[int] = mapped_column(default=0)
    failed: Mapped[int] = mapped_column(default=0)
