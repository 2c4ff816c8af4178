"""Cached list totals: counting every match of a filter is the dearest part of a list page.

A total is kept in the store for `LIST_COUNT_CACHE_SECONDS`, under a key made of the filters
and whether the caller sees unpublished items, with the dependencies of the list it counts
(`api.cache_contract.RESPONSES`): a write to those collections drops it at once, and it does
not outlive the next scheduled publication.
"""

import hashlib
import json
import time

from flask import current_app

from api.cache_contract import RESPONSES, next_publication, remember

# List arguments that do not change which items match.
NOT_FILTERS = {"page", "per_page", "sort", "lang"}


def cached_total(kind, args, visibility):
    """A `count` for `paginate`: the cached total of `args`' filters, else `compute()`'s."""
    filters = {key: str(value) for key, value in args.items() if key not in NOT_FILTERS}
    digest = hashlib.sha256(json.dumps([kind, visibility, filters], sort_keys=True)
                            .encode()).hexdigest()[:40]
    response = RESPONSES[kind]

    def seconds(_total):
        ends = [next_publication(name) - time.time() for name in response.schedules]
        return min([current_app.config["LIST_COUNT_CACHE_SECONDS"], *ends])

    def count(compute):
        if current_app.config["LIST_COUNT_CACHE_SECONDS"] < 1:
            return compute()
        tags = [f"list:{name}" for name in response.collections]
        return remember(f"count:{digest}", tags, compute, seconds)

    return count
