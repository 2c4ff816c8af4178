"""Partner keys: issuing, changing, rolling and revoking them, the rules a keyed request must
meet, the key state every process checks, and the daily usage counts."""

import json
import logging
import secrets
import string
import threading
import time
import uuid
from collections import Counter
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime, timedelta

from flask import current_app
from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import lazyload

from api.cache import get_store
from api.errors import APIError, Conflict, Forbidden, NotFound
from api.extensions import db
from api.models import ApiKey, ApiKeyKind, ApiKeyUsage, AuditEventType, Park
from api.models.base import utcnow
from api.origins import origin_allowed
from api.pagination import paginate
from api.refs import ref_filter
from api.security import hash_token
from api.services.audit import record
from api.services.auth import find_park

logger = logging.getLogger(__name__)

PREFIXES = {ApiKeyKind.PUBLISHABLE: "cisip_pk_", ApiKeyKind.SECRET: "cisip_sk_"}
KEY_ALPHABET = string.ascii_letters + string.digits
KEY_LENGTH = 32  # 190 random bits
USAGE_DAYS = 90
SAFE_METHODS = frozenset({"GET", "HEAD"})
EPOCH = date(1970, 1, 1).toordinal()
SORT_COLUMNS = {"name": ApiKey.name, "created_at": ApiKey.created_at,
                "last_used_at": ApiKey.last_used_at}


class InvalidApiKey(APIError):
    status = 401
    code = "invalid_api_key"

    def __init__(self):
        super().__init__("The API key is unknown, revoked, rolled out or expired.")


# Issuing and administration.

@dataclass(frozen=True)
class IssuedKey:
    """A key just created or rolled, with the key itself: known only in this request."""

    key: ApiKey
    plaintext: str

    def __getattr__(self, name):
        return getattr(self.key, name)


def new_key(kind):
    """A new key of `kind` and the hash under which it is stored."""
    key = PREFIXES[kind] + "".join(secrets.choice(KEY_ALPHABET) for _ in range(KEY_LENGTH))
    return key, hash_token(key)


def key_hint(key):
    """How a key is shown after creation: its prefix and last four characters."""
    return f"{key[:9]}…{key[-4:]}"


def list_keys(args):
    stmt = select(ApiKey)
    if "status" in args:
        stmt = stmt.where(ApiKey.status == args["status"])
    else:
        stmt = stmt.where(ApiKey.revoked_at.is_(None))
    if "kind" in args:
        stmt = stmt.where(ApiKey.kind == args["kind"])
    if "park" in args:
        stmt = stmt.join(Park, ApiKey.park_id == Park.id).where(ref_filter(Park, args["park"]))
    if "q" in args:
        stmt = stmt.where(func.lower(ApiKey.name).contains(args["q"].lower(), autoescape=True))
    return paginate(db.session, stmt, args, SORT_COLUMNS)


def get_key(key_id):
    key = db.session.get(ApiKey, key_id)
    if key is None:
        raise NotFound("No API key has this id.")
    return key


def _get_unrevoked(key_id):
    key = get_key(key_id)
    if key.revoked_at is not None:
        raise Conflict("This key is revoked; create a new one.", code="key_revoked")
    return key


def create_key(admin, data):
    """Issue a key; the answer carries it in `key`, the only time it is shown."""
    config = current_app.config
    kind = data["kind"]
    _check_origins(kind, data.get("allowed_origins", []))
    plaintext, key_hash = new_key(kind)
    key = ApiKey(name=data["name"], kind=kind, secret_hash=key_hash, key_hint=key_hint(plaintext),
                 allowed_origins=data.get("allowed_origins", []),
                 rate_limit=data.get("rate_limit") or config["API_KEY_DEFAULT_RATE_LIMIT"],
                 daily_quota=data.get("daily_quota", config["API_KEY_DEFAULT_DAILY_QUOTA"]),
                 park=find_park(data.get("park_id")), active=data.get("active", True),
                 expires_at=data.get("expires_at"), created_by_id=admin.id)
    with db.transaction():
        db.session.add(key)
        db.session.flush()
        record(AuditEventType.API_KEY_CREATED, actor=admin, api_key_id=str(key.id),
               name=key.name, kind=kind.value)
    return IssuedKey(key, plaintext)


def update_key(admin, key_id, data):
    """Change a key's name, origins, limits, park, expiry or switch it on or off."""
    key = _get_unrevoked(key_id)
    data = dict(data)
    changed = sorted(data)
    if "allowed_origins" in data:
        _check_origins(key.kind, data["allowed_origins"])
    if "park_id" in data:
        key.park = find_park(data.pop("park_id"))
    with db.transaction():
        for field, value in data.items():
            setattr(key, field, value)
        record(AuditEventType.API_KEY_UPDATED, actor=admin, api_key_id=str(key.id),
               name=key.name, fields=", ".join(changed))
    states().publish(key)
    return key


