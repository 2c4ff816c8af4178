"""A small key-value store shared by all app processes: Redis, or memory when there is none.

Plain values (`get`, `set`, `add`, `delete`) serve locks and counters. Tagged entries are what
the caches keep (responses, list totals, login states): each lists the tags of the data it
was built from, and `invalidate_tags` deletes every entry listed under a tag (every commit
does, see api/http_cache.py). A tagged entry is stored only if none of its tags was purged
after `snapshot()`, taken before its data was read: an entry built from rows read before a
write never outlives that write's purge.

Every operation degrades to a miss (or a no-op) when Redis is unreachable, so callers
always have the database to fall back on. The failure is logged once, not per request.
"""

import json
import logging
import threading
import time
from dataclasses import dataclass
from typing import Any

import redis
from flask import current_app, g, has_request_context

from api.local_copies import LocalCopies
from api.redis_client import redis_client

logger = logging.getLogger(__name__)
FAILED = object()  # what a Redis call answers when Redis cannot be reached
# How long a purge is remembered for `set_tagged`: far longer than any response takes to build.
PURGE_MEMORY_SECONDS = 3600


@dataclass(frozen=True)
class TaggedValue:
    """A tagged entry holding a small JSON value (a list total, a schedule)."""

    value: Any
    tags: tuple[str, ...]
    expires_at: float  # epoch seconds

    def encode(self):
        return json.dumps([self.value, self.tags, self.expires_at])

    @classmethod
    def decode(cls, raw):
        value, tags, expires_at = json.loads(raw)
        return cls(value, tuple(tags), expires_at)


@dataclass
class Claim:
    """The lock on building one entry (so that identical concurrent misses build it once),
    with the store's snapshot taken at the same time: by the read that found no entry
    (`read_tagged(..., claim=)`, one round trip for both) or else by `claim_lock`."""

    lock: str
    ttl: int = 10
    taken: bool = False
    claimed: bool = False  # this request holds the lock
    snapshot: int | None = None
    # Keys the build reads first (a list's kept total): read by the same round trip when the
    # entry is missing, and answered from the request's read-ahead then (`read_tagged`).
    read_ahead: tuple[str, ...] = ()

    def take(self, claimed, snapshot):
        self.taken, self.claimed, self.snapshot = True, claimed, snapshot


def claim_lock(claim):
    """Take `claim` unless the read before it did."""
    if not claim.taken:
        claim.take(*get_store().claim(claim.lock, claim.ttl))
    return claim


class MemoryStore:
    """Per-process store with expiry, for the single-process default (no REDIS_URL).

    Tagged entries are kept as the objects given (nothing is encoded)."""

    shared = False  # other processes do not see what this one writes

    def __init__(self, prefix=""):
        self.prefix = prefix
        self._data = {}
        self._tags = {}
        self._purged = {}  # tag -> (sequence of its last purge, monotonic time)
        self._sequence = 0
        self._lock = threading.Lock()

    def get(self, key):
        with self._lock:
            return self._get(key)

    def _get(self, key):
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
            if self._get(key) is not None:
                return False
            self._data[self.prefix + key] = (value, time.monotonic() + ttl)
            return True

    def snapshot(self):
        with self._lock:
            return self._sequence

    def read_tagged(self, key, decode, claim=None):
        found = self.get(key)
        if found is None and claim is not None:
            claim.take(*self.claim(claim.lock, claim.ttl))
        return found

    def read_tagged_many(self, keys, decode):
        return [self.get(key) for key in keys]

    def claim(self, key, ttl):
        """Set the lock `key` if it is not set, and take a snapshot: (claimed, snapshot)."""
        return self.add(key, "1", ttl), self.snapshot()

    def set_tagged(self, key, entry, ttl, tags, since):
        """Store `entry` unless one of `tags` was purged after `since`; True when stored."""
        if ttl < 1:
            return False
        with self._lock:
            if any(self._purged.get(tag, (-1, 0))[0] > since for tag in tags):
                return False
            self._data[self.prefix + key] = (entry, time.monotonic() + ttl)
            for tag in tags:
                self._tags.setdefault(tag, set()).add(key)
            return True

    def store_tagged(self, entries, since, release=None):
        """`set_tagged` for each `(key, entry, ttl, tags)`, then delete the lock `release`."""
        for key, entry, ttl, tags in entries:
            self.set_tagged(key, entry, ttl, tags, since)
        if release:
            self.delete(release)

    def invalidate_tags(self, tags):
        now = time.monotonic()
        with self._lock:
            self._sequence += 1
            for tag in tags:
                self._purged[tag] = (self._sequence, now)
                for key in self._tags.pop(tag, ()):
                    self._data.pop(self.prefix + key, None)
            if len(self._purged) > 10_000:
                self._purged = {tag: purge for tag, purge in self._purged.items()
                                if purge[1] > now - PURGE_MEMORY_SECONDS}

    def ping(self):
        return True

    def close(self):
        self._data.clear()
        self._tags.clear()


