"""Partner keys on every request: the `X-API-Key` (or `?key=`) check, quotas with
`RateLimit` headers, and usage counting.

The check is a `before_request` hook, so it runs before any view and a bad, revoked or
over-quota key never gets a cached answer; a good key changes nothing about
caching (it is a header, and `?key=` is taken out of the request's arguments before
anything else reads them). On the way it costs a dictionary lookup (each process keeps a
key's state for up to a second, see `KeyStates`) and a unit of each quota from this
process's lease (a round trip to the rate limiter's storage only when a lease runs out, see
`Quotas`); usage is added up in memory and written every few seconds.
"""

import functools
import logging
import math
import threading
import time
from dataclasses import dataclass
from typing import NamedTuple

import http_sf
import limits
from flask import current_app, g, request
from limits.storage import MemoryStorage
from werkzeug.datastructures import ImmutableMultiDict

from api.auth import sends_credentials
from api.errors import problem
from api.models import ApiKeyKind
from api.origins import origin_of_url
from api.security import hash_token
from api.services.api_keys import (
    KEY_LENGTH,
    PREFIXES,
    SAFE_METHODS,
    InvalidApiKey,
    KeyStates,
    UsageCounter,
    check_use,
    usage_counter,
)

logger = logging.getLogger(__name__)

KEY_HEADER = "X-API-Key"
KEY_PARAMETER = {
    "name": "key", "in": "query", "required": False, "schema": {"type": "string"},
    "description": "A publishable partner key, for clients that cannot send the "
    "`X-API-Key` header (feed readers, the widget). It never changes the answer or its "
    "cache entry. Secret keys are refused here (403 `secret_key_exposed`).",
}
KEY_PREFIXES = tuple(PREFIXES.values())
PREFIX_LENGTH = len(KEY_PREFIXES[0])
DAY_SECONDS = 86400
VARY = (KEY_HEADER,)
VARY_PUBLISHABLE = (KEY_HEADER, "Origin")


def route_taking_key(blp, rule, **options):
    """`blp.route` for a view whose callers may send their key as `?key=` (documented as
    a parameter of the path: the operation's own list is its query schema's)."""

    def decorator(view_class):
        view_class.key_in_query = True
        return blp.route(rule, parameters=[KEY_PARAMETER], **options)(view_class)

    return decorator


def check_api_key():
    """Refuse a request whose key is unknown, revoked, not allowed here or over its quota,
    before anything else answers it (the response cache included)."""
    method, headers = request.method, request.headers
    if method == "OPTIONS":
        return None
    key, in_url = headers.get(KEY_HEADER), False
    from_query = _take_query_key()
    if key is None and from_query is not None:
        key, in_url = from_query, True
    if key is None:
        return None
    now = time.time()
    extensions = current_app.extensions
    state = _find_state(extensions["api_key_states"], key)
    if state is None or not state.valid(now):
        raise InvalidApiKey()
    g.api_key_kind = state.kind
    check_use(state, method=method, origin=_browser_origin(headers),
              from_browser="Origin" in headers or "Sec-Fetch-Site" in headers,
              in_url=in_url, with_login=sends_credentials())
    spent = extensions["api_key_quotas"].spend(
        state.id, policies(state.rate_limit, state.daily_quota), now)
    g.api_key_spent = spent
    exceeded = [item for item in spent if item.refused]
    if exceeded:
        return quota_exceeded(exceeded)
    extensions["api_key_usage"].count(state.id, request.blueprint or "other", now)
    return None


def _take_query_key():
    """`?key=` of a view that takes it, removed from the arguments every later step reads
    (parsed arguments, cache keys, Link URLs), so that it changes none of them."""
    if "key" not in request.args or not _takes_key_in_query():
        return None
    args = request.args.copy()
    key = args.pop("key")
    request.args = ImmutableMultiDict(args)
    return key


def _takes_key_in_query():
    view = current_app.view_functions.get(request.endpoint or "")
    return getattr(getattr(view, "view_class", None), "key_in_query", False)


def _find_state(key_states, key):
    """The state of a well-formed key (None for anything else: no lookup for junk)."""
    prefix, body = key[:PREFIX_LENGTH], key[PREFIX_LENGTH:]
    if prefix not in KEY_PREFIXES or len(body) != KEY_LENGTH or not body.isascii() \
            or not body.isalnum():
        return None
    return key_states.get(hash_token(key))


def _browser_origin(headers):
    """The origin a browser says the request comes from: `Origin`, else `Referer`'s."""
    origin = headers.get("Origin")
    if origin is None and "Referer" in headers:
        origin = origin_of_url(headers["Referer"])
    return origin


def quota_exceeded(exceeded):
    wait = max(math.ceil(item.reset) for item in exceeded)
    names = [item.policy.name for item in exceeded]
    return problem(429, "quota_exceeded",
                   f"This key's {' and '.join(names)} quota is used up; retry after "
                   f"{wait} seconds (Retry-After).",
                   headers={"Retry-After": str(wait)}, violated_policies=names)


def add_key_headers(response):
    """`Vary: X-API-Key` on reads, so that no HTTP cache (a browser's, a CDN's) answers one
    key's request with another's answer (or `Origin` too, which a publishable key's answer
    depends on); `RateLimit-Policy` and `RateLimit` on keyed responses; and, when it is
    time, write the usage counted so far once the response has gone out."""
    headers = response.headers
    if request.method in SAFE_METHODS:
        publishable = g.get("api_key_kind") == ApiKeyKind.PUBLISHABLE
        response.vary.update(VARY_PUBLISHABLE if publishable else VARY)
    spent = g.get("api_key_spent")
    if spent:
        headers.add("RateLimit-Policy", policy_header(tuple(item.policy for item in spent)))
        # The names are serialised by http-sf once; r and t are Integers (their decimal
        # digits), written here: http_sf.ser on every response cost ~30 µs.
        headers.add("RateLimit", ", ".join(
            f"{policy_name(item.policy.name)};r={item.remaining};t={math.ceil(item.reset)}"
            for item in spent))
    if usage_counter().due():
        app = current_app._get_current_object()  # type: ignore[attr-defined]
        response.call_on_close(functools.partial(flush_usage, app))
    return response


