"""Partner keys on every request: the `X-API-Key` (or `?key=`) check, quotas with
`RateLimit` headers, and usage counting.

The check is a `before_request` hook registered before the response cache's, so a bad,
revoked or over-quota key never gets a cached answer; a good key changes nothing about
caching (it is a header, and `?key=` is taken out of the request's arguments before
anything else reads them). On the way it costs a dictionary lookup (each process keeps a
key's state for up to a second, see `KeyStates`) and one counter increment per policy on
the rate limiter's storage; usage is added up in memory and written every few seconds.
"""

import functools
import logging
import math
import time
from dataclasses import dataclass

import http_sf
import limits
from flask import current_app, g, request
from limits.storage import MemoryStorage
from werkzeug.datastructures import ImmutableMultiDict

from api.errors import problem
from api.http_cache import is_anonymous
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
    states,
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
    if request.method == "OPTIONS":
        return None
    key, in_url = request.headers.get(KEY_HEADER), False
    from_query = _take_query_key()
    if key is None and from_query is not None:
        key, in_url = from_query, True
    if key is None:
        return None
    now = time.time()
    state = _find_state(key)
    if state is None or not state.valid(now):
        raise InvalidApiKey()
    g.api_key_kind = state.kind
    check_use(state, method=request.method, origin=_browser_origin(),
              from_browser="Origin" in request.headers or "Sec-Fetch-Site" in request.headers,
              in_url=in_url, with_login=not is_anonymous())
    spent = current_app.extensions["api_key_quotas"].spend(
        state.id, policies(state.rate_limit, state.daily_quota), now)
    g.api_key_spent = spent
    exceeded = [item for item in spent if item.remaining < 0]
    if exceeded:
        return quota_exceeded(exceeded)
    usage_counter().count(state.id, request.blueprint or "other", now)
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


def _find_state(key):
    """The state of a well-formed key (None for anything else: no lookup for junk)."""
    prefix, body = key[:PREFIX_LENGTH], key[PREFIX_LENGTH:]
    if prefix not in KEY_PREFIXES or len(body) != KEY_LENGTH or not body.isascii() \
            or not body.isalnum():
        return None
    return states().get(hash_token(key))


def _browser_origin():
    """The origin a browser says the request comes from: `Origin`, else `Referer`'s."""
    origin = request.headers.get("Origin")
    if origin is None and "Referer" in request.headers:
        origin = origin_of_url(request.headers["Referer"])
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
    if request.method in SAFE_METHODS:
        response.vary.add(KEY_HEADER)
        if g.get("api_key_kind") == ApiKeyKind.PUBLISHABLE:
            response.vary.add("Origin")
    spent = g.get("api_key_spent")
    if spent:
        response.headers["RateLimit-Policy"] = policy_header(
            tuple(item.policy for item in spent))
        response.headers["RateLimit"] = http_sf.ser([
            (item.policy.name, {"r": max(item.remaining, 0), "t": math.ceil(item.reset)})
            for item in spent])
    if usage_counter().due():
        app = current_app._get_current_object()  # type: ignore[attr-defined]
        response.call_on_close(functools.partial(flush_usage, app))
    return response


def flush_usage(app):
    with app.app_context():
        usage_counter().flush()


@dataclass(frozen=True)
class Policy:
    name: str
    quota: int
    window: int  # seconds


@dataclass(frozen=True)
class Spent:
    policy: Policy
    remaining: int  # below zero: over the quota
    reset: float  # seconds until the window ends


@functools.lru_cache(maxsize=1024)
def policies(rate_limit, daily_quota):
    """A key's policies: its rate limit and, when it has one, its daily quota."""
    item = limits.parse(rate_limit)
    found = [Policy("rate", item.amount, item.get_expiry())]
    if daily_quota is not None:
        found.append(Policy("daily", daily_quota, DAY_SECONDS))
    return tuple(found)


@functools.lru_cache(maxsize=1024)
def policy_header(key_policies):
    return http_sf.ser([(policy.name, {"q": policy.quota, "w": policy.window})
                        for policy in key_policies])


class Quotas:
    """Spends a keyed request from each of its key's policies.

    A counter per key, policy and window on the rate limiter's storage (Redis, else
    memory), windows aligned to the clock, so a daily quota resets at midnight UTC and a
    window's end is known without asking. One `incr` per policy answers the count the
    headers need (the `limits` strategies would take two more round trips for it). A
    refused request is given back to the policies it did not exceed: only served requests
    use up a quota. When the storage fails, counting goes on in this process's memory (as
    Flask-Limiter's fallback does) and the storage is tried again after RETRY_SECONDS.
    With RATELIMIT_ENABLED off nothing is counted.
    """

    RETRY_SECONDS = 5.0

    def __init__(self):
        self._fallback = MemoryStorage()
        self._retry_at = 0.0
        self._down = False

    def spend(self, key_id, key_policies, now):
        limiter = current_app.extensions.get("rate_limiter")
        if limiter is None or not limiter.enabled:
            return []
        counted = []
        for policy in key_policies:
            start = now // policy.window * policy.window
            key = f"api-key/{key_id}/{policy.name}/{policy.window}/{int(start)}"
            counted.append((policy, key, start, self._incr(limiter, key, policy.window)))
        refused = any(count > policy.quota for policy, _, _, count in counted)
        spent = []
        for policy, key, start, count in counted:
            if refused and count <= policy.quota:
                count = self._incr(limiter, key, policy.window, -1)
            spent.append(Spent(policy, policy.quota - count, start + policy.window - now))
        return spent

    def _incr(self, limiter, key, expiry, amount=1):
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
    """Check keys on every request; call before the response cache registers its hooks."""
    app.extensions["api_key_states"] = KeyStates(app.config["API_KEY_STATE_SECONDS"])
    app.extensions["api_key_usage"] = UsageCounter(app.config["API_KEY_USAGE_FLUSH_SECONDS"])
    app.extensions["api_key_quotas"] = Quotas()
    app.before_request(check_api_key)
    app.after_request(add_key_headers)
