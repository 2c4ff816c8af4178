"""Speakers: listing, creating, updating and deleting the people of the community's events."""

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from api.errors import APIError
from api.extensions import db
from api.models import News, NewsSpeaker, Park, Speaker
from api.pagination import paginate
from api.refs import assign_slug, get_or_404, ref_filter
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
    speaker = Speaker()
    _apply(speaker, data)
    with db.transaction():
        assign_slug(speaker, data.get("slug"), source=speaker.name)
        db.session.add(speaker)
    return speaker


def update_speaker(ref, data):
    speaker = get_speaker(ref)
    _apply(speaker, data)
    with db.transaction():
        if "slug" in data:
            assign_slug(speaker, data["slug"])
    return speaker


def delete_speaker(ref):
    speaker = get_speaker(ref)
    with db.transaction():
        db.session.delete(speaker)


def _apply(speaker, data):
    for field, value in data.items():
        if field == "park_id":
            speaker.park = _park(value)
        elif field == "translations":
            apply_translations(speaker, value)
        elif field != "slug":
            setattr(speaker, field, value)


def _park(park_id):
    if park_id is None:
        return None
    park = db.session.get(Park, park_id)
    if park is None:
        raise APIError("No such park.", status=422, code="validation_error",
                       errors={"json": {"park_id": [f"No park has the id {park_id}."]}})
    return park