def flush_usage(app):
    with app.app_context():
        usage_counter().flush()


class Policy(NamedTuple):
    name: str
    quota: int
    window: int  # seconds


class Spent(NamedTuple):  # a tuple: made on every keyed request, at a third of the cost
    policy: Policy
    remaining: int
    reset: float  # seconds until the window ends
    refused: bool  # the policy's quota is used up


@functools.lru_cache(maxsize=1024)
def policies(rate_limit, daily_quota):
    """A key's policies: its rate limit and, when it has one, its daily quota."""
    item = limits.parse(rate_limit)
    found = [Policy("rate", item.amount, item.get_expiry())]
    if daily_quota is not None:
        found.append(Policy("daily", daily_quota, DAY_SECONDS))
    return tuple(found)


@functools.lru_cache(maxsize=16)
def policy_name(name):
    return http_sf.ser(name)


@functools.lru_cache(maxsize=1024)
def policy_header(key_policies):
    return http_sf.ser([(policy.name, {"q": policy.quota, "w": policy.window})
                        for policy in key_policies])


@dataclass
class Lease:
    """This process's share of one policy window of a key: units taken from the shared
    counter and not spent yet, and the counter's total when this process last moved it."""

    start: float
    unspent: int = 0
    total: int = 0


class Quotas:
    """Spends a keyed request from each of its key's policies.

    A counter per key, policy and window on the rate limiter's storage (Redis, else
    memory), windows aligned to the clock, so a daily quota resets at midnight UTC and a
    window's end is known without asking. Each process takes units from the counter in
    leases and spends them locally: a lease is at most a twentieth of what is left (and at
    most LEASE_MAX), so far from the limit a round trip serves up to a hundred requests,
    and near it every request takes a single unit. The counter never grants more than the
    quota, so all processes together never serve more; a process may be refused a little
    early while others still hold units, and its `RateLimit` remaining counts them as used.
    A request refused by one policy gives its unit back to the others: only served requests
    use up a quota. When the storage fails, counting goes on in this process's memory (as
    Flask-Limiter's fallback does) and the storage is tried again after RETRY_SECONDS.
    With RATELIMIT_ENABLED off nothing is counted.
    """

    RETRY_SECONDS = 5.0
    LEASE_MAX = 100
    LEASE_SHARE = 20

    def __init__(self):
        self._fallback = MemoryStorage()
        self._retry_at = 0.0
        self._down = False
        self._lock = threading.Lock()
        self._leases: dict[str, Lease] = {}

    def spend(self, key_id, key_policies, now):
        limiter = current_app.extensions.get("rate_limiter")
        if limiter is None or not limiter.enabled:
            return []
        taken = []
        for policy in key_policies:
            start = now // policy.window * policy.window
            name = f"api-key/{key_id}/{policy.name}/{policy.window}"
            taken.append((policy, start, *self._take(limiter, name, policy, start)))
        refused = not all(granted for *_, granted in taken)
        spent = []
        with self._lock:
            for policy, start, lease, granted in taken:
                if refused and granted:
                    lease.unspent += 1
                left = max(0, policy.quota - lease.total) + lease.unspent
                spent.append(Spent(policy, left, start + policy.window - now, not granted))
        return spent

    def _take(self, limiter, name, policy, start):
        """One unit for this request: from this process's lease, else from a new lease
        taken from the shared counter. Answers the lease and whether a unit was taken."""
        with self._lock:
            lease = self._leases.get(name)
            if lease is None or lease.start != start:
                lease = self._leases[name] = Lease(start)
            if lease.unspent:
                lease.unspent -= 1
                return lease, True
            size = min(self.LEASE_MAX, max(1, (policy.quota - lease.total) // self.LEASE_SHARE))
        total = self._incr(limiter, f"{name}/{int(start)}", policy.window, size)
        with self._lock:
            lease.total = max(lease.total, total)
            lease.unspent += max(0, min(size, policy.quota - (total - size)))
            if not lease.unspent:
                return lease, False
            lease.unspent -= 1
            return lease, True

    def _incr(self, limiter, key, expiry, amount):
        if time.monotonic() < self._retry_at:
            return self._fallback.incr(key, expiry, amount)
        storage = limiter.storage
        try:
            count = storage.incr(key, expiry, amount)
        except storage.base_exceptions as error:
            if not self._down:
                logger.warning("Quota storage unavailable, counting in memory: %s", error)
            self._down = True
            self._retry_at = time.monotonic() + self.RETRY_SECONDS
            return self._fallback.incr(key, expiry, amount)
        if self._down:
            logger.warning("Quota storage reachable again")
            self._down = False
        return count


def init_api_keys(app):
    """Check keys on every request, before any view (and so any cached answer) runs."""
    app.extensions["api_key_states"] = KeyStates(app.config["API_KEY_STATE_SECONDS"])
    app.extensions["api_key_usage"] = UsageCounter(app.config["API_KEY_USAGE_FLUSH_SECONDS"])
    app.extensions["api_key_quotas"] = Quotas()
    app.before_request(check_api_key)
    app.after_request(add_key_headers)
