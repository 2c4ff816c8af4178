"""Events (forums, conferences, webinars): their agenda of sessions and members' registrations."""

import enum
import uuid
from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import (
    Column,
    Enum,
    ForeignKey,
    Index,
    String,
    Table,
    Text,
    UniqueConstraint,
    and_,
    func,
    or_,
    select,
)
from sqlalchemy.orm import Mapped, column_property, mapped_column, relationship

from api.models.base import Base, IdMixin, TimestampMixin, utcnow
from api.models.search import Searchable
from api.models.translatable import TranslatableMixin
from api.sanitize import html_to_text


class EventStatus(enum.StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"
    CANCELLED = "cancelled"


class EventMode(enum.StrEnum):
    IN_PERSON = "in_person"
    ONLINE = "online"
    HYBRID = "hybrid"


class AttendanceMode(enum.StrEnum):
    """How one registered member takes part."""

    IN_PERSON = "in_person"
    ONLINE = "online"


class SessionType(enum.StrEnum):
    OPENING = "opening"
    KEYNOTE = "keynote"
    REPORT_RELEASE = "report_release"
    PRESENTATION = "presentation"
    COMPANY_PRESENTATION = "company_presentation"
    ROUNDTABLE = "roundtable"
    PANEL = "panel"
    BREAK = "break"
    CLOSING = "closing"


class ParticipantRole(enum.StrEnum):
    HOST = "host"
    MODERATOR = "moderator"
    KEYNOTE = "keynote"
    SPEAKER = "speaker"
    PANELIST = "panelist"
    PRESENTER = "presenter"
    CLOSING = "closing"


class RegistrationStatus(enum.StrEnum):
    CONFIRMED = "confirmed"
    WAITLISTED = "waitlisted"
    CANCELLED = "cancelled"


def _enum(cls, length=20):
    return Enum(cls, native_enum=False, length=length,
                values_callable=lambda e: [m.value for m in e])


event_parks = Table(
    "event_parks", Base.metadata,
    Column("event_id", ForeignKey("events.id", ondelete="CASCADE"), primary_key=True),
    Column("park_id", ForeignKey("parks.id", ondelete="CASCADE"), primary_key=True, index=True),
)
event_news = Table(
    "event_news", Base.metadata,
    Column("event_id", ForeignKey("events.id", ondelete="CASCADE"), primary_key=True),
    Column("news_id", ForeignKey("news.id", ondelete="CASCADE"), primary_key=True, index=True),
)
event_reports = Table(
    "event_reports", Base.metadata,
    Column("event_id", ForeignKey("events.id", ondelete="CASCADE"), primary_key=True),
    Column("report_id", ForeignKey("reports.id", ondelete="CASCADE"), primary_key=True,
           index=True),
)


class Event(Searchable, TranslatableMixin, IdMixin, TimestampMixin, Base):
    __tablename__ = "events"
    __table_args__ = (Index("ix_events_status_starts_at_id", "status", "starts_at", "id"),)
    SEARCH_TYPE = "event"
    TRANSLATABLE_FIELDS = ("title", "theme", "summary", "body")

    title: Mapped[str] = mapped_column(String(300), index=True)
    slug: Mapped[str] = mapped_column(String(320), unique=True)
    theme: Mapped[str | None] = mapped_column(String(500))
    summary: Mapped[str] = mapped_column(Text, default="")
    body: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[EventStatus] = mapped_column(_enum(EventStatus), default=EventStatus.DRAFT)
    # When it was first published: only a published event can be cancelled.
    published_at: Mapped[datetime | None]
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime] = mapped_column(index=True)
    timezone: Mapped[str] = mapped_column(String(64))
    # The calendar date it starts on where it is held (the `from`/`to` filters).
    start_date: Mapped[date] = mapped_column(index=True)
    mode: Mapped[EventMode] = mapped_column(_enum(EventMode), default=EventMode.IN_PERSON)
    venue_name: Mapped[str | None] = mapped_column(String(300))
    venue_address: Mapped[str | None] = mapped_column(String(500))
    venue_city: Mapped[str | None] = mapped_column(String(120))
    country: Mapped[str | None] = mapped_column(String(2), index=True)
    latitude: Mapped[float | None]
    longitude: Mapped[float | None]
    streams: Mapped[list] = mapped_column(default=list)
    organizers: Mapped[list] = mapped_column(default=list)
    stats: Mapped[dict] = mapped_column(default=dict)
    capacity_in_person: Mapped[int | None]
    capacity_online: Mapped[int | None]
    registration_opens_at: Mapped[datetime | None]
    registration_closes_at: Mapped[datetime | None]
    cover_image: Mapped[dict | None]
    # Grows with every change to the event or its sessions (iCalendar SEQUENCE).
    sequence: Mapped[int] = mapped_column(default=0)

    parks = relationship("Park", secondary=event_parks, order_by="Park.name")
    news = relationship("News", secondary=event_news,
                        order_by="[News.published_at.desc().nulls_last(), News.id]")
    reports = relationship("Report", secondary=event_reports,
                           order_by="[Report.year.desc(), Report.title]")
    sessions = relationship("EventSession", back_populates="event", cascade="all, delete-orphan",
                            order_by="EventSession.position")

    @property
    def venue(self):
        fields = (self.venue_name, self.venue_address, self.venue_city, self.country)
        if all(value is None for value in fields):
            return None
        location = None
        if self.latitude is not None and self.longitude is not None:
            location = {"lat": self.latitude, "lon": self.longitude}
        return {"name": self.venue_name, "address": self.venue_address,
                "city": self.venue_city, "country": self.country, "location": location}

    @property
    def capacity(self):
        return {"in_person": self.capacity_in_person, "online": self.capacity_online}

    def capacity_of(self, mode):
        return self.capacity_in_person if mode is AttendanceMode.IN_PERSON else self.capacity_online

    def offers(self, mode):
        """Whether members can attend in `mode` (an AttendanceMode)."""
        return self.mode is EventMode.HYBRID or self.mode.value == mode.value

    def is_public(self):
        return self.status is not EventStatus.DRAFT

    def registration_closes(self):
        """When registration closes: its own closing time, or the end of the event."""
        return min(self.registration_closes_at or self.ends_at, self.ends_at)

    def registration_open(self, now=None):
        now = now or utcnow()
        if self.status is not EventStatus.PUBLISHED:
            return False
        opens = self.registration_opens_at
        return (opens is None or opens <= now) and now < self.registration_closes()

    @property
    def registration(self):
        return {"opens_at": self.registration_opens_at, "closes_at": self.registration_closes_at,
                "open": self.registration_open()}

    def search_document(self):
        texts = [self.theme, html_to_text(self.body), self.venue_name, self.venue_city,
                 " ".join(organizer["name"] for organizer in self.organizers or [])]
        if not html_to_text(self.body).startswith(self.summary.rstrip("…")):
            texts.append(self.summary)
        for values in (self.translations or {}).values():
            texts.extend(html_to_text(v) if k == "body" else v for k, v in values.items())
        visible = (self.published_at or self.created_at) if self.is_public() else None
        return {"title": self.title, "content": " ".join(t for t in texts if t),
                "visible_from": visible}


