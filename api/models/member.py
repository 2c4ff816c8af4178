"""Members: people of member parks and organisations who log in."""

import enum
import uuid
from datetime import datetime

from sqlalchemy import Enum, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from api.models.base import Base, IdMixin, TimestampMixin
from api.security import hash_password, password_needs_rehash, verify_password


class Role(enum.StrEnum):
    MEMBER = "member"
    EDITOR = "editor"
    ADMIN = "admin"

    @property
    def rank(self):
        return list(Role).index(self)


class MemberStatus(enum.StrEnum):
    PENDING = "pending"
    ACTIVE = "active"
    SUSPENDED = "suspended"


class Member(IdMixin, TimestampMixin, Base):
    __tablename__ = "members"
    # Read only by admins and by the member themself (see `hidden_fields`).
    PRIVATE_FIELDS = frozenset({"email", "last_login_at", "email_verified_at"})
    # Only these appear in public responses (as an author); a login changes none of them.
    __cache_public_fields__ = frozenset({"full_name", "photo_url", "title", "organization"})

    email: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str | None] = mapped_column(String(255))
    full_name: Mapped[str] = mapped_column(String(200))
    title: Mapped[str | None] = mapped_column(String(200))
    organization: Mapped[str | None] = mapped_column(String(200))
    country: Mapped[str | None] = mapped_column(String(2))
    park_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("parks.id", ondelete="SET NULL"), index=True
    )
    bio: Mapped[str | None] = mapped_column(Text)
    photo_url: Mapped[str | None] = mapped_column(String(2048))
    role: Mapped[Role] = mapped_column(
        Enum(Role, native_enum=False, length=20, values_callable=lambda e: [m.value for m in e]),
        default=Role.MEMBER,
    )
    status: Mapped[MemberStatus] = mapped_column(
        Enum(MemberStatus, native_enum=False, length=20,
             values_callable=lambda e: [m.value for m in e]),
        default=MemberStatus.PENDING,
    )
    language: Mapped[str] = mapped_column(String(35), default="en")
    last_login_at: Mapped[datetime | None]
    password_changed_at: Mapped[datetime | None]
    email_verified_at: Mapped[datetime | None]
    # Set when the member was deleted: the row stays, anonymised, for authored content.
    deleted_at: Mapped[datetime | None]

    park = relationship("Park", lazy="joined")

    @property
    def password(self):
        raise AttributeError("password is write-only")

    @password.setter
    def password(self, plaintext):
        self.password_hash = hash_password(plaintext)

    def check_password(self, plaintext):
        """True when `plaintext` is the password; upgrades an outdated hash in place.

        Costs one hash verification whether or not the member has a password.
        """
        if not verify_password(self.password_hash, plaintext):
            return False
        if password_needs_rehash(self.password_hash):
            self.password = plaintext
        return True

    def has_role(self, role):
        return self.role.rank >= Role(role).rank


def hidden_fields(viewer, member=None):
    """The fields of `member` that `viewer` may not read; without a member, those of every
    member (what a list may not sort by). Admins read every field, a member their own."""
    if viewer is not None and (viewer.has_role(Role.ADMIN)
                               or (member is not None and viewer.id == member.id)):
        return frozenset()
    return Member.PRIVATE_FIELDS
