"""Kept list totals: counting every match of a filter is the dearest part of a list page.

A total is kept in the store for `LIST_COUNT_CACHE_SECONDS`, under a key made of the filters
and whether the caller sees unpublished items, with the dependencies of the list it counts
(`api.cache_contract.RESPONSES`): a write to those collections drops it at once, and it does
not outlive the next scheduled publication. A list response that misses the cache reads its
kept total in the same round trip (`api.http_cache` asks `total_key` of its arguments).
"""

import hashlib
import json

from flask import current_app

from api.cache import request_snapshot
from api.cache_contract import ResponseDependencies, keep, recall

# List arguments that do not change which items match.
NOT_FILTERS = {"page", "per_page", "sort", "lang"}


def total_key(kind, args, viewer):
    """The key of the total of the list `kind` with the arguments `args`, as `viewer` sees it."""
    filters = {key: str(value) for key, value in args.items() if key not in NOT_FILTERS}
    visibility = "all" if viewer.sees_unpublished else "public"
    digest = hashlib.sha256(json.dumps([kind, visibility, filters], sort_keys=True)
                            .encode()).hexdigest()[:40]
    return f"count:{digest}"


class CachedTotal:
    """The `Totals` (`api.pagination`) of a list: its totals kept in the store per filters
    and visibility, with the dependencies of the list (`kind`)."""

    def __init__(self, kind, args, viewer):
        self.key = total_key(kind, args, viewer)
        self.dependencies = ResponseDependencies(kind)  # a total depends on what its list does
        self.seconds = current_app.config["LIST_COUNT_CACHE_SECONDS"]
        self.since = None

    def recall(self):
        if self.seconds < 1:
            return None
        if (kept := recall(self.key)) is not None:
            return kept.value
        self.since = request_snapshot()  # before the rows are counted
        return None

    def keep(self, total):
        if self.since is None:
            return
        keep(self.key, self.dependencies.tags, total,
             self.dependencies.lifetime("LIST_COUNT_CACHE_SECONDS"), self.since)
