"""HTTP caching: a shared response cache for anonymous GETs with exact invalidation on every
write, strong ETags with 304, and Cache-Control.

Entries are tagged with `id:<uuid>` for every item a response shows (its own and embedded
summaries) and `list:<collection>` for the collections whose writes can change it. Every
commit purges the tags of the rows it wrote (see `collect_written_tags`), so no write path
can forget to invalidate.
"""

import functools
import hashlib
import json
import math
import time
import uuid
from urllib.parse import urlencode

from flask import Response, current_app, g, has_app_context, request
from sqlalchemy import event, inspect
from sqlalchemy.orm import Session

from api.cache import get_store
from api.models.base import utcnow

STAMPEDE_WAIT_SECONDS = 1.0
STAMPEDE_POLL_SECONDS = 0.02
REPLAYED_HEADERS = ("Content-Type", "Link", "Content-Language", "Vary", "Last-Modified")
# Media types a view may answer by content negotiation (an event as JSON-LD): each is cached
# apart, JSON under the key it always had.
NEGOTIATED = ("application/json", "application/ld+json")


def is_anonymous():
    """True when the request carries no credentials (header or cookie)."""
    if "Authorization" in request.headers:
        return False
    cookie = current_app.config.get("JWT_ACCESS_COOKIE_NAME", "access_token_cookie")
    return cookie not in request.cookies


def cache_control(resource):
    policies = current_app.config["HTTP_CACHE"]
    max_age, stale = policies.get(resource, policies["default"])
    return f"public, max-age={max_age}, stale-while-revalidate={stale}"


def limit_cache_lifetime(until):
    """Let no cached copy of the response being built outlive `until` (an aware datetime),
    such as the moment a scheduled news item goes public."""
    seconds = max(0.0, (until - utcnow()).total_seconds())
    g.cache_ttl_limit = min(g.get("cache_ttl_limit", math.inf), seconds)


def cached(resource, lists=()):
    """Serve the view's anonymous GETs from the shared cache.

    `resource` names the Cache-Control policy; `lists` the collections whose writes change
    this response (a list view names its own collection). Place it below `@blp.arguments`
    (its parsed arguments, defaults included, make the key) and above `@blp.response`.
    """

    def decorator(view):
        @functools.wraps(view)
        def wrapper(*args, **kwargs):
            if not is_anonymous():
                return view(*args, **kwargs)
            key = response_key(args)
            entry, outcome = read_entry(key), "HIT"
            if entry is None:
                entry, outcome = build_entry(key, lambda: view(*args, **kwargs), lists), "MISS"
                if isinstance(entry, Response):
                    return entry
            # The same entry under the request's literal query lets the next identical
            # request be answered before routing to the view (see `serve_cached_response`).
            alias = request_key()
            if alias != key:
                store_entry(alias, entry)
            return replay(entry, resource, outcome)

        wrapper.cache_resource = resource  # type: ignore[attr-defined]
        return wrapper

    return decorator


def response_key(view_args):
    """The key of a response: path, parsed arguments (defaults applied) and language."""
    parsed = next((arg for arg in view_args if isinstance(arg, dict)), None)
    if parsed is None:
        return request_key()
    return _key("args", json.dumps(parsed, sort_keys=True, default=str))


def request_key():
    """The key of a request's literal query, parameter order aside."""
    return _key("query", urlencode(sorted(request.args.items(multi=True))))


def _key(kind, query):
    # The scheme and host are part of the key: responses carry absolute URLs (the Link
    # header) built from them, so a forged Host or X-Forwarded-Proto must not reach others.
    language = request.accept_languages.best_match(current_app.config["LANGUAGES"]) or ""
    media_type = request.accept_mimetypes.best_match(NEGOTIATED, default=NEGOTIATED[0])
    variant = "" if media_type == NEGOTIATED[0] else f"\n{media_type}"
    digest = hashlib.sha256(
        f"{request.host_url}\n{request.path}\n{query}\n{language}{variant}".encode()).hexdigest()
    return f"response:{kind}:{digest[:40]}"


def read_entry(key):
    """The stored entry: a line of metadata, a line of tags (parsed only when the entry is
    stored again), then the body as it was sent (a hit never parses the body). This
    process's copy answers when it has one (see `api.cache.LocalCopies`)."""
    store = get_store()
    local = store.local
    if local is not None:
        if (entry := local.get(key)) is not None:
            return entry
        generation = local.generation
    raw = store.get(key)
    if not raw:
        return None
    meta, tags, body = raw.split("\n", 2)
    entry = json.loads(meta) | {"tags": tags, "body": body}
    if local is not None:
        local.put(key, entry, entry["expires_at"], json.loads(tags), len(body), generation)
    return entry