# Store an entry and list it under its tags, unless a tag was purged at or after the snapshot.
# KEYS: the entry, its tags' lists, their purge times; ARGV: the value, seconds to live,
# the snapshot, the entry's name in the lists.
STORE_SCRIPT = """
local n = (#KEYS - 1) / 2
if n > 0 then
  for _, purged in ipairs(redis.call('MGET', unpack(KEYS, n + 2, 2 * n + 1))) do
    if purged and tonumber(purged) >= tonumber(ARGV[3]) then return 0 end
  end
end
redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[2])
for i = 2, n + 1 do
  redis.call('SADD', KEYS[i], ARGV[4])
  if redis.call('TTL', KEYS[i]) < tonumber(ARGV[2]) then
    redis.call('EXPIRE', KEYS[i], ARGV[2])
  end
end
return 1
"""

# Delete every entry listed under the tags, remember when (Redis's clock, in microseconds:
# unlike a counter it does not start again after a restart), and tell every process.
# KEYS: the tags' lists, then their purge times; ARGV: key prefix, seconds a purge time is
# kept, channel, message.
PURGE_SCRIPT = """
local n = #KEYS / 2
local now = redis.call('TIME')
local stamp = now[1] .. string.format('%06d', tonumber(now[2]))
for i = 1, n do
  for _, name in ipairs(redis.call('SMEMBERS', KEYS[i])) do
    redis.call('DEL', ARGV[1] .. name)
  end
  redis.call('DEL', KEYS[i])
  redis.call('SET', KEYS[n + i], stamp, 'EX', ARGV[2])
end
redis.call('PUBLISH', ARGV[3], ARGV[4])
return n
"""


