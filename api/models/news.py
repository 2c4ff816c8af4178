"""News: what the community publishes about its forums and events."""

import enum
import uuid
from datetime import datetime

from sqlalchemy import Column, Enum, ForeignKey, Index, String, Table, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from api.models.base import Base, IdMixin, TimestampMixin
from api.models.search import Searchable
from api.models.translatable import TranslatableMixin
from api.sanitize import html_to_text


class NewsStatus(enum.StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"
    ARCHIVED = "archived"


class SpeakerRole(enum.StrEnum):
    HOST = "host"
    KEYNOTE = "keynote"
    SPEAKER = "speaker"
    PANELIST = "panelist"
    PRESENTER = "presenter"


def _enum(cls):
    return Enum(cls, native_enum=False, length=20, values_callable=lambda e: [m.value for m in e])


# Links to other resources are plain association tables: (news_id, other_id).
news_parks = Table(
    "news_parks", Base.metadata,
    Column("news_id", ForeignKey("news.id", ondelete="CASCADE"), primary_key=True),
    Column("park_id", ForeignKey("parks.id", ondelete="CASCADE"), primary_key=True, index=True),
)
news_reports = Table(
    "news_reports", Base.metadata,
    Column("news_id", ForeignKey("news.id", ondelete="CASCADE"), primary_key=True),
    Column("report_id", ForeignKey("reports.id", ondelete="CASCADE"), primary_key=True,
           index=True),
)


class NewsSpeaker(Base):
    """A speaker's part in a news item: their role and the title of their talk."""

    __tablename__ = "news_speakers"
    # A link row purges the news item and the speaker it links, and the news collection.
    __cache_collection__ = "news"

    news_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("news.id", ondelete="CASCADE"),
                                               primary_key=True)
    speaker_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("speakers.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    role: Mapped[SpeakerRole] = mapped_column(_enum(SpeakerRole), default=SpeakerRole.SPEAKER)
    talk_title: Mapped[str | None] = mapped_column(String(300))
    position: Mapped[int] = mapped_column(default=0)

    speaker = relationship("Speaker", lazy="joined", innerjoin=True)
    news = relationship("News", back_populates="speaker_links")


class News(Searchable, TranslatableMixin, IdMixin, TimestampMixin, Base):
    __tablename__ = "news"
    __table_args__ = (Index("ix_news_status_published_at_id", "status", "published_at", "id"),)
    SEARCH_TYPE = "news"
    TRANSLATABLE_FIELDS = ("title", "summary", "body")

    title: Mapped[str] = mapped_column(String(300), index=True)
    slug: Mapped[str] = mapped_column(String(320), unique=True)
    summary: Mapped[str] = mapped_column(Text, default="")
    body: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[NewsStatus] = mapped_column(_enum(NewsStatus), default=NewsStatus.DRAFT)
    published_at: Mapped[datetime | None]
    cover_image: Mapped[dict | None]
    images: Mapped[list] = mapped_column(default=list)
    tags: Mapped[list] = mapped_column(default=list)
    author_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("members.id", ondelete="SET NULL"), index=True
    )

    author = relationship("Member")
    parks = relationship("Park", secondary=news_parks, order_by="Park.name")
    reports = relationship("Report", secondary=news_reports,
                           order_by="[Report.year.desc(), Report.title]")
    speaker_links = relationship("NewsSpeaker", back_populates="news",
                                 cascade="all, delete-orphan", order_by=NewsSpeaker.position)
    # Written through `Event.news`; read only from this side.
    events = relationship("Event", secondary="event_news", viewonly=True,
                          order_by="[Event.starts_at.desc(), Event.id]")

    def search_document(self):
        body = html_to_text(self.body)
        # A summary derived from the body would only repeat its first words.
        summary = "" if body.startswith(self.summary.rstrip("…")) else self.summary
        texts = [summary, body, " ".join(self.tags or [])]
        for values in (self.translations or {}).values():
            texts.extend(html_to_text(v) if k == "body" else v for k, v in values.items())
        visible = self.published_at if self.status is NewsStatus.PUBLISHED else None
        return {"title": self.title, "content": " ".join(t for t in texts if t),
                "visible_from": visible}
