"""HTTP caching: the responses of public reads kept in the shared store and served to every
caller who may share them, with exact invalidation on every write, strong ETags with 304,
and Cache-Control.

How it fits together (an hour's read, in this order):
- `api.viewer`: who is calling. Services ask it what the caller may see, and it records the
  questions asked.
- `api.cache_contract`: what each kind of response depends on (collections, schedules) and
  the per-request `ResponseDependencies`.
- this module: the `cached` view decorator (key, lookup, build, store, replay), the hook
  that answers a hit before its view runs (`answer_from_cache`, same key and lookup), the
  typed entries, the headers, and the hooks that purge what every commit wrote.
- `api.cache`: the store (Redis, or memory) with tagged, versioned entries;
  `api.local_copies`: each process's copies of Redis entries.

One entry per response, keyed by the path, the parsed arguments (defaults applied; unknown
parameters never reach them) and the language. A response whose render asked the caller
something (an editor sees drafts) is stored under a variant key made of the caller's
answers, and the plain key holds a `Variants` marker naming the questions: anonymous callers
and members share an entry wherever they get the same answers, and no class of caller ever
receives another's. A response that asked who the caller is is never stored.
"""

import functools
import hashlib
import json
import time
import uuid
from dataclasses import dataclass, field

from flask import Response, current_app, g, has_app_context, request
from sqlalchemy import event, inspect
from sqlalchemy.orm import Session
from werkzeug.datastructures import HeaderSet
from werkzeug.http import is_resource_modified, parse_set_header

from api.auth import authenticate_reader, current_viewer, sends_credentials
from api.cache import (
    Claim,
    claim_lock,
    collect_stores,
    get_store,
    pending_stores,
    request_snapshot,
)
from api.cache_contract import (
    RESPONSES,
    ResponseDependencies,
    collection_of,
    is_link,
    purges_nothing,
)
from api.extensions import db
from api.list_totals import total_key
from api.parsing import parsed_query
from api.translations import content_language
from api.viewer import IDENTITY

STAMPEDE_WAIT_SECONDS = 1.0
STAMPEDE_POLL_SECONDS = 0.02
STORED_HEADERS = ("Content-Type", "Link", "Content-Language", "Last-Modified", "Vary")
# The request headers a cached answer is chosen by: the login, and the language.
VARY = ("Authorization", "Cookie")
PRIVATE = "private, no-cache"  # logged-in callers: kept by their own client, revalidated
VARIANTS_KEPT = 10_000  # keys a process remembers to stand for Variants
# Media types a view may answer by content negotiation (an event as JSON-LD): each is cached
# apart, JSON under the key it always had.
NEGOTIATED = ("application/json", "application/ld+json")


@dataclass
class CachedResponse:
    """A stored response: its body as sent, the headers that go with it, and its tags."""

    body: str
    etag: str
    headers: tuple[tuple[str, str], ...]
    tags: tuple[str, ...]
    expires_at: float  # epoch seconds
    # The headers of its answers, by Cache-Control and 200 or 304, made once per process.
    _answers: dict = field(default_factory=dict, repr=False, compare=False)

    def encode(self):
        meta = {"etag": self.etag, "headers": self.headers, "tags": self.tags,
                "expires_at": self.expires_at}
        return f"{json.dumps(meta)}\n{self.body}"

    def answer_headers(self, cache_control, not_modified):
        key = (cache_control, not_modified)
        if key not in self._answers:
            stored = dict(self.headers)
            vary = HeaderSet([*VARY, *parse_set_header(stored.pop("Vary", ""))])
            if "Content-Language" in stored:
                vary.add("Accept-Language")
            if not_modified:  # a 304 carries what says which representation is current
                stored = {k: v for k, v in stored.items() if k == "Content-Language"}
            self._answers[key] = [*stored.items(), ("ETag", self.etag),
                                  ("Vary", vary.to_header()), ("Cache-Control", cache_control)]
        return self._answers[key]


@dataclass(frozen=True)
class Variants:
    """Stands under a response's key when the response depends on what the caller is: the
    questions its render asked. Each answer set has its own entry."""

    questions: tuple[str, ...]
    expires_at: float
    tags: tuple[str, ...] = ()

    def key_for(self, key, viewer):
        return f"{key}:{viewer.answers(self.questions)}"

    def encode(self):
        return json.dumps({"vary": self.questions, "expires_at": self.expires_at}) + "\n"


def decode_entry(raw):
    meta, body = raw.split("\n", 1)
    fields = json.loads(meta)
    if "vary" in fields:
        return Variants(tuple(fields["vary"]), fields["expires_at"])
    return CachedResponse(body, fields["etag"], tuple(map(tuple, fields["headers"])),
                          tuple(fields["tags"]), fields["expires_at"])


