"""Cached list totals: counting every match of a filter is the dearest part of a list page.

A total is kept in the store (Redis, or in process) for `LIST_COUNT_CACHE_SECONDS` under a
key made of the filters, the caller's visibility and a content version. Any committed
change to content gives a new version, so writes show at once; only time-based visibility
(a scheduled item's `published_at` passing) may take up to that many seconds to be counted.
"""

import hashlib
import json
import math
import uuid

from flask import current_app, g, has_app_context
from sqlalchemy import event
from sqlalchemy.orm import Session

from api.cache import get_store
from api.models import NewsSpeaker
from api.models.search import Searchable

VERSION_KEY = "content:version"
VERSION_TTL = 7 * 24 * 3600
# List arguments that do not change which items match.
NOT_FILTERS = {"page", "per_page", "sort", "lang"}


def cached_total(name, args, visibility):
    """A `count` for `paginate`: the cached total of `args`' filters, else `compute()`'s."""
    filters = {key: str(value) for key, value in args.items() if key not in NOT_FILTERS}
    digest = hashlib.sha256(json.dumps([name, visibility, filters], sort_keys=True)
                            .encode()).hexdigest()[:40]

    def count(compute):
        # Not past the moment a scheduled item goes public (see api/services/publication.py).
        ttl = min(current_app.config["LIST_COUNT_CACHE_SECONDS"],
                  g.get("cache_ttl_limit", math.inf))
        if ttl < 1:
            return compute()
        store = get_store()
        key = f"count:{store.get(VERSION_KEY) or '0'}:{digest}"
        cached = store.get(key)
        if cached is not None:
            return int(cached)
        total = compute()
        store.set(key, str(total), ttl)
        return total

    return count


def _note_content_changes(session, _flush_context):
    if any(isinstance(item, Searchable | NewsSpeaker)
           for item in (*session.new, *session.dirty, *session.deleted)):
        session.info["content_changed"] = True


def _new_content_version(session):
    if session.info.pop("content_changed", False) and has_app_context():
        get_store().set(VERSION_KEY, uuid.uuid4().hex, VERSION_TTL)


def _forget_changes(session):
    session.info.pop("content_changed", None)


def init_counts():
    for name, listener in (("after_flush", _note_content_changes),
                           ("after_commit", _new_content_version),
                           ("after_rollback", _forget_changes)):
        if not event.contains(Session, name, listener):
            event.listen(Session, name, listener)
