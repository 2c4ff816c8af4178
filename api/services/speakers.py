"""Speakers: listing, creating, updating and deleting the people of the community's events."""

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from api.extensions import db
from api.models import News, NewsSpeaker, Park, Speaker
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


def get_speaker_with_appearances(ref, news_visibility):
    """The speaker, with `appearances`: their parts in the news `news_visibility` allows."""
    speaker = get_speaker(ref)
    links = db.session.scalars(
        select(NewsSpeaker).join(NewsSpeaker.news).where(NewsSpeaker.speaker_id == speaker.id)
        .where(*news_visibility)
        .options(selectinload(NewsSpeaker.news))
        .order_by(News.published_at.desc().nulls_last(), News.id)
    ).all()
    speaker.appearances = links
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