def store_entry(key, entry):
    ttl = entry["expires_at"] - time.time()
    if ttl >= 1:
        tags = entry["tags"] if isinstance(entry["tags"], str) else json.dumps(entry["tags"])
        meta = {name: value for name, value in entry.items() if name not in ("body", "tags")}
        get_store().set_tagged(key, f"{json.dumps(meta)}\n{tags}\n{entry['body']}", ttl,
                               json.loads(tags))


def build_entry(key, render, lists):
    """Render the response; identical concurrent misses wait for one rebuild."""
    store = get_store()
    lock = f"lock:{key}"
    if not store.add(lock, "1", ttl=10):
        deadline = time.monotonic() + STAMPEDE_WAIT_SECONDS
        while time.monotonic() < deadline:
            time.sleep(STAMPEDE_POLL_SECONDS)
            if entry := read_entry(key):
                return entry
    try:
        response = render()
        if response.status_code != 200 or response.is_streamed:
            return response
        ttl = min(current_app.config["RESPONSE_CACHE_SECONDS"],
                  g.get("cache_ttl_limit", math.inf))
        tags = {f"list:{name}" for name in lists} | ids_shown(response) | g.get(
            "cache_tags", set())
        entry = {
            "status": response.status_code,
            "headers": [[k, v] for k, v in response.headers.items() if k in REPLAYED_HEADERS],
            "body": response.get_data(as_text=True),
            "etag": strong_etag(response.get_data()),
            "tags": sorted(tags),
            "expires_at": time.time() + ttl,
        }
        store_entry(key, entry)
        return entry
    finally:
        store.delete(lock)


def ids_shown(response):
    """`id:<uuid>` tags for every item a JSON body shows, embedded summaries included."""
    return ids_in(response.get_json(silent=True)) if response.is_json else set()


def ids_in(data):
    """`id:<uuid>` tags for every item in dumped data (dicts and lists), nested ones included;
    a view answering another format tags its entry with them through `g.cache_tags`."""
    tags = set()

    def walk(node):
        if isinstance(node, dict):
            if isinstance(node.get("id"), str):
                tags.add(f"id:{node['id']}")
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(data)
    return tags


def replay(entry, resource, outcome, status=200):
    """The cached response, or with `status=304` its headers alone."""
    if status == 304:
        headers = [(k, v) for k, v in entry["headers"] if k in ("Vary", "Content-Language")]
        response = Response(status=304, headers=headers)
        response.vary.add("Authorization")
    else:
        response = Response(entry["body"], status=entry["status"], headers=entry["headers"])
    response.headers["ETag"] = entry["etag"]
    response.headers["X-Cache"] = outcome
    response.headers["Cache-Control"] = cache_control(resource)
    return response


def cached_resource(endpoint):
    """The Cache-Control policy of a cached endpoint's GET, or None when it is not cached."""
    view = current_app.view_functions.get(endpoint)
    get = getattr(getattr(view, "view_class", None), "get", None)
    return getattr(get, "cache_resource", None)


def strong_etag(body):
    return '"' + hashlib.sha256(body).hexdigest()[:32] + '"'


def init_http_cache(app):
    @app.before_request
    def serve_cached_response():
        """Answer a repeated anonymous GET from the cache before any view code runs."""
        if request.method != "GET" or not is_anonymous():
            return None
        resource = cached_resource(request.endpoint)
        if resource is None:
            return None
        entry = read_entry(request_key())
        if entry is None:
            return None
        if entry["etag"].strip('"') in request.if_none_match:
            return replay(entry, resource, "HIT", status=304)
        return replay(entry, resource, "HIT")

    @app.after_request
    def set_caching_headers(response):
        if request.method not in ("GET", "HEAD"):
            return response
        if not is_anonymous():
            # Anything answered to a caller who sent credentials may be about them.
            response.headers["Cache-Control"] = "private, no-store"
            return response
        if response.status_code != 200 or response.direct_passthrough:
            return response
        response.headers.setdefault("Cache-Control", cache_control("default"))
        if "ETag" not in response.headers:
            response.headers["ETag"] = strong_etag(response.get_data())
        response.vary.update(["Authorization"])
        if "Content-Language" in response.headers:
            response.vary.add("Accept-Language")
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
    rows it links, before and after), and the lists it can appear in."""
    if getattr(obj, "__cache_public_fields__", None) == frozenset():
        return set()
    state = inspect(obj)
    ids = {getattr(obj, "id", None)}
    if not hasattr(state.mapper.class_, "id"):
        for column in state.mapper.columns:
            if column.foreign_keys:
                prop = state.mapper.get_property_by_column(column)
                ids.update(state.attrs[prop.key].history.sum())
    tags = {f"id:{value}" for value in ids if isinstance(value, uuid.UUID)}
    lists = getattr(obj, "__cache_lists__", (state.mapper.local_table.name,))
    return tags | {f"list:{name}" for name in lists}
