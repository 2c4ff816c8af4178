"""Science and technology parks of the community's directory."""

from datetime import date

from sqlalchemy import Float, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from api.models.base import Base, IdMixin, TimestampMixin
from api.models.search import ALWAYS, Searchable
from api.models.translatable import TranslatableMixin


class Park(Searchable, TranslatableMixin, IdMixin, TimestampMixin, Base):
    __tablename__ = "parks"
    SEARCH_TYPE = "park"
    TRANSLATABLE_FIELDS = ("name", "description", "city")

    name: Mapped[str] = mapped_column(String(200), index=True)
    slug: Mapped[str] = mapped_column(String(220), unique=True)
    country: Mapped[str] = mapped_column(String(2), index=True)
    city: Mapped[str | None] = mapped_column(String(120))
    website: Mapped[str | None] = mapped_column(String(2048))
    description: Mapped[str | None] = mapped_column(Text)
    founded_year: Mapped[int | None]
    focus_industries: Mapped[list] = mapped_column(default=list)
    logo_url: Mapped[str | None] = mapped_column(String(2048))
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    is_member: Mapped[bool] = mapped_column(default=True, index=True)
    member_since: Mapped[date | None]

    @property
    def location(self):
        if self.latitude is None or self.longitude is None:
            return None
        return {"lat": self.latitude, "lon": self.longitude}

    def search_document(self):
        texts = [self.city, self.description, " ".join(self.focus_industries or [])]
        for values in (self.translations or {}).values():
            texts.extend(values.values())
        return {"title": self.name, "content": " ".join(t for t in texts if t),
                "visible_from": ALWAYS}
