"""What each kind of cached response depends on: the one place to read it, and to declare a
new resource's responses.

A cached response is purged when
- an item it shows is written: the cache tags it with `id:<uuid>` for every id in its body
  (a non-JSON answer names them with `response_dependencies().shows(...)`);
- a collection it depends on is written (`list:<collection>`): a new item can enter a list,
  a renamed park changes what `?park=` finds. Every commit purges the collections of the
  rows it wrote (api/http_cache.py: a row's collection is its table, or the model's
  `__cache_collection__`);
and it expires when a publication schedule it depends on next makes an item public, with
nothing written then.

An item needs no `id:` tag of its own where every write that can change it purges one of the
response's collections anyway (`covered_tables`): a list of news is purged by every write to
news, so it tags only the ids of rows from other collections (a news item's author, say).
Ids are typed by the rows the JSON was dumped from (`api.item_cache`); an id not typed is
always tagged.

Which callers may share a response is not declared: the render records what it asked of
the caller (api/viewer.py), and the cache keys on those answers (api/http_cache.py).
"""

import functools
import math
import re
import time
from dataclasses import dataclass

from flask import current_app, g
from sqlalchemy import func, select

from api.cache import TaggedValue, get_store, keep_tagged, request_snapshot
from api.extensions import db
from api.models import News, Report
from api.models.base import Base, utcnow


@dataclass(frozen=True)
class ResponseKind:
    policy: str  # its Cache-Control policy (config HTTP_CACHE)
    collections: frozenset[str] = frozenset()
    schedules: frozenset[str] = frozenset()


def kind(policy, collections=(), schedules=()):
    return ResponseKind(policy, frozenset(collections), frozenset(schedules))


RESPONSES = {
    "park": kind("parks"),
    "parks": kind("parks", {"parks"}),
    # A news item shows its linked reports and events that are public (publishing one
    # changes it).
    "news": kind("news", {"reports", "events"}, {"reports"}),
    # Lists filter by park, speaker and report too.
    "news_list": kind("news", {"news", "parks", "speakers", "reports", "events"},
                      {"news", "reports"}),
    # A speaker shows the public news and events they appear in.
    "speaker": kind("speakers", {"news", "events", "agendas"}, {"news"}),
    "speakers": kind("speakers", {"speakers", "parks"}),
    # A report shows the public news and events about it.
    "report": kind("reports", {"news", "events"}, {"news"}),
    "reports": kind("reports", {"reports", "news", "parks", "events"}, {"reports", "news"}),
    # An event shows its public news and reports; every change to its agenda updates its
    # row (its `sequence`). Lists filter by a speaker of the agenda and a park.
    "event": kind("events", {"news", "reports"}, {"news", "reports"}),
    "events": kind("events", {"events", "agendas", "speakers", "parks", "news", "reports"},
                   {"news", "reports"}),
    # An agenda (or one session): its sessions, and whether its event is visible.
    "agenda": kind("events", {"agendas", "events"}),
    "calendar": kind("events", {"events"}),
    "search": kind("search", {"parks", "speakers", "news", "reports", "events"},
                   {"news", "reports"}),
    "feed": kind("feeds", {"news", "parks", "speakers"}, {"news"}),
}

# The value of an `id` key in JSON text. No string value can hold `"id":"…"` unescaped, so
# none is mistaken for one.
ID_KEY = re.compile(r'"id":\s*"([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})"')

# When items of a collection become public with nothing written: the publication times.
SCHEDULE_CACHE_SECONDS = 3600
SCHEDULES = {"news": News.published_at, "reports": Report.published_at}


