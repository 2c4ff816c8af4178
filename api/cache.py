"""A small key-value store shared by all app processes: Redis, or memory when there is none.

Every operation degrades to a miss (or a no-op) when Redis is unreachable, so callers
always have the database to fall back on. The failure is logged once, not per request.
"""

import json
import logging
import os
import threading
import time
from collections import OrderedDict

import redis
from flask import current_app

from api.redis_client import redis_client

logger = logging.getLogger(__name__)
FAILED = object()  # what a Redis call answers when Redis cannot be reached


class MemoryStore:
    """Per-process store with expiry, for the single-process default (no REDIS_URL)."""

    shared = False  # other processes do not see what this one writes
    local = None  # the store is already in this process

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
    PURGE_RETRY_SECONDS = 0.2

    def __init__(self, url, prefix="", socket_timeout=0.3, local_bytes=0):
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
        # Tags whose purge failed while Redis was unreachable: purged as soon as it answers
        # again (by a thread, since other processes read the same entries; and before this
        # process's next read), and until then no entry is trusted here.
        self._pending_tags: set[str] = set()
        self._pending_lock = threading.Lock()
        self._retrying = self._closed = False
        self.channel = f"{prefix}purged"
        self.local = LocalCopies(self.client, self.channel, local_bytes,
                                 freshness=socket_timeout / 2) if local_bytes else None

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
                if not self._retrying:
                    self._retrying = True
                    threading.Thread(target=self._retry_pending, name="cache-purge-retry",
                                     daemon=True).start()
        if self.local is not None:
            self.local.invalidate(tags)

    def _retry_pending(self):
        while not self._closed:
            time.sleep(self.PURGE_RETRY_SECONDS)
            self._purge_pending()
            with self._pending_lock:
                if not self._pending_tags:
                    self._retrying = False
                    return

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
        # One pipeline, in this order: Redis sends the message to every process after the
        # entries are gone and before it answers this one.
        pipe = self.client.pipeline(transaction=False)
        pipe.delete(*keys, *tag_keys)
        pipe.publish(self.channel, json.dumps(sorted(tags)))
        return self._run(pipe.execute, default=FAILED) is not FAILED

    def ping(self):
        """True when Redis answers; raises nothing."""
        return bool(self._call("ping", default=False))

    def close(self):
        self._closed = True
        if self.local is not None:
            self.local.close()
        self.client.close()