# An entry, or else the lock on building it, Redis's clock (as `RedisStore.claim`) and the
# keys its build reads first ('' for none). KEYS: the entry, the lock, the keys read ahead;
# ARGV: the lock's seconds to live.
READ_OR_CLAIM_SCRIPT = """
local found = redis.call('GET', KEYS[1])
if found then return {found} end
local claimed = redis.call('SET', KEYS[2], '1', 'NX', 'EX', ARGV[1])
local now = redis.call('TIME')
local answer = {'', claimed and 1 or 0, now[1], now[2]}
for i = 3, #KEYS do answer[i + 2] = redis.call('GET', KEYS[i]) or '' end
return answer
"""


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
        self._store_script = self.client.register_script(STORE_SCRIPT)
        self._purge_script = self.client.register_script(PURGE_SCRIPT)
        self._read_or_claim_script = self.client.register_script(READ_OR_CLAIM_SCRIPT)
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

    def snapshot(self):
        """Redis's clock in microseconds, to pass to `set_tagged`; None when unreachable."""
        now = self._call("time")
        return None if now is None else now[0] * 1_000_000 + now[1]

    def read_tagged(self, key, decode, claim=None):
        """The entry stored under `key` (decoded by `decode`), from this process's copy when
        it has one. With `claim` (a `Claim`), an entry found nowhere is claimed for building
        in the same round trip."""
        return self.read_tagged_many([key], decode, claim)[0]

    def read_tagged_many(self, keys, decode, claim=None):
        """The entries stored under `keys` (decoded by `decode`; None where there is none),
        from this process's copies where it has them, the others in one round trip (which
        takes `claim`, given with one key, when it finds nothing)."""
        entries = [None] * len(keys)
        local = self.local
        if local is not None:
            # The purges that arrived are applied once per request, before its first lookup.
            listen = True
            if has_request_context():
                listen = not g.get("copies_listened", False)
                g.copies_listened = True
            entries = local.get_many(keys, listen=listen)
            generation = local.generation
        missing = [index for index, entry in enumerate(entries) if entry is None]
        if not missing:
            return entries
        if self._pending_tags and not self._purge_pending():
            return entries
        read_ahead = g.get("read_ahead", {}) if has_request_context() else {}
        if claim is not None:
            answers = [self._read_or_claim(self.prefix + keys[0], claim)]
        elif all(keys[index] in read_ahead for index in missing):
            answers = [read_ahead.pop(keys[index]) for index in missing]
        else:
            answers = self._call("mget", [self.prefix + keys[index] for index in missing]) or []
        for index, raw in zip(missing, answers, strict=False):
            if raw:
                entries[index] = entry = decode(raw)
                if local is not None:
                    local.put(keys[index], entry, entry.expires_at, entry.tags, len(raw),
                              generation)
        return entries

    def _read_or_claim(self, key, claim):
        """The raw entry of `key`, or None having taken `claim`: one round trip. With Redis
        down everyone may go ahead, storing nothing."""
        ahead = [self.prefix + name for name in claim.read_ahead]
        answer = self._run(self._read_or_claim_script,
                           keys=[key, self.prefix + claim.lock, *ahead],
                           args=[max(1, int(claim.ttl))])
        if answer is None:
            claim.take(True, None)
            return None
        if answer[0]:
            return answer[0]
        claim.take(bool(answer[1]), int(answer[2]) * 1_000_000 + int(answer[3]))
        if claim.read_ahead and has_request_context():
            g.read_ahead = dict(zip(claim.read_ahead, answer[4:], strict=True))
        return None

    def claim(self, key, ttl):
        """Set the lock `key` if it is not set, and take a snapshot, in one round trip:
        (claimed, snapshot). With Redis down everyone may go ahead, storing nothing."""
        pipe = self.client.pipeline(transaction=False)
        pipe.set(self.prefix + key, "1", ex=max(1, int(ttl)), nx=True)
        pipe.time()
        answer = self._run(pipe.execute, default=None)
        if answer is None:
            return True, None
        claimed, now = answer
        return bool(claimed), now[0] * 1_000_000 + now[1]

    def set_tagged(self, key, entry, ttl, tags, since):
        """Store `entry` (its `encode()`) listed under `tags`, unless one of them was purged
        after the snapshot `since`: one atomic round trip. True when stored."""
        return self.store_tagged([(key, entry, ttl, tags)], since) == [1]

    def store_tagged(self, entries, since, release=None):
        """`set_tagged` for each `(key, entry, ttl, tags)`, then delete the lock `release`:
        one round trip. Answers what each script answered (1: stored)."""
        commands: list[tuple] = []
        for key, entry, ttl, tags in entries:
            if since is not None and ttl >= 1 and not tags:  # no purge can refuse it
                commands.append(("SET", self.prefix + key, entry.encode(), "EX", int(ttl)))
            elif since is not None and ttl >= 1:
                tags = sorted(tags)
                keys = [self.prefix + key, *(f"{self.prefix}tag:{tag}" for tag in tags),
                        *(f"{self.prefix}purged:{tag}" for tag in tags)]
                # EVALSHA itself: a pipeline given the Script asks SCRIPT EXISTS every time.
                commands.append(("EVALSHA", self._store_script.sha, len(keys), *keys,
                                 entry.encode(), int(ttl), since, key))
        if release:
            commands.append(("DEL", self.prefix + release))
        if not commands:
            return []
        answers = self._run(self._pipeline, commands, default=[])
        return answers[:-1] if release else answers

    def _pipeline(self, commands):
        """Send `commands` in one round trip; the store script is loaded again first if Redis
        forgot it (a restart)."""
        for attempt in range(2):
            pipe = self.client.pipeline(transaction=False)
            for command in commands:
                pipe.execute_command(*command)
            try:
                return pipe.execute()
            except redis.exceptions.NoScriptError:
                if attempt:
                    raise
                self.client.script_load(STORE_SCRIPT)
        return []

    def invalidate_tags(self, tags):
        """Delete every entry listed under `tags`: one round trip, no key scans. When Redis
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
        if not tags:
            return True
        tags = sorted(tags)
        keys = [*(f"{self.prefix}tag:{tag}" for tag in tags),
                *(f"{self.prefix}purged:{tag}" for tag in tags)]
        # Redis sends the message to every process after the entries are gone and before it
        # answers this one.
        args = [self.prefix, PURGE_MEMORY_SECONDS, self.channel, json.dumps(tags)]
        return self._run(self._purge_script, keys=keys, args=args, default=FAILED) \
            is not FAILED

    def ping(self):
        """True when Redis answers; raises nothing."""
        return bool(self._call("ping", default=False))

    def close(self):
        self._closed = True
        if self.local is not None:
            self.local.close()
        self.client.close()


def init_store(app):
    prefix = app.config["CACHE_KEY_PREFIX"]
    store: RedisStore | MemoryStore
    if app.config["REDIS_URL"]:
        store = RedisStore(app.config["REDIS_URL"], prefix, app.config["REDIS_SOCKET_TIMEOUT"],
                           local_bytes=app.config["RESPONSE_CACHE_LOCAL_MB"] * 1024 * 1024)
    else:
        store = MemoryStore(prefix)
    app.extensions["store"] = store

    @app.before_request
    def forget_previous_request():
        # Requests made inside one app context (tests, the CLI) share `g`.
        g.pop("copies_listened", None)
        g.pop("store_snapshot", None)
        g.pop("read_ahead", None)


def request_snapshot(taken=None):
    """The store's snapshot for this request (`taken`, or a new one, the first time), taken
    before its first read of data that may be stored: one round trip a request (an earlier
    snapshot only refuses more stores)."""
    if "store_snapshot" not in g:
        g.store_snapshot = taken if taken is not None else get_store().snapshot()
    return g.store_snapshot


def keep_tagged(key, entry, ttl, tags, since):
    """Store the tagged `entry` (built from data read after the snapshot `since`): with the
    response being cached, in its round trip (`collect_stores`), or else at once."""
    pending = g.get("pending_stores") if has_request_context() else None
    if pending is not None:
        pending.append((key, entry, ttl, tuple(tags)))
    else:
        get_store().set_tagged(key, entry, ttl, tags, since)


def collect_stores():
    """From now on this request's `keep_tagged` entries wait for `pending_stores()` (a
    response being built: they share its snapshot and its store's round trip)."""
    g.pending_stores = []


def pending_stores():
    """The entries `keep_tagged` collected since `collect_stores()`, which stores now go
    straight to the store."""
    return g.pop("pending_stores", None) or []


def get_store():
    return current_app.extensions["store"]
