"""Single-use account tokens (password reset, invitation, email verification), stored hashed."""

import enum
import uuid
from datetime import datetime

from sqlalchemy import Enum, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from api.models.base import Base, IdMixin, utcnow


class TokenPurpose(enum.StrEnum):
    RESET = "reset"
    INVITE = "invite"
    VERIFY = "verify"


class AccountToken(IdMixin, Base):
    __tablename__ = "account_tokens"
    __cache_public_fields__: frozenset[str] = frozenset()  # never in a cached response

    member_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("members.id", ondelete="CASCADE"), index=True
    )
    purpose: Mapped[TokenPurpose] = mapped_column(
        Enum(TokenPurpose, native_enum=False, length=20,
             values_callable=lambda e: [m.value for m in e]),
    )
    # SHA-256 of the token: a database leak reveals no working link.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]

    member = relationship("Member")

    @property
    def is_usable(self):
        return self.used_at is None and self.expires_at > utcnow()
