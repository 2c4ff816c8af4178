"""Speakers: listing, creating, updating and deleting the people of the community's events."""

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from api.extensions import db
from api.models import Event, EventSession, News, NewsSpeaker, Park, SessionParticipant, Speaker
from api.pagination import paginate
from api.refs import get_or_404, ref_filter
from api.services.auth import find_park
from api.services.items import create_item, delete_item, update_item
from api.services.search import matching_ids
from api.translations import apply_translations

SORT_COLUMNS = {"name": Speaker.name, "created_at": Speaker.created_at}


def list_speakers(args):
    stmt = select(Speaker).options(selectinload(Speaker.park))
    if "q" in args:
        stmt = stmt.where(Speaker.id.in_(matching_ids(Speaker.SEARCH_TYPE, args["q"])))
    if "country" in args:
        stmt = stmt.where(Speaker.country == args["country"])
    if "organization" in args:
        stmt = stmt.where(func.lower(Speaker.organization) == args["organization"].lower())
    if "park" in args:
        stmt = stmt.where(Speaker.park_id.in_(select(Park.id).where(ref_filter(Park,
                                                                                args["park"]))))
    return paginate(db.session, stmt, args, SORT_COLUMNS)


def get_speaker(ref):
    return get_or_404(Speaker, ref)


@dataclass
class Appearance:
    """A speaker's part in a news item, or in a session of an event."""

    type: str  # news or event
    item: News | Event
    role: str
    talk_title: str | None
    session: EventSession | None = None

    @property
    def when(self):
        return self.session.starts_at if self.session else self.item.published_at


def get_speaker_with_appearances(ref, news_visibility, event_visibility):
    """The speaker, with `appearances`: their parts in the news `news_visibility` allows and
    in sessions of the events `event_visibility` allows, newest first."""
    speaker = get_speaker(ref)
    links = db.session.scalars(
        select(NewsSpeaker).join(NewsSpeaker.news).where(NewsSpeaker.speaker_id == speaker.id)
        .where(*news_visibility).options(selectinload(NewsSpeaker.news)))
    parts = db.session.scalars(
        select(SessionParticipant).join(SessionParticipant.session).join(EventSession.event)
        .where(SessionParticipant.speaker_id == speaker.id).where(*event_visibility)
        .options(selectinload(SessionParticipant.session).selectinload(EventSession.event)))
    appearances = [Appearance("news", link.news, link.role, link.talk_title) for link in links]
    appearances += [Appearance("event", part.session.event, part.role, part.talk_title,
                               part.session) for part in parts]
    never = datetime.min.replace(tzinfo=UTC)
    speaker.appearances = sorted(appearances, key=lambda a: (a.when or never, str(a.item.id)),
                                 reverse=True)
    return speaker


def create_speaker(data):
    return create_item(Speaker(), data, _apply, name=data.get("name"))


def update_speaker(ref, data):
    return update_item(get_speaker(ref), data, _apply)


def delete_speaker(ref):
    delete_item(get_speaker(ref))


def _apply(speaker, data):
    for field, value in data.items():
        if field == "park_id":
            speaker.park = find_park(value)
        elif field == "translations":
            apply_translations(speaker, value)
        elif field != "slug":
            setattr(speaker, field, value)
