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


class MemoryStore:
    """Per-process store with expiry, for the single-process default (no REDIS_URL)."""

    shared = False  # other processes do not see what this one writes

    def __init__(self, prefix=""):
        self.prefix = prefix
        self._data = {}
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

    def ping(self):
        return True

    def close(self):
        self._data.clear()


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

    def _call(self, method, *args, default=None, **kwargs):
        try:
            result = getattr(self.client, method)(*args, **kwargs)
        except redis.RedisError as error:
            if self._healthy:
                logger.warning("Redis unavailable, using the database instead: %s", error)
                self._healthy = False
            return default
        if not self._healthy:
            logger.info("Redis is back")
            self._healthy = True
        return result

    def get(self, key):
        return self._call("get", self.prefix + key)

    def set(self, key, value, ttl):
        if ttl > 0:
            self._call("set", self.prefix + key, value, ex=max(1, int(ttl)))

    def delete(self, *keys):
        if keys:
            self._call("delete", *(self.prefix + key for key in keys))

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
