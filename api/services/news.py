"""News: listing (public or editorial), publishing, updating and deleting news items."""

import functools
from collections.abc import Callable
from datetime import UTC, datetime, time, timedelta
from typing import Any

from sqlalchemy import and_, bindparam, exists, select
from sqlalchemy.orm import QueryableAttribute, selectinload

from api.errors import Forbidden
from api.extensions import db
from api.list_totals import CachedTotal
from api.models import (
    News,
    NewsSpeaker,
    NewsStatus,
    Park,
    Report,
    Speaker,
    SpeakerRole,
    news_parks,
    news_reports,
)
from api.models.base import utcnow
from api.pagination import page_query, read_page
from api.refs import get_or_404, ref_filter
from api.sanitize import clean_html
from api.services import search
from api.services.events import event_visibility
from api.services.items import (
    clean_translation,
    create_item,
    delete_item,
    derive_summaries,
    linked,
    speaker_links,
    update_item,
)
from api.services.parks import get_park, json_list_contains
from api.services.publication import published_now, published_when_run
from api.services.search import matching_ids, newest_matches
from api.translations import apply_translations

SORT_COLUMNS = {"published_at": News.published_at, "title": News.title}


def relations(viewer):
    """Everything a news item shows, loaded for a whole page in one query per relation;
    linked reports only when the caller may see them."""
    reports: QueryableAttribute = News.reports
    events: QueryableAttribute = News.events
    if not viewer.sees_unpublished:
        events = News.events.and_(*event_visibility(viewer))
        reports = News.reports.and_(published_now(Report.published_at))
    return (selectinload(News.parks), selectinload(News.speaker_links),
            selectinload(News.author), selectinload(reports), selectinload(events))


def news_visibility(viewer):
    """Conditions on `News` the caller may read: none for editors, published and due else."""
    if viewer.sees_unpublished:
        return ()
    return (News.status == NewsStatus.PUBLISHED, published_now(News.published_at))


def visible_news(viewer):
    return select(News).where(*news_visibility(viewer))


@functools.cache
def listed_news(sees_unpublished):
    """The ids of the news a caller may list, to filter and page: built once per process
    (building the conditions cost as much CPU as running a page's query)."""
    if sees_unpublished:
        return select(News.id)
    return select(News.id).where(News.status == NewsStatus.PUBLISHED,
                                 published_when_run(News.published_at))


def list_news(args, viewer):
    if args.get("status", "published") != "published" and not viewer.sees_unpublished:
        raise Forbidden("Only editors may list news that is not published.")
    # A page of ids first (an index scan at any depth), then the items and their relations.
    if _only_words(args, viewer):
        page = newest_matches(News.SEARCH_TYPE, args["q"], args)
    else:
        query = _news_pages(
            db.engine.dialect.name, viewer.sees_unpublished, args["sort"],
            tuple((name, args[name]) for name in SHAPING_FILTERS if name in args),
            tuple(name for name in PARAMETERS if name in args))
        # With `q`, `total` counts at most MATCH_CAP items (and pages end there).
        totals = None if "q" in args else CachedTotal("news_list", args, viewer)
        page = read_page(db.session, query, args, totals, {
            f"filter_{name}": to_parameter(args[name])
            for name, to_parameter in PARAMETERS.items() if name in args})
    page.load, page.kind = functools.partial(load_news, viewer=viewer), "news"
    return page


def load_news(ids, viewer):
    """The news items of `ids` (in any order), with everything they show."""
    return db.session.scalars(
        select(News).where(News.id.in_(ids)).options(*relations(viewer))).all()


def _only_words(args, viewer):
    """Public news filtered by `q` alone, newest first: a page the search index answers by
    itself, its `visible_from` being `published_at` for published news."""
    filters = set(args) - {"page", "per_page", "sort", "lang", "q"}
    if args.get("status") == "published":
        filters.discard("status")
    return (not filters and "q" in args and args["sort"] == "-published_at"
            and not viewer.sees_unpublished)


def list_park_news(ref, args, viewer):
    park = get_park(ref)
    return list_news(args | {"park": str(park.id)}, viewer)


