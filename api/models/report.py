"""Reports the community publishes (PDF files), their parks, and the record of downloads."""

import enum
import uuid
from datetime import datetime

from sqlalchemy import BigInteger, Column, Enum, ForeignKey, Index, String, Table, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from api.models.base import Base, IdMixin, TimestampMixin, utcnow
from api.models.news import news_reports
from api.models.search import Searchable
from api.models.translatable import TranslatableMixin


class Access(enum.StrEnum):
    PUBLIC = "public"
    MEMBERS = "members"


report_parks = Table(
    "report_parks",
    Base.metadata,
    Column("report_id", ForeignKey("reports.id", ondelete="CASCADE"), primary_key=True),
    Column("park_id", ForeignKey("parks.id", ondelete="CASCADE"), primary_key=True,
           index=True),
)


class Report(Searchable, TranslatableMixin, IdMixin, TimestampMixin, Base):
    __tablename__ = "reports"
    SEARCH_TYPE = "report"
    TRANSLATABLE_FIELDS = ("title", "summary")

    title: Mapped[str] = mapped_column(String(300))
    slug: Mapped[str] = mapped_column(String(220), unique=True)
    year: Mapped[int] = mapped_column(index=True)
    summary: Mapped[str | None] = mapped_column(Text)
    published_at: Mapped[datetime | None] = mapped_column(index=True)
    cover_image_url: Mapped[str | None] = mapped_column(String(2048))
    access: Mapped[Access] = mapped_column(
        Enum(Access, native_enum=False, length=20, values_callable=lambda e: [m.value for m in e]),
        default=Access.MEMBERS,
    )
    file_key: Mapped[str | None] = mapped_column(String(300))
    file_name: Mapped[str | None] = mapped_column(String(255))
    file_size: Mapped[int | None] = mapped_column(BigInteger)
    file_content_type: Mapped[str | None] = mapped_column(String(100))
    file_sha256: Mapped[str | None] = mapped_column(String(64))
    download_count: Mapped[int] = mapped_column(default=0, server_default="0")

    parks = relationship("Park", secondary=report_parks, order_by="Park.name")
    # Written through `News.reports`; read only from this side.
    news = relationship("News", secondary=news_reports, viewonly=True,
                        order_by="[News.published_at.desc().nulls_last(), News.id]")
    # Written through `Event.reports`: the events it was released at.
    events = relationship("Event", secondary="event_reports", viewonly=True,
                          order_by="[Event.starts_at.desc(), Event.id]")

    @property
    def file(self):
        if self.file_key is None:
            return None
        return {"name": self.file_name, "size": self.file_size,
                "content_type": self.file_content_type, "sha256": self.file_sha256}

    def search_document(self):
        # Members-only reports are found too: their metadata is public, only the file is not.
        texts = [str(self.year), self.summary]
        for values in (self.translations or {}).values():
            texts.extend(values.values())
        return {"title": self.title, "content": " ".join(t for t in texts if t),
                "visible_from": self.published_at}


class ReportDownload(IdMixin, Base):
    """One download of a members-only report: who, when, from where."""

    __tablename__ = "report_downloads"
    __cache_public_fields__: frozenset[str] = frozenset()  # no cached response shows these
    __table_args__ = (Index("ix_report_downloads_member_time", "member_id", "downloaded_at"),)

    report_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("reports.id", ondelete="CASCADE"), index=True
    )
    member_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("members.id", ondelete="SET NULL")
    )
    downloaded_at: Mapped[datetime] = mapped_column(default=utcnow)
    ip: Mapped[str | None] = mapped_column(String(45))
    user_agent: Mapped[str | None] = mapped_column(String(300))
    via_link: Mapped[bool] = mapped_column(default=False)

    member = relationship("Member", lazy="joined")
