"""Speakers: people who took part in the community's forums and events."""

import uuid

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from api.models.base import Base, IdMixin, TimestampMixin
from api.models.search import ALWAYS, Searchable
from api.models.translatable import TranslatableMixin


class Speaker(Searchable, TranslatableMixin, IdMixin, TimestampMixin, Base):
    __tablename__ = "speakers"
    SEARCH_TYPE = "speaker"
    TRANSLATABLE_FIELDS = ("name", "job_title", "organization", "bio")

    name: Mapped[str] = mapped_column(String(200), index=True)
    slug: Mapped[str] = mapped_column(String(220), unique=True)
    honorific: Mapped[str | None] = mapped_column(String(40))
    job_title: Mapped[str | None] = mapped_column(String(300))
    organization: Mapped[str | None] = mapped_column(String(300), index=True)
    country: Mapped[str | None] = mapped_column(String(2), index=True)
    bio: Mapped[str | None] = mapped_column(Text)
    photo_url: Mapped[str | None] = mapped_column(String(2048))
    park_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("parks.id", ondelete="SET NULL"), index=True
    )

    park = relationship("Park")

    def search_document(self):
        texts = [self.honorific, self.job_title, self.organization, self.bio]
        for values in (self.translations or {}).values():
            texts.extend(values.values())
        return {"title": self.name, "content": " ".join(t for t in texts if t),
                "visible_from": ALWAYS}
