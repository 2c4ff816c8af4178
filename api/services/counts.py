"""Cached list totals: counting every match of a filter is the dearest part of a list page.

A total is kept in the store (Redis, or in process) for `LIST_COUNT_CACHE_SECONDS` under a
key made of the filters and the caller's visibility, tagged `list:<collection>` like the
cached responses, so the same purge on every commit (api/http_cache.py) drops it at once;
its lifetime is also capped at the next scheduled publication.
"""

import hashlib
import json
import math

from flask import current_app, g

from api.cache import get_store

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
        key = f"count:{digest}"
        cached = store.get(key)
        if cached is not None:
            return int(cached)
        total = compute()
        store.set_tagged(key, str(total), ttl, [f"list:{name}"])
        return total

    return count