class ResponseDependencies:
    """What the response being built depends on, collected while it is built."""

    def __init__(self, kind_name=None):
        self.kind = RESPONSES[kind_name] if kind_name else ResponseKind("default")
        self.tags = {f"list:{name}" for name in self.kind.collections}
        self.expires_at = math.inf
        self.untagged: set[str] = set()  # ids a collection's tag already covers
        self.schedules_change: float | None = None  # the next publication it depends on

    def shows(self, ids):
        """The response shows the items of `ids`: a write to any of them purges it."""
        self.tags.update(f"id:{item_id}" for item_id in ids
                         if str(item_id) not in self.untagged)

    def shows_rows(self, *ids_by_table):
        """The response shows these rows (each argument: ids by table name): those of tables
        its collections cover need no tag of their own. Call it before `shows`."""
        covered = covered_tables(self.kind)
        self.untagged.update(item_id for rows in ids_by_table for table, ids in rows.items()
                             if table in covered for item_id in ids)

    def shows_json(self, text):
        """The response shows every item whose id is in the JSON `text`, nested ones too
        (read from the text: parsing and walking a large body costs more than building it)."""
        self.shows(ID_KEY.findall(text))

    def changes_at(self, moment):
        """The response changes at `moment` (an aware datetime) with nothing written."""
        self.expires_at = min(self.expires_at, moment.timestamp())

    def lifetime(self, setting="RESPONSE_CACHE_SECONDS"):
        """Seconds the response may be kept: `setting` at most, and not past the next change
        of a schedule it depends on."""
        if self.schedules_change is None:  # read once per response
            self.schedules_change = min(
                (next_publication(name) for name in self.kind.schedules), default=math.inf)
        return min(current_app.config[setting],
                   min(self.expires_at, self.schedules_change) - time.time())


def collection_of(mapper):
    """The collection a write to a row of `mapper` purges (`list:<collection>`): its table,
    unless the model names another in `__cache_collection__`."""
    return getattr(mapper.class_, "__cache_collection__", mapper.class_.__tablename__)


def is_link(mapper):
    """A row without an id of its own (a news item's speaker) is tagged with the ids it
    links, through its foreign keys."""
    return not hasattr(mapper.class_, "id")


def purges_nothing(mapper):
    """Rows no cached response shows: writing them purges nothing."""
    return getattr(mapper.class_, "__cache_public_fields__", None) == frozenset()


@functools.cache
def covered_tables(kind: ResponseKind) -> frozenset[str]:
    """The tables whose rows a response of `kind` shows without `id:` tags: every write that
    tags such a row (the row itself, or a link row naming it) purges one of the response's
    collections too (api/http_cache.py, `tags_of`)."""
    mappers = [mapper for mapper in Base.registry.mappers if not purges_nothing(mapper)]
    links = [mapper for mapper in mappers if is_link(mapper)]
    covered = set()
    for mapper in mappers:
        table = mapper.local_table
        naming = [link for link in links if any(
            key.column.table is table for column in link.columns for key in column.foreign_keys)]
        if all(collection_of(writer) in kind.collections for writer in [mapper, *naming]):
            covered.add(mapper.class_.__tablename__)
    return frozenset(covered)


def response_dependencies():
    """The dependencies of the response being built (a throwaway when it is not cached)."""
    return g.get("response_dependencies") or ResponseDependencies()


def remember(key, tags, compute, seconds):
    """`compute()`'s value (JSON), kept in the store under `key`, tagged `tags`, for
    `seconds(value)` at most; built from data read after the store's snapshot, so a
    concurrent write's purge is never outlived."""
    if (kept := recall(key)) is not None:
        return kept.value
    since = request_snapshot()
    value = compute()
    keep(key, tags, value, seconds(value), since)
    return value


def recall(key):
    """The `TaggedValue` kept under `key` while it lasts, else None."""
    kept = get_store().read_tagged(key, TaggedValue.decode)
    return kept if kept is not None and kept.expires_at > time.time() else None


def keep(key, tags, value, ttl, since):
    """Keep `value` (JSON, computed from data read after the snapshot `since`) under `key`
    for `ttl` seconds, tagged `tags`."""
    keep_tagged(key, TaggedValue(value, tuple(tags), time.time() + ttl), ttl, tags, since)


def next_publication(schedule):
    """When the next item of `schedule` goes public (epoch seconds), or infinity. Kept in
    the store (a write to the collection purges it), so a miss seldom asks the database."""
    column = SCHEDULES[schedule]

    def upcoming():
        moment = db.session.scalar(select(func.min(column)).where(column > utcnow()))
        return moment.timestamp() if moment is not None else None

    def seconds(moment):
        # Exact (a write to the collection purges it): it may be kept long.
        return SCHEDULE_CACHE_SECONDS if moment is None else min(SCHEDULE_CACHE_SECONDS,
                                                                 moment - time.time())

    moment = remember(f"schedule:{schedule}", [f"list:{schedule}"], upcoming, seconds)
    return math.inf if moment is None else moment