# Filters whose SQL depends on their value (an id or a slug; the words searched): the value
# is part of the statement's shape. Every other filter's value is a parameter, given at run.
SHAPING_FILTERS = ("q", "tag", "park", "speaker", "report")


def _midnight(day):
    return datetime.combine(day, time.min, UTC)


PARAMETERS: dict[str, Callable[[Any], object]] = {
    "status": str,
    "country": str,
    "from_": _midnight,
    "to": lambda day: _midnight(day + timedelta(days=1)),
}


@functools.lru_cache(maxsize=128)  # 20-50 kB each: a few MB at most
def _news_pages(_dialect, sees_unpublished, sort, shaping, parameters):
    """The `PageQuery` of the news a caller may list, filtered by `shaping` (name, value)
    and by the `parameters` named (`filter_<name>`): kept per shape of filters, since
    building the statements cost as much CPU as running them. (Per dialect: some filters'
    SQL is the backend's own.)"""
    stmt = _filtered(listed_news(sees_unpublished), dict(shaping), parameters,
                     sees_unpublished)
    return page_query(stmt, sort, SORT_COLUMNS, search.MATCH_CAP if "q" in dict(shaping)
                      else None)


def _filtered(stmt, shaping, parameters, sees_unpublished):
    def parameter(name, column):
        return bindparam(f"filter_{name}", type_=column.type)

    if "status" in parameters:
        stmt = stmt.where(News.status == parameter("status", News.status))
    if "q" in shaping:
        stmt = stmt.where(News.id.in_(matching_ids(News.SEARCH_TYPE, shaping["q"])))
    if "tag" in shaping:
        stmt = stmt.where(json_list_contains(News.tags, shaping["tag"]))
    if "park" in shaping:
        stmt = stmt.where(_linked_park(ref_filter(Park, shaping["park"])))
    if "country" in parameters:
        stmt = stmt.where(_linked_park(Park.country == parameter("country", Park.country)))
    if "speaker" in shaping:
        stmt = stmt.where(exists(
            select(1).select_from(NewsSpeaker).join(Speaker)
            .where(NewsSpeaker.news_id == News.id, ref_filter(Speaker, shaping["speaker"]))))
    if "report" in shaping:
        report = ref_filter(Report, shaping["report"])
        if not sees_unpublished:
            report = and_(report, published_when_run(Report.published_at))
        stmt = stmt.where(exists(select(1).select_from(news_reports).join(Report).where(
            news_reports.c.news_id == News.id, report)))
    if "from_" in parameters:
        stmt = stmt.where(News.published_at >= parameter("from_", News.published_at))
    if "to" in parameters:
        stmt = stmt.where(News.published_at < parameter("to", News.published_at))
    return stmt


def _linked_park(condition):
    return exists(select(1).select_from(news_parks).join(Park)
                  .where(news_parks.c.news_id == News.id, condition))


def get_news(ref, viewer):
    return get_or_404(News, ref, visible_news(viewer).options(*relations(viewer)))


def create_news(data, author):
    news = News(author=author, status=NewsStatus.DRAFT)
    return create_item(news, {"summary": None} | data, _apply, name=data["title"])


def update_news(ref, data):
    return update_item(get_or_404(News, ref), data, _apply)


def delete_news(ref):
    delete_item(get_or_404(News, ref))


def _apply(news, data):
    for field, value in data.items():
        if field == "body":
            news.body = clean_html(value)
        elif field == "park_ids":
            news.parks = linked(Park, value, "park_ids")
        elif field == "report_ids":
            news.reports = sorted(linked(Report, value, "report_ids"),
                                  key=lambda report: (-report.year, report.title))
        elif field == "speakers":
            news.speaker_links = speaker_links(news.speaker_links, value, "speakers",
                                               lambda speaker_id: NewsSpeaker(
                                                   speaker_id=speaker_id), SpeakerRole)
        elif field == "tags":
            news.tags = list(dict.fromkeys(value))
        elif field == "translations":
            apply_translations(news, value, clean_translation)
        elif field == "status":
            news.status = NewsStatus(value)
        elif field not in ("slug", "summary"):
            setattr(news, field, value)
    derive_summaries(news, data)
    if news.status is NewsStatus.PUBLISHED and news.published_at is None:
        news.published_at = utcnow()
