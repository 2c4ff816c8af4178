"""The audit trail: security events (logins, resets, role and status changes, API keys)."""

import enum
import uuid
from datetime import datetime

from sqlalchemy import Enum, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from api.models.base import Base, IdMixin, utcnow


class AuditEventType(enum.StrEnum):
    LOGIN_SUCCEEDED = "login_succeeded"
    LOGIN_FAILED = "login_failed"
    MEMBER_REGISTERED = "member_registered"
    EMAIL_VERIFIED = "email_verified"
    MEMBER_INVITED = "member_invited"
    RESET_REQUESTED = "password_reset_requested"
    RESET_COMPLETED = "password_reset_completed"
    PASSWORD_CHANGED = "password_changed"  # noqa: S105 (an event name)
    ROLE_CHANGED = "role_changed"
    STATUS_CHANGED = "status_changed"
    SESSIONS_ENDED = "sessions_ended"
    MEMBER_DELETED = "member_deleted"
    API_KEY_CREATED = "api_key_created"
    API_KEY_UPDATED = "api_key_updated"
    API_KEY_ROLLED = "api_key_rolled"
    API_KEY_REVOKED = "api_key_revoked"


class AuditEvent(IdMixin, Base):
    __tablename__ = "audit_events"
    __cache_public_fields__: frozenset[str] = frozenset()  # never in a cached response

    event: Mapped[AuditEventType] = mapped_column(
        Enum(AuditEventType, native_enum=False, length=40,
             values_callable=lambda e: [m.value for m in e]),
        index=True,
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    member_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("members.id", ondelete="SET NULL"), index=True
    )
    actor_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("members.id", ondelete="SET NULL")
    )
    ip_address: Mapped[str | None] = mapped_column(String(64))
    detail: Mapped[dict] = mapped_column(default=dict)

    member = relationship("Member", foreign_keys=[member_id], lazy="selectin")
    actor = relationship("Member", foreign_keys=[actor_id], lazy="selectin")
