"""Partner keys: publishable and secret API keys, stored hashed, and their daily usage."""

import enum
import uuid
from datetime import date, datetime

from sqlalchemy import ColumnElement, Enum, ForeignKey, Index, String, case
from sqlalchemy.ext.hybrid import hybrid_property
from sqlalchemy.orm import Mapped, mapped_column, relationship

from api.models.base import Base, IdMixin, TimestampMixin, utcnow


class ApiKeyKind(enum.StrEnum):
    PUBLISHABLE = "publishable"
    SECRET = "secret"  # noqa: S105 (a kind of key, not a secret)


class ApiKey(IdMixin, TimestampMixin, Base):
    __tablename__ = "api_keys"
    __cache_public_fields__: frozenset[str] = frozenset()  # never in a cached response

    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[ApiKeyKind] = mapped_column(
        Enum(ApiKeyKind, native_enum=False, length=20,
             values_callable=lambda e: [m.value for m in e]))
    # SHA-256 of the key: keys are 190 random bits, so a plain hash is safe to look up by.
    secret_hash: Mapped[str] = mapped_column(String(64), unique=True)
    key_hint: Mapped[str] = mapped_column(String(40))
    # The secret before the last roll, valid until `previous_expires_at` (the grace period).
    previous_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    previous_expires_at: Mapped[datetime | None]
    allowed_origins: Mapped[list] = mapped_column(default=list)
    rate_limit: Mapped[str] = mapped_column(String(40))
    daily_quota: Mapped[int | None]
    park_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("parks.id", ondelete="SET NULL"), index=True)
    active: Mapped[bool] = mapped_column(default=True)
    expires_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]
    last_used_at: Mapped[datetime | None]
    created_by_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("members.id", ondelete="SET NULL"))

    park = relationship("Park", lazy="joined")
    created_by = relationship("Member", lazy="joined")

    @hybrid_property
    def status(self) -> str:
        """`active`, `inactive` (switched off), `expired` or `revoked`."""
        if self.revoked_at is not None:
            return "revoked"
        if self.expires_at is not None and self.expires_at <= utcnow():
            return "expired"
        return "active" if self.active else "inactive"

    @status.inplace.expression
    @classmethod
    def _status_expression(cls) -> ColumnElement[str]:
        return case((cls.revoked_at.is_not(None), "revoked"),
                    (cls.expires_at <= utcnow(), "expired"),
                    (cls.active, "active"), else_="inactive")


class ApiKeyUsage(Base):
    """Requests served with a key, per UTC day and endpoint group (90 days are kept)."""

    __tablename__ = "api_key_usage"
    __cache_public_fields__: frozenset[str] = frozenset()
    __table_args__ = (Index("ix_api_key_usage_day", "day"),)

    api_key_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("api_keys.id", ondelete="CASCADE"), primary_key=True)
    day: Mapped[date] = mapped_column(primary_key=True)
    endpoint_group: Mapped[str] = mapped_column(String(40), primary_key=True)
    requests: Mapped[int] = mapped_column(default=0)
