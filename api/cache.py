"""A small key-value store shared by all app processes: Redis, or memory when there is none.

Every operation degrades to a miss (or a no-op) when Redis is unreachable, so callers
always have the database to fall back on. The failure is logged once, not per request.
"""

import logging
import threading
import time

import redis
from flask import current_app

from api.redis_client import redis_client

logger = logging.getLogger(__name__)
FAILED = object()  # what a Redis call answers when Redis cannot be reached


class MemoryStore:
    """Per-process store with expiry, for the single-process default (no REDIS_URL)."""

    shared = False  # other processes do not see what this one writes

    def __init__(self, prefix=""):
        self.prefix = prefix
        self._data = {}
        self._tags = {}
        self._lock = threading.Lock()

    def get(self, key):
        with self._lock:
            value, expires = self._data.get(self.prefix + key, (None, 0))
            if expires and expires < time.monotonic():
                self._data.pop(self.prefix + key, None)
                return None
            return value

    def set(self, key, value, ttl):
        if ttl <= 0:
            return
        with self._lock:
            self._data[self.prefix + key] = (value, time.monotonic() + ttl)

    def delete(self, *keys):
        with self._lock:
            for key in keys:
                self._data.pop(self.prefix + key, None)

    def add(self, key, value, ttl):
        """Set `key` only if it is not set; True when this call set it."""
        with self._lock:
            current, expires = self._data.get(self.prefix + key, (None, 0))
            if current is not None and expires >= time.monotonic():
                return False
            self._data[self.prefix + key] = (value, time.monotonic() + ttl)
            return True

    def set_tagged(self, key, value, ttl, tags):
        self.set(key, value, ttl)
        with self._lock:
            for tag in tags:
                self._tags.setdefault(tag, set()).add(key)

    def invalidate_tags(self, tags):
        with self._lock:
            keys = set().union(*(self._tags.pop(tag, set()) for tag in tags))
            for key in keys:
                self._data.pop(self.prefix + key, None)

    def ping(self):
        return True

    def close(self):
        self._data.clear()
        self._tags.clear()


class RedisStore:
    """Redis with short timeouts and no retries: a slow Redis must not slow the API."""

    shared = True

    def __init__(self, url, prefix="", socket_timeout=0.3):
        self.prefix = prefix
        self.client = redis_client(
            url,
            socket_timeout=socket_timeout,
            socket_connect_timeout=socket_timeout,
            retry_on_timeout=False,
            decode_responses=True,
            health_check_interval=30,
        )
        self._healthy = True
        # Tags whose purge failed while Redis was unreachable: purged first thing once it
        # answers again, and until then no entry is trusted (it may predate a write).
        self._pending_tags: set[str] = set()
        self._pending_lock = threading.Lock()

    def _call(self, method, *args, default=None, **kwargs):
        return self._run(getattr(self.client, method), *args, default=default, **kwargs)

    def _run(self, function, *args, default=None, **kwargs):
        """Call `function`; a Redis failure answers `default` and is logged once."""
        try:
            result = function(*args, **kwargs)
        except redis.RedisError as error:
            self._report_failure(error)
            return default
        self._report_success()
        return result

    def _report_failure(self, error):
        if self._healthy:
            logger.warning("Redis unavailable, using the database instead: %s", error)
            self._healthy = False

    def _report_success(self):
        if not self._healthy:
            logger.warning("Redis is reachable again; caching resumes")
            self._healthy = True

    def get(self, key):
        if self._pending_tags and not self._purge_pending():
            return None
        return self._call("get", self.prefix + key)

    def set(self, key, value, ttl):
        if ttl > 0:
            self._call("set", self.prefix + key, value, ex=max(1, int(ttl)))

    def delete(self, *keys):
        if keys:
            self._call("delete", *(self.prefix + key for key in keys))

    def add(self, key, value, ttl):
        """Set `key` only if it is not set; True when this call set it."""
        # With Redis down every caller may go ahead: nobody could wait for anyone.
        return bool(self._call("set", self.prefix + key, value, ex=max(1, int(ttl)), nx=True,
                               default=True))

    def set_tagged(self, key, value, ttl, tags):
        """Store `key` and list it under each tag, in one round trip."""
        ttl = max(1, int(ttl))
        pipe = self.client.pipeline(transaction=False)
        pipe.set(self.prefix + key, value, ex=ttl)
        for tag in tags:
            tag_key = f"{self.prefix}tag:{tag}"
            pipe.sadd(tag_key, key)
            # A tag lives as long as its longest-lived entry.
            pipe.expire(tag_key, ttl, nx=True)
            pipe.expire(tag_key, ttl, gt=True)
        self._run(pipe.execute)

    def invalidate_tags(self, tags):
        """Delete every entry listed under `tags`: two round trips, no key scans. When Redis
        cannot be reached the tags are kept and purged as soon as it can."""
        if not self._purge(set(tags)):
            with self._pending_lock:
                self._pending_tags.update(tags)

    def _purge_pending(self):
        """Purge the tags left over from an outage; True when none are left."""
        with self._pending_lock:
            tags, self._pending_tags = self._pending_tags, set()
        if self._purge(tags):
            return True
        with self._pending_lock:
            self._pending_tags |= tags
        return False

    def _purge(self, tags):
        tag_keys = [f"{self.prefix}tag:{tag}" for tag in tags]
        if not tag_keys:
            return True
        pipe = self.client.pipeline(transaction=False)
        for tag_key in tag_keys:
            pipe.smembers(tag_key)
        members = self._run(pipe.execute, default=FAILED)
        if members is FAILED:
            return False
        keys = {self.prefix + key for group in members for key in group}
        return self._call("delete", *keys, *tag_keys, default=FAILED) is not FAILED

    def ping(self):
        """True when Redis answers; raises nothing."""
        return bool(self._call("ping", default=False))

    def close(self):
        self.client.close()


def init_store(app):
    prefix = app.config["CACHE_KEY_PREFIX"]
    store: RedisStore | MemoryStore
    if app.config["REDIS_URL"]:
        store = RedisStore(app.config["REDIS_URL"], prefix, app.config["REDIS_SOCKET_TIMEOUT"])
    else:
        store = MemoryStore(prefix)
    app.extensions["store"] = store


def get_store():
    return current_app.extensions["store"]