def cached(kind):
    """Serve the view's GETs from the shared cache. `kind` names the response's entry in
    `api.cache_contract.RESPONSES` (what it depends on).

    Place it below `@blp.arguments` (the parsed arguments, defaults included, make the key)
    and above `@blp.response`; `Blueprint.cached` does, and resolves the caller first."""
    policy = RESPONSES[kind].policy  # a kind missing from the contract fails at start-up

    def decorator(view):
        @functools.wraps(view)
        def wrapper(*args, **kwargs):
            if current_app.config["RESPONSE_CACHE_SECONDS"] <= 0:
                return view(*args, **kwargs)
            viewer = current_viewer()
            key = response_key(args)
            claim = rebuild_claim(key)
            arguments = next((arg for arg in args if isinstance(arg, dict)), {})
            if "page" in arguments:  # a list: its kept total, if any, comes with the lookup
                claim.read_ahead = (total_key(kind, arguments, viewer),)
            entry, outcome = lookup(key, viewer, claim), "HIT"
            if entry is None:
                entry = build(key, kind, viewer, lambda: view(*args, **kwargs), claim)
                if isinstance(entry, Response):
                    return entry
                outcome = "MISS"
            return replay(entry, policy, viewer, outcome)

        wrapper.cache_kind = kind  # type: ignore[attr-defined]
        return wrapper

    return decorator


def response_key(view_args):
    """The key of a response: scheme, host, path, parsed arguments and language. (Responses
    carry absolute URLs built from the scheme and host: a forged Host must not reach
    others.)"""
    parsed = [arg for arg in view_args if isinstance(arg, dict)]
    language = request.accept_languages.best_match(current_app.config["LANGUAGES"]) or ""
    arguments = json.dumps(parsed, sort_keys=True, default=str)
    media_type = request.accept_mimetypes.best_match(NEGOTIATED, default=NEGOTIATED[0])
    variant = "" if media_type == NEGOTIATED[0] else f"\n{media_type}"
    digest = hashlib.sha256(f"{request.scheme}://{request.host}\n{request.path}\n{arguments}"
                            f"\n{language}{variant}".encode()).hexdigest()
    return f"response:{digest[:40]}"


def lookup(key, viewer, claim=None):
    """The entry this caller may be answered with, or None; with `claim` (a `Claim`), the
    read that finds nothing also claims the building of the entry.

    Each process remembers which keys stood for `Variants` (their questions), so that a
    hit or a miss of a response that varies costs one lookup: an entry found under the key
    of some answers is right for every caller with those answers, whatever the marker says
    now (a build that finds other questions tells the process, `remember_variants`)."""
    store = get_store()
    if (known := known_variants().get(key)) is not None:
        return store.read_tagged(known.key_for(key, viewer), decode_entry, claim)
    found = store.read_tagged(key, decode_entry, claim)
    if isinstance(found, Variants):
        remember_variants(key, found)
        found = store.read_tagged(found.key_for(key, viewer), decode_entry, claim)
    return found


def known_variants():
    """The `Variants` this process knows, by key."""
    return current_app.extensions.setdefault("cache_variants", {})


def remember_variants(key, variants):
    """`key` stands for `variants` (None: for one entry)."""
    known = known_variants()
    if variants is None:
        known.pop(key, None)
        return
    if len(known) >= VARIANTS_KEPT:
        known.clear()
    known[key] = variants


def rebuild_claim(key):
    """The `Claim` on rebuilding the response of `key`."""
    return Claim(f"lock:{key}")


def build(key, kind, viewer, render, claim=None):
    """Render the response and store it for whoever may share it; answers the entry, or the
    response itself when it is not to be stored. Identical concurrent misses wait for one
    rebuild (`claim`: the lock, taken by the lookup that missed or here)."""
    store = get_store()
    claim = claim_lock(claim or rebuild_claim(key))
    since = request_snapshot(claim.snapshot)  # before any data is read
    if not claim.claimed:
        deadline = time.monotonic() + STAMPEDE_WAIT_SECONDS
        while time.monotonic() < deadline:
            time.sleep(STAMPEDE_POLL_SECONDS)
            # The lock is read before the entry: the store that releases it is atomic, so
            # once it is gone an entry for this caller, if one was kept, can be read.
            released = store.get(claim.lock) is None
            if entry := lookup(key, viewer):
                return entry
            if released:  # built for another class of caller, or not kept
                break
    stored = []
    try:
        collect_stores()  # what the render keeps (a list's total) goes with the response
        g.response_dependencies = dependencies = ResponseDependencies(kind)
        viewer.asked.clear()
        with db.reading():
            response = render()
        if response.status_code != 200 or response.is_streamed or IDENTITY in viewer.asked:
            return response
        entry = make_entry(response, dependencies)
        ttl = entry.expires_at - time.time()
        variants = None
        if viewer.asked:
            variants = Variants(tuple(sorted(viewer.asked)), entry.expires_at)
            stored.append((key, variants, ttl, ()))
        remember_variants(key, variants)
        stored.append((key if variants is None else variants.key_for(key, viewer), entry, ttl,
                       entry.tags))
        return entry
    finally:
        store.store_tagged([*pending_stores(), *stored], since, release=claim.lock)


