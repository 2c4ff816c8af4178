"""Each item's JSON, dumped once and kept in the store, so that a list the response cache
has not seen yet (a new filter value, a new page) costs the queries for its page of ids and
little more.

An item's JSON is kept per schema, per language asked for and per what the caller may see
(editors see linked drafts), tagged with the ids it shows and the dependencies of its kind
(`api.cache_contract.RESPONSES`) like a response, and stored only if nothing it shows was
purged since its rows were read. It also keeps which table each id it shows is from, so
that a list showing it tags only the ids its collections do not cover. A list service opts
in by answering a `Page` of ids with a `load` function (see `api.pagination.Page`).
"""

import json
import time
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from flask import current_app, g

from api.cache import get_store, keep_tagged, request_snapshot
from api.cache_contract import ID_KEY, ResponseDependencies, response_dependencies
from api.extensions import db
from api.translations import choose_language, requested_language

SEPARATORS = (",", ":")


@dataclass(frozen=True)
class ItemJSON:
    text: str
    language: str | None  # the language of its text fields, for Content-Language
    tags: tuple[str, ...]
    expires_at: float
    rows: dict[str, list[str]]  # the ids it shows, by table (those known)

    def encode(self):
        meta = [self.language, self.tags, self.expires_at, self.rows]
        return json.dumps(meta) + "\n" + self.text

    @classmethod
    def decode(cls, raw):
        meta, text = raw.split("\n", 1)
        language, tags, expires_at, *rows = json.loads(meta)
        return cls(text, language, tuple(tags), expires_at, rows[0] if rows else {})


def dump_items(schema, ids, load, kind, viewer):
    """The JSON texts of the items `ids`, in order, as `schema` dumps them for this caller;
    `load(ids)` gives the items not kept yet, and `kind` names what an item depends on."""
    if current_app.config["ITEM_CACHE_SECONDS"] <= 0:  # the item cache is off
        by_id = {item.id: item for item in load(ids)}
        return [_json(schema, by_id[item_id]) for item_id in ids]
    store = get_store()
    visibility = "editor" if viewer.sees_unpublished else "public"
    prefix = f"item:{type(schema).__name__}:{requested_language() or ''}:{visibility}:"
    found = dict(zip(ids, store.read_tagged_many([f"{prefix}{item_id}" for item_id in ids],
                                                 ItemJSON.decode), strict=True))
    missing = [item_id for item_id, item in found.items() if item is None]
    if missing:
        since = request_snapshot()  # before the rows are read
        loaded = load(missing)
        tables = tables_of_rows()
        for item in loaded:
            found[item.id] = entry = _entry(schema, item, kind, tables)
            keep_tagged(f"{prefix}{item.id}", entry, entry.expires_at - time.time(),
                        entry.tags, since)
    items = [found[item_id] for item_id in ids]
    response_dependencies().shows_rows(*(item.rows for item in items))
    languages = g.setdefault("content_languages", set())
    languages.update(item.language for item in items if item.language)
    return [item.text for item in items]


def _json(schema, item):
    return json.dumps(schema.dump(item), separators=SEPARATORS,
                      ensure_ascii=current_app.json.ensure_ascii)  # type: ignore[attr-defined]


def tables_of_rows():
    """The table of each row the session holds (what the items just loaded show), by id."""
    rows: Iterable[Any] = db.session.identity_map.values()
    return {str(row.id): row.__tablename__ for row in rows if getattr(row, "id", None)}


def _entry(schema, item, kind, tables):
    text = _json(schema, item)
    ids = dict.fromkeys(ID_KEY.findall(text))  # every id it shows, once, in order
    rows: dict[str, list[str]] = {}
    for item_id in ids:
        if item_id in tables:
            rows.setdefault(tables[item_id], []).append(item_id)
    dependencies = ResponseDependencies(kind)
    dependencies.shows_rows(rows)
    dependencies.shows(ids)
    language = choose_language(item) if hasattr(item, "available_languages") else None
    return ItemJSON(text, language, tuple(sorted(dependencies.tags)),
                    time.time() + dependencies.lifetime("ITEM_CACHE_SECONDS"), rows)


def page_body(texts, pagination):
    """The list envelope `{items, pagination}` around items' JSON texts."""
    return ('{"items":[' + ",".join(texts) + '],"pagination":'
            + json.dumps(pagination, separators=SEPARATORS) + "}")
