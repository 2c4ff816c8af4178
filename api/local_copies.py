"""Each process's copies of the tagged entries it read from Redis, so that a hit costs no
round trip, kept exact by Redis pub/sub.

Every purge publishes its tags right after deleting the entries (see `RedisStore`), and every
lookup first applies the messages that have arrived, so a read that follows a write (on any
process) sees it.

Copies are served only while the subscription is known to work: confirmed by Redis and
heard from (a message, or the answer to the ping sent every `freshness / 2`) within
`freshness` seconds. A write whose purge cannot reach Redis waits out the socket timeout
first, so with `freshness` below that timeout every process has stopped serving copies
before the writer gets its answer. On an error or a fork every copy is dropped and reads go
to Redis until a new subscription is confirmed. A copy read from Redis is kept only when no
purge arrived while it was being read (`generation`).
"""

import json
import os
import threading
import time
from collections import OrderedDict

import redis
from redis.client import PubSub


class LocalCopies:
    RETRY_SECONDS = 1.0

    def __init__(self, client, channel, max_bytes, freshness):
        pool = client.connection_pool
        # A connection of its own, named after the channel so that CLIENT LIST shows what it
        # is for; no redis-py health checks (the pings below are ours).
        self._pool = redis.ConnectionPool(
            connection_class=pool.connection_class, max_connections=1,
            **(pool.connection_kwargs | {"health_check_interval": 0,
                                         "client_name": channel.replace(" ", "_")}))
        self.channel = channel
        self.max_bytes = max_bytes
        self.freshness = freshness
        self.generation = 0  # moves on at every purge applied and every copy dropped
        self.serving = False
        self._lock = threading.Lock()
        self._pubsub: PubSub | None = None
        self._pid = os.getpid()
        self._retry_at = 0.0
        self._confirmed = False
        self._heard = self._pinged = 0.0  # monotonic times
        self._drop_all()

    def get(self, key, listen=True):
        """The copy of `key`, or None (no copy, or copies cannot be trusted right now). With
        `listen=False` the purges that arrived since the last lookup are not applied yet:
        for later lookups of one request, which then answer as of its first."""
        return self.get_many([key], listen)[0]

    def get_many(self, keys, listen=True):
        """`get` for each of `keys`: a list of copies and Nones."""
        with self._lock:
            if not (self._listen() if listen else self.serving):
                return [None] * len(keys)
            now = time.time()
            copies = []
            for key in keys:
                copy = self._copies.get(key)
                if copy is not None and copy[1] <= now:
                    self._discard(key)
                    copy = None
                if copy is not None:
                    self._copies.move_to_end(key)
                copies.append(None if copy is None else copy[0])
            return copies

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
        self._pool.disconnect()

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
            self._pubsub = None
            self._pool.reset()
            self._pid = os.getpid()
            self._disconnect()
        if self._pubsub is None:
            if now >= self._retry_at:
                self._subscribe(now)
            return False
        try:
            while (message := self._pubsub.get_message(timeout=0.0)) is not None:
                self._receive(message, now)
            if now - self._pinged >= self.freshness / 2:
                self._pubsub.ping()
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

    def _receive(self, message, now):
        if message["type"] == "message":
            self._invalidate(json.loads(message["data"]))
        elif message["type"] == "subscribe":
            self._confirmed = True
            self.generation += 1  # an entry read before this moment may predate a purge
        self._heard = now

    def _subscribe(self, now):
        pubsub = PubSub(self._pool)
        try:
            pubsub.subscribe(self.channel)
        except redis.RedisError:
            pubsub.reset()
            self._retry_at = now + self.RETRY_SECONDS
            return
        self._pubsub = pubsub
        self._pinged = now

    def _disconnect(self, retry_at=0.0):
        """Drop the subscription and every copy; subscribe again from `retry_at` on. (Every
        error ends here, so redis-py never swaps in a connection that missed messages.)"""
        if self._pubsub is not None:
            self._pubsub.reset()
            self._pubsub = None
        self._retry_at = retry_at
        self._confirmed = False
        self._heard = self._pinged = 0.0
        self._drop_all()