class EventSession(TranslatableMixin, IdMixin, TimestampMixin, Base):
    """One item of an event's agenda."""

    __tablename__ = "event_sessions"
    # Shown by its event (whose row every agenda change updates) and by its speakers'
    # appearances, tagged by id; `agendas` is for the lists filtered by speaker.
    __cache_collection__ = "agendas"
    __table_args__ = (UniqueConstraint("event_id", "number"),)
    TRANSLATABLE_FIELDS = ("title", "description")

    event_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"),
                                                index=True)
    # A positive number, unique within the event and never reused (the frab schedule's id).
    number: Mapped[int]
    position: Mapped[int]
    type: Mapped[SessionType] = mapped_column(_enum(SessionType, length=30))
    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str | None] = mapped_column(Text)
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]
    room: Mapped[str | None] = mapped_column(String(200))
    stream_url: Mapped[str | None] = mapped_column(String(2048))

    event = relationship("Event", back_populates="sessions")
    participants = relationship("SessionParticipant", back_populates="session",
                                cascade="all, delete-orphan",
                                order_by="SessionParticipant.position")


class SessionParticipant(Base):
    """A speaker's part in a session: their role and the title of their talk."""

    __tablename__ = "session_participants"
    # A link row purges the session and the speaker it links (see api/http_cache.py), and
    # the event lists filtered by speaker.
    __cache_collection__ = "agendas"

    session_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("event_sessions.id", ondelete="CASCADE"), primary_key=True)
    speaker_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("speakers.id", ondelete="CASCADE"), primary_key=True, index=True)
    role: Mapped[ParticipantRole] = mapped_column(_enum(ParticipantRole))
    talk_title: Mapped[str | None] = mapped_column(String(300))
    position: Mapped[int] = mapped_column(default=0)

    speaker = relationship("Speaker", lazy="joined", innerjoin=True)
    session = relationship("EventSession", back_populates="participants")


class Registration(IdMixin, Base):
    """A member's registration for an event, in one attendance mode."""

    __tablename__ = "event_registrations"
    # About one member: never part of a cached (public) response.
    __cache_public_fields__: frozenset[str] = frozenset()
    __table_args__ = (
        UniqueConstraint("event_id", "member_id"),
        Index("ix_event_registrations_queue", "event_id", "mode", "status", "created_at"),
    )

    event_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))
    member_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"),
                                                 index=True)
    mode: Mapped[AttendanceMode] = mapped_column(_enum(AttendanceMode))
    status: Mapped[RegistrationStatus] = mapped_column(_enum(RegistrationStatus))
    # When the member (last) registered: the waiting list's order.
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    confirmed_at: Mapped[datetime | None]
    cancelled_at: Mapped[datetime | None]

    event = relationship("Event", lazy="joined", innerjoin=True)
    member = relationship("Member", lazy="joined", innerjoin=True)

    if TYPE_CHECKING:
        queue_place: int  # a column property, below

    @property
    def waitlist_position(self):
        return self.queue_place if self.status is RegistrationStatus.WAITLISTED else None


def _waitlist_position():
    """A waitlisted registration's place in its mode's queue (1 is next); the count of the
    waitlisted registrations of the same event and mode that arrived before it, and itself."""
    other = Registration.__table__.alias("earlier")
    return select(func.count()).where(
        other.c.event_id == Registration.event_id, other.c.mode == Registration.mode,
        other.c.status == RegistrationStatus.WAITLISTED,
        or_(other.c.created_at < Registration.created_at,
            and_(other.c.created_at == Registration.created_at, other.c.id <= Registration.id)),
    ).scalar_subquery()


Registration.queue_place = column_property(  # type: ignore[assignment]
    _waitlist_position(), deferred=False)