def make_entry(response, dependencies):
    body = response.get_data(as_text=True)
    if response.is_json:
        dependencies.shows_json(body)
    headers = {name: value for name, value in response.headers.items()
               if name in STORED_HEADERS}
    if language := content_language():
        headers["Content-Language"] = language
    return CachedResponse(
        body=body, etag=strong_etag(response.get_data()), headers=tuple(headers.items()),
        tags=tuple(sorted(dependencies.tags)), expires_at=time.time() + dependencies.lifetime())


def replay(entry, policy, viewer, outcome):
    """The cached response for this caller, or a 304 when their copy is current."""
    cache_control = public_cache_control(policy) if viewer.is_anonymous else PRIVATE
    last_modified = next((v for k, v in entry.headers if k == "Last-Modified"), None)
    if is_resource_modified(request.environ, entry.etag, last_modified=last_modified):
        response = Response(entry.body, headers=entry.answer_headers(cache_control, False))
    else:
        response = Response(status=304, headers=entry.answer_headers(cache_control, True))
    if current_app.config["CACHE_DEBUG_HEADERS"]:
        response.headers["X-Cache"] = outcome
    return response


def public_cache_control(policy):
    policies = current_app.config["HTTP_CACHE"]
    max_age, stale = policies.get(policy, policies["default"])
    return f"public, max-age={max_age}, stale-while-revalidate={stale}"


def strong_etag(body):
    return '"' + hashlib.sha256(body).hexdigest()[:32] + '"'


def answer_from_cache():
    """Answer a GET whose response is cached before its view runs: routing to the view,
    parsing its arguments again and its wrappers cost as much as the rest of a hit. The key
    is the view's, from the arguments this process parsed from the same query string before;
    a query not parsed yet, or a response not cached yet, goes on to the view (whose
    `cached` stores it)."""
    if request.method not in ("GET", "HEAD") or current_app.config[
            "RESPONSE_CACHE_SECONDS"] <= 0:
        return None
    view = current_app.view_functions.get(request.endpoint or "")
    get = getattr(getattr(view, "view_class", None), "get", None)
    kind = getattr(get, "cache_kind", None)
    if get is None or kind is None:
        return None
    arguments = parsed_query(get.query_schema, request)
    if arguments is None:
        return None
    viewer = authenticate_reader()  # as the view's `auth_required(optional=True)` would
    entry = lookup(response_key([arguments]), viewer)
    return None if entry is None else replay(entry, RESPONSES[kind].policy, viewer, "HIT")


def init_http_cache(app):
    app.before_request(answer_from_cache)

    @app.after_request
    def set_caching_headers(response):
        """Caching headers for GETs that are not served through `cached`."""
        if request.method not in ("GET", "HEAD") or "Cache-Control" in response.headers:
            return response
        if sends_credentials():
            # Anything else answered to a caller who sent credentials may be about them.
            response.headers["Cache-Control"] = "private, no-store"
            return response
        if response.status_code != 200 or response.direct_passthrough:
            return response
        response.headers["Cache-Control"] = public_cache_control("default")
        if "ETag" not in response.headers:
            response.headers["ETag"] = strong_etag(response.get_data())
        response.vary.update(VARY)
        return response.make_conditional(request)


@event.listens_for(Session, "after_flush")
def collect_written_tags(session, _flush_context):
    """Remember which cached responses the rows written in this transaction change."""
    tags = session.info.setdefault("cache_tags", set())
    for obj in session.new | session.deleted:
        tags |= tags_of(obj)
    for obj in session.dirty:
        if shows_publicly_changed(obj):
            tags |= tags_of(obj)


@event.listens_for(Session, "after_commit")
def purge_written_tags(session):
    tags = session.info.pop("cache_tags", None)
    if tags and has_app_context():
        get_store().invalidate_tags(tags)


@event.listens_for(Session, "after_rollback")
def forget_written_tags(session):
    session.info.pop("cache_tags", None)


def shows_publicly_changed(obj):
    """False when only fields no cached response shows changed (a login time, say)."""
    public = getattr(obj, "__cache_public_fields__", None)
    state = inspect(obj)
    changed = {attr.key for attr in state.attrs if attr.history.has_changes()}
    return bool(changed) and (public is None or bool(changed & public))


def tags_of(obj):
    """The tags of a row: itself (or, for a link row such as a news item's speaker, both
    rows it links, before and after), and its collection (`collection_of`)."""
    state = inspect(obj)
    if purges_nothing(state.mapper):
        return set()
    ids = {getattr(obj, "id", None)}
    if is_link(state.mapper):
        for column in state.mapper.columns:
            if column.foreign_keys:
                prop = state.mapper.get_property_by_column(column)
                ids.update(state.attrs[prop.key].history.sum())
    tags = {f"id:{value}" for value in ids if isinstance(value, uuid.UUID)}
    return tags | {f"list:{collection_of(state.mapper)}"}