def roll_key(admin, key_id, grace_seconds):
    """Give a key a new secret; the old one keeps working for `grace_seconds` (a secret
    from an earlier roll stops at once)."""
    key = _get_unrevoked(key_id)
    retired = [key.previous_hash]
    plaintext, key_hash = new_key(key.kind)
    with db.transaction():
        if grace_seconds:
            key.previous_hash = key.secret_hash
            key.previous_expires_at = utcnow() + timedelta(seconds=grace_seconds)
        else:
            retired.append(key.secret_hash)
            key.previous_hash = key.previous_expires_at = None
        key.secret_hash, key.key_hint = key_hash, key_hint(plaintext)
        record(AuditEventType.API_KEY_ROLLED, actor=admin, api_key_id=str(key.id),
               name=key.name, grace_seconds=str(grace_seconds))
    states().publish(key, retired=retired)
    return IssuedKey(key, plaintext)


def revoke_key(admin, key_id):
    """Revoke a key for good (again: nothing happens); every process refuses it within a
    second."""
    key = get_key(key_id)
    if key.revoked_at is not None:
        return
    with db.transaction():
        key.revoked_at = utcnow()
        record(AuditEventType.API_KEY_REVOKED, actor=admin, api_key_id=str(key.id),
               name=key.name)
    states().publish(key)


def _check_origins(kind, origins):
    if origins and kind is ApiKeyKind.SECRET:
        raise APIError("Secret keys are refused from browsers; only publishable keys take "
                       "allowed_origins.", status=422, code="validation_error",
                       errors={"json": {"allowed_origins": [
                           "Must be empty for a secret key."]}})


# What a keyed request may do.

@dataclass(frozen=True)
class KeyState:
    """What the request check needs to know about one key secret."""

    id: str
    kind: str
    origins: tuple[str, ...]
    rate_limit: str
    daily_quota: int | None
    valid_until: float | None  # a Unix time: expiry, or the end of a rolled secret's grace

    def valid(self, now):
        return self.valid_until is None or now < self.valid_until

    def dumps(self):
        return json.dumps(asdict(self))

    @classmethod
    def loads(cls, text):
        data = json.loads(text)
        return None if data is None else cls(**data | {"origins": tuple(data["origins"])})


def state_of(key, key_hash):
    """The state of `key` as reached through `key_hash` (its secret or its previous one), or
    None when that secret opens nothing."""
    if key.revoked_at is not None or not key.active:
        return None
    ends = [key.expires_at]
    if key_hash == key.previous_hash:
        ends.append(key.previous_expires_at)
    elif key_hash != key.secret_hash:
        return None
    ends = [end.timestamp() for end in ends if end is not None]
    return KeyState(id=str(key.id), kind=key.kind.value, origins=tuple(key.allowed_origins),
                    rate_limit=key.rate_limit, daily_quota=key.daily_quota,
                    valid_until=min(ends) if ends else None)


def load_state(key_hash):
    key = db.session.scalar(
        select(ApiKey).options(lazyload("*"))
        .where(or_(ApiKey.secret_hash == key_hash, ApiKey.previous_hash == key_hash)))
    return None if key is None else state_of(key, key_hash)


def check_use(state, *, method, origin, from_browser, in_url, with_login):
    """Raise what a request with this key gets when the key does not allow it.

    `origin` is the browser origin the request came from (its `Origin`, else its
    `Referer`'s), or None when it names none: a server, an app, a feed reader.
    """
    if state.kind == ApiKeyKind.SECRET:
        if in_url or from_browser:
            raise Forbidden("Secret keys are for servers: send them in the X-API-Key header, "
                            "never from a browser or in a URL. Roll this key if it was "
                            "published.", code="secret_key_exposed")
        return
    if method not in SAFE_METHODS or with_login:
        raise Forbidden("A publishable key reads public content only: GET and HEAD, "
                        "without a login.", code="key_scope_denied")
    if origin is not None and not origin_allowed(origin, state.origins):
        raise Forbidden("This key is not allowed from this origin.", code="key_origin_denied")


def states():
    return current_app.extensions["api_key_states"]