class LocalCopies:
    """This process's copies of entries it read from Redis, so that a hit costs no round trip.

    They stay exact through Redis pub/sub: every purge publishes its tags right after deleting
    the entries (see `RedisStore._purge`), and every lookup first applies the messages that
    have arrived, so a read that follows a write (on any process) sees it.

    Copies are served only while the subscription is known to work: confirmed by Redis and
    heard from (a message, or the answer to the ping sent every `freshness / 2`) within
    `freshness` seconds. A write whose purge cannot reach Redis waits out the socket timeout
    first, so with `freshness` below that timeout every process has stopped serving copies
    before the writer gets its answer. On an error or a fork every copy is dropped and reads
    go to Redis until a new subscription is confirmed (every error closes the connection, so
    redis-py never silently swaps in an unsubscribed one). A copy read from Redis is kept
    only when no purge arrived while it was being read.
    """

    RETRY_SECONDS = 1.0

    def __init__(self, client, channel, max_bytes, freshness):
        self.client = client
        self.channel = channel
        self.max_bytes = max_bytes
        self.freshness = freshness
        self.generation = 0  # moves on at every purge applied and every copy dropped
        self._lock = threading.Lock()
        self._connection = None
        self._pid = None
        self._retry_at = 0.0
        self._heard = 0.0  # when the subscription last answered (monotonic time)
        self._pinged = 0.0
        self._reset_subscription()
        self._drop_all()

    def get(self, key):
        """The copy of `key`, or None (no copy, or copies cannot be trusted right now)."""
        with self._lock:
            if not self._listen():
                return None
            copy = self._copies.get(key)
            if copy is None:
                return None
            if copy[1] <= time.time():
                self._discard(key)
                return None
            self._copies.move_to_end(key)
            return copy[0]

    def put(self, key, value, expires_at, tags, size, generation):
        """Keep a copy of what `get` missed and Redis answered; `generation` is the one read
        before asking Redis (a purge since then may have been for this very entry)."""
        with self._lock:
            if generation != self.generation or not self.serving or size > self.max_bytes:
                return
            self._discard(key)
            self._copies[key] = (value, expires_at, tags, size)
            self._bytes += size
            for tag in tags:
                self._keys_by_tag.setdefault(tag, set()).add(key)
            while self._bytes > self.max_bytes:
                self._discard(next(iter(self._copies)))

    def invalidate(self, tags):
        with self._lock:
            self._invalidate(tags)

    def close(self):
        with self._lock:
            self._disconnect()

    def _drop_all(self):
        self._copies: OrderedDict = OrderedDict()  # key -> (value, expires_at, tags, size)
        self._keys_by_tag: dict[str, set[str]] = {}
        self._bytes = 0
        self.generation += 1

    def _invalidate(self, tags):
        self.generation += 1
        for tag in tags:
            for key in self._keys_by_tag.pop(tag, ()):
                self._discard(key)

    def _discard(self, key):
        copy = self._copies.pop(key, None)
        if copy is None:
            return
        self._bytes -= copy[3]
        for tag in copy[2]:
            keys = self._keys_by_tag.get(tag)
            if keys is not None:
                keys.discard(key)
                if not keys:
                    del self._keys_by_tag[tag]

    def _listen(self):
        """Apply the purges that have arrived; True when the copies can be served."""
        self.serving = False
        now = time.monotonic()
        if self._pid != os.getpid():  # a forked child shares nothing with its parent
            self._disconnect()
            self._pid = os.getpid()
        if self._connection is None:
            if now >= self._retry_at:
                self._subscribe(now)
            return False
        try:
            while self._connection.can_read(timeout=0):
                self._receive(self._connection.read_response(push_request=True), now)
            if now - self._pinged >= self.freshness / 2:
                self._connection.send_command("PING", check_health=False)
                self._pinged = now
        except redis.RedisError:
            self._disconnect(retry_at=now + self.RETRY_SECONDS)
            return False
        if not self._confirmed or now - self._heard > self.freshness:
            if self._copies:
                self._drop_all()
            return False
        self.serving = True
        return True

    def _receive(self, reply, now):
        kind = reply[0]
        if kind == "message":
            self._invalidate(json.loads(reply[2]))
        elif kind == "subscribe":
            self._confirmed = True
            self.generation += 1  # an entry read before this moment may predate a purge
        self._heard = now

    def _subscribe(self, now):
        pool = self.client.connection_pool
        # Named after the channel, so that CLIENT LIST shows what the connection is for.
        connection = pool.connection_class(**(pool.connection_kwargs | {
            "health_check_interval": 0, "client_name": self.channel.replace(" ", "_")}))
        try:
            connection.connect()
            connection.send_command("SUBSCRIBE", self.channel, check_health=False)
        except redis.RedisError:
            connection.disconnect()
            self._retry_at = now + self.RETRY_SECONDS
            return
        self._connection = connection
        self._pinged = now

    def _reset_subscription(self):
        self._confirmed = self.serving = False
        self._heard = self._pinged = 0.0

    def _disconnect(self, retry_at=0.0):
        if self._connection is not None:
            self._connection.disconnect()
            self._connection = None
        self._retry_at = retry_at
        self._reset_subscription()
        self._drop_all()


def init_store(app):
    prefix = app.config["CACHE_KEY_PREFIX"]
    store: RedisStore | MemoryStore
    if app.config["REDIS_URL"]:
        store = RedisStore(app.config["REDIS_URL"], prefix, app.config["REDIS_SOCKET_TIMEOUT"],
                           local_bytes=app.config["RESPONSE_CACHE_LOCAL_MB"] * 1024 * 1024)
    else:
        store = MemoryStore(prefix)
    app.extensions["store"] = store


def get_store():
    return current_app.extensions["store"]