class KeyStates:
    """Each process's copies of key states, trusted for `seconds` (at most one), then read
    again from Redis (shared by every process, kept current by every change) or the
    database. So a change reaches every process within `seconds`, and a keyed request costs
    no round trip in between."""

    REDIS_SECONDS = 30
    MAX_COPIES = 10_000

    def __init__(self, seconds):
        self.seconds = seconds
        self._copies: dict[str, tuple[KeyState | None, float]] = {}

    def get(self, key_hash):
        copy = self._copies.get(key_hash)
        now = time.monotonic()
        if copy is not None and copy[1] > now:
            return copy[0]
        store = get_store()
        cached = store.get(self._redis_key(key_hash)) if store.shared else None
        if cached is not None:
            state = KeyState.loads(cached)
        else:
            state = load_state(key_hash)
            if store.shared:
                # Only where no change wrote it meanwhile: a change always overwrites.
                store.add(self._redis_key(key_hash), _dumps(state), self.REDIS_SECONDS)
        self._keep(key_hash, state, now)
        return state

    def publish(self, key, retired=()):
        """Make every process see `key` as it is now committed; `retired` hashes open
        nothing any more."""
        store = get_store()
        for key_hash in (key.secret_hash, key.previous_hash, *retired):
            if key_hash is None:
                continue
            state = state_of(key, key_hash)
            if store.shared:
                store.set(self._redis_key(key_hash), _dumps(state), self.REDIS_SECONDS)
            self._keep(key_hash, state, time.monotonic())

    def _keep(self, key_hash, state, now):
        if len(self._copies) >= self.MAX_COPIES:
            self._copies = {}
        self._copies[key_hash] = (state, now + self.seconds)

    @staticmethod
    def _redis_key(key_hash):
        return f"api-key:{key_hash}"


def _dumps(state):
    return "null" if state is None else state.dumps()


# Usage counts.

class UsageCounter:
    """Requests served per key, UTC day and endpoint group, added up in process memory and
    written to the database every `seconds` (and before usage is read), never once per
    request. A process that dies loses at most its last `seconds` of counts."""

    def __init__(self, seconds):
        self.seconds = seconds
        self._lock = threading.Lock()
        self._counts: Counter = Counter()
        self._last_used: dict[str, float] = {}
        self._next_flush = time.monotonic() + seconds
        self._flushing = False

    def count(self, key_id, group, now):
        with self._lock:
            self._counts[key_id, int(now // 86400), group] += 1
            self._last_used[key_id] = now

    def due(self):
        return bool(self._counts) and time.monotonic() >= self._next_flush

    def flush(self):
        """Write what was counted (needs an app context); on failure keep it for later."""
        with self._lock:
            if self._flushing or not self._counts:
                return
            counts, self._counts = self._counts, Counter()
            last_used, self._last_used = self._last_used, {}
            self._flushing = True
            self._next_flush = time.monotonic() + self.seconds
        try:
            record_usage(counts, last_used)
        except Exception:
            logger.exception("API key usage not written; kept for the next attempt")
            with self._lock:
                self._counts.update(counts)
                for key_id, at in last_used.items():
                    self._last_used[key_id] = max(at, self._last_used.get(key_id, at))
        finally:
            with self._lock:
                self._flushing = False


def usage_counter():
    return current_app.extensions["api_key_usage"]


def record_usage(counts, last_used):
    """Add `counts` ((key id, Unix day, group) -> requests) to the daily rows, move each
    key's `last_used_at` forward, and drop rows older than USAGE_DAYS."""
    rows = [{"api_key_id": uuid.UUID(key_id), "day": date.fromordinal(EPOCH + day),
             "endpoint_group": group, "requests": requests}
            for (key_id, day, group), requests in counts.items()]
    insert = _insert(ApiKeyUsage).values(rows)
    with db.transaction():
        db.session.execute(insert.on_conflict_do_update(
            index_elements=["api_key_id", "day", "endpoint_group"],
            set_={"requests": ApiKeyUsage.requests + insert.excluded.requests}))
        for key_id, at in last_used.items():
            used = datetime.fromtimestamp(at, UTC)
            db.session.execute(
                update(ApiKey)
                .where(ApiKey.id == uuid.UUID(key_id),
                       or_(ApiKey.last_used_at.is_(None), ApiKey.last_used_at < used))
                .values(last_used_at=used, updated_at=ApiKey.updated_at)
                .execution_options(synchronize_session=False))
        db.session.execute(delete(ApiKeyUsage).where(
            ApiKeyUsage.day <= utcnow().date() - timedelta(days=USAGE_DAYS)))


def _insert(model):
    dialect = postgresql if db.engine.dialect.name == "postgresql" else sqlite
    return dialect.insert(model)


def key_usage(key_id, days):
    """Requests per day (the last `days` UTC days, today included, oldest first) and per
    endpoint group, this process's latest counts included."""
    key = get_key(key_id)
    usage_counter().flush()
    today = utcnow().date()
    first = today - timedelta(days=days - 1)
    rows = db.session.execute(
        select(ApiKeyUsage.day, ApiKeyUsage.endpoint_group, ApiKeyUsage.requests)
        .where(ApiKeyUsage.api_key_id == key.id, ApiKeyUsage.day >= first))
    per_day: dict[date, Counter] = {first + timedelta(days=n): Counter() for n in range(days)}
    for day, group, requests in rows:
        per_day[day][group] += requests
    totals: Counter = sum(per_day.values(), Counter())
    return {"api_key_id": key.id, "from": first, "to": today, "total": totals.total(),
            "groups": dict(totals),
            "days": [{"date": day, "total": groups.total(), "groups": dict(groups)}
                     for day, groups in per_day.items()]}
