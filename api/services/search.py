"""Full-text search: one interface, PostgreSQL full-text search or SQLite FTS5 underneath.

`search_documents` holds one row per searchable item (see `api.models.search`), rewritten
after every flush that adds, changes or deletes one. `GET /search` ranks those rows;
collection filters (`q`) use `matching_ids`.
"""

import html
import re
from typing import cast

from sqlalchemy import (
    Table,
    delete,
    event,
    false,
    func,
    insert,
    literal_column,
    select,
    table,
    union_all,
)
from sqlalchemy.orm import Session

from api.extensions import db
from api.models.base import utcnow
from api.models.search import SEARCHABLE, Searchable, SearchDocument
from api.pagination import count_rows, fetch_page

DOCUMENTS = cast(Table, SearchDocument.__table__)
FTS = table("search_fts")
# Highlight markers that cannot occur in text; swapped for <mark> after HTML-escaping.
START, STOP = "\x02", "\x03"
WORDS = re.compile(r"\w+", re.UNICODE)
# A search matching more items than this counts only this many (`total` says MATCH_CAP),
# and `GET /search` ranks only its newest MATCH_CAP matches: counting and ranking every
# match of a word in nearly every item costs ~0.5 s at 100,000 items.
MATCH_CAP = 1000
# Past MATCH_CAP matches, every match is still ranked while the planner expects at most
# this many (walking the date index for the newest matches of a word in a few percent of
# items costs more than ranking them all).
RANK_ALL_UP_TO = 20000


def sync_search_index(session, _flush_context):
    """Rewrite the search rows of the searchable items this flush added, changed or deleted."""
    changed = [item for item in session.new | session.dirty if isinstance(item, Searchable)]
    gone = [item for item in session.deleted if isinstance(item, Searchable)]
    if not changed and not gone:
        return
    connection = session.connection()
    for item in changed + gone:
        connection.execute(delete(DOCUMENTS).where(DOCUMENTS.c.type == item.SEARCH_TYPE,
                                                   DOCUMENTS.c.item_id == item.id))
    if changed:
        connection.execute(insert(DOCUMENTS), [document_row(item) for item in changed])


def document_row(item):
    return {"type": item.SEARCH_TYPE, "item_id": item.id, "slug": item.slug,
            **item.search_document()}


def init_search():
    if not event.contains(Session, "after_flush", sync_search_index):
        event.listen(Session, "after_flush", sync_search_index)


class PostgresBackend:
    """tsvector `document` (GIN-indexed), `websearch_to_tsquery`, `ts_rank`, `ts_headline`."""

    def query(self, q):
        return func.websearch_to_tsquery("english", q)

    def match(self, q):
        return literal_column("search_documents.document").op("@@")(self.query(q))

    def rank(self, q):
        # Higher is better; ordered descending.
        return -func.ts_rank(literal_column("search_documents.document"), self.query(q))

    def from_clause(self):
        return DOCUMENTS

    def snippet(self, q, rows):
        options = f"StartSel={START}, StopSel={STOP}, MaxWords=30, MinWords=12, MaxFragments=2"
        text = DOCUMENTS.c.title + ". " + DOCUMENTS.c.content
        stmt = select(DOCUMENTS.c.id, func.ts_headline("english", text, self.query(q), options))
        return dict(db.session.execute(stmt.where(DOCUMENTS.c.id.in_([r.id for r in rows]))).all())

    def prepare(self, q):
        return q

    def estimate(self, stmt):
        """The planner's row estimate for `stmt` (no rows are read)."""
        compiled = stmt.compile(dialect=db.engine.dialect,
                                 compile_kwargs={"render_postcompile": True})
        plan = db.session.connection().exec_driver_sql(
            f"EXPLAIN (FORMAT JSON) {compiled}", compiled.params).scalar_one()
        return plan[0]["Plan"]["Plan Rows"]


class SQLiteBackend:
    """FTS5 table `search_fts` (external content), `MATCH`, `bm25`, `snippet()`."""

    def match(self, q):
        return literal_column("search_fts").op("MATCH")(q)

    def rank(self, _q):
        # bm25 is lower for better matches; a title match weighs ten times a content one.
        return func.bm25(literal_column("search_fts"), 10.0, 1.0)

    def from_clause(self):
        return DOCUMENTS.join(FTS, literal_column("search_fts.rowid") == DOCUMENTS.c.id)

    def snippet(self, q, rows):
        stmt = select(DOCUMENTS.c.id, func.snippet(literal_column("search_fts"), -1, START,
                                                   STOP, "…", 24))
        stmt = stmt.select_from(self.from_clause()).where(
            self.match(q), DOCUMENTS.c.id.in_([r.id for r in rows]))
        return dict(db.session.execute(stmt).all())

    def prepare(self, q):
        # Every word, quoted: user input never reaches FTS5's query syntax.
        return " ".join(f'"{word}"' for word in WORDS.findall(q)) or None

    def estimate(self, stmt):
        return db.session.scalar(select(func.count()).select_from(stmt.subquery()))


def backend():
    return PostgresBackend() if db.engine.dialect.name == "postgresql" else SQLiteBackend()


def matching_ids(search_type, q):
    """A subquery of the ids of `search_type` items matching the words `q`.

    It is a materialised CTE: found once through the full-text index, then joined, rather
    than probed row by row along the collection's sort order.
    """
    engine = backend()
    query = engine.prepare(q)
    stmt = select(DOCUMENTS.c.item_id).select_from(engine.from_clause())
    if query is None:
        return stmt.where(false())
    found = all_matches(stmt.where(DOCUMENTS.c.type == search_type, engine.match(query)),
                        f"{search_type}_matches")
    return select(found.c.item_id)


def all_matches(stmt, name="matches"):
    """`stmt`'s rows, every one read through the full-text index before anything else is
    done with them (a materialised CTE): else the planner may walk another index along a
    sort order, testing each row's document, which costs far more unless most rows match."""
    return stmt.cte(name).prefix_with("MATERIALIZED")


def capped_count(stmt):
    """How many rows `stmt` gives, counting no further than `MATCH_CAP`."""
    return min(db.session.scalar(count_rows(stmt, MATCH_CAP)) or 0, MATCH_CAP)


def newest_first(stmt, columns=DOCUMENTS.c):
    """`stmt` ordered newest first by `columns` (`DOCUMENTS`' or those of a subquery of it);
    undated (drafts) first, as a backward scan of `ix_search_documents_type_visible_from`
    gives them."""
    return stmt.order_by(columns.visible_from.desc().nulls_first(), columns.id.desc())


def newest_matches(search_type, q, args):
    """The page `args` asks for of the ids of public `search_type` items matching `q`,
    newest first.

    The page comes from the index side (`search_documents.visible_from`, which is when a
    public item became visible), never probing the items; `total` is capped (`MATCH_CAP`).
    """
    engine = backend()
    query = engine.prepare(q)
    if query is None:
        return fetch_page(args, 0, None)
    stmt = select(DOCUMENTS.c.item_id).select_from(engine.from_clause()).where(
        DOCUMENTS.c.type == search_type, DOCUMENTS.c.visible_from <= utcnow(),
        engine.match(query))
    total = capped_count(stmt)
    if total == MATCH_CAP:  # many: walking the date index finds a page's few soon
        ordered = newest_first(stmt)
    else:  # few: every match, read through the full-text index, then sorted
        found = all_matches(stmt.add_columns(DOCUMENTS.c.id, DOCUMENTS.c.visible_from))
        ordered = newest_first(select(found.c.item_id), found.c)

    def fetch(limit, offset):
        return db.session.scalars(ordered.limit(limit).offset(offset))

    return fetch_page(args, total, fetch)


def search(args, show_unpublished=False):
    """One page of items of `args["type"]` matching `args["q"]`, best first, with snippets.

    Past `MATCH_CAP` matches, `total` says `MATCH_CAP`; past `RANK_ALL_UP_TO` (as
    estimated), only the newest `MATCH_CAP` are ranked.
    """
    engine = backend()
    query = engine.prepare(args["q"])
    if query is None:
        return fetch_page(args, 0, None)
    types = args.get("type") or sorted(SEARCHABLE)

    def matches(*columns, types=types):
        stmt = select(*columns).select_from(engine.from_clause()).where(
            engine.match(query), DOCUMENTS.c.type.in_(types))
        if not show_unpublished:
            stmt = stmt.where(DOCUMENTS.c.visible_from <= utcnow())
        return stmt

    stmt = matches(DOCUMENTS.c.id, DOCUMENTS.c.type, DOCUMENTS.c.item_id, DOCUMENTS.c.slug,
                   DOCUMENTS.c.title)
    total = capped_count(matches(DOCUMENTS.c.id))
    if total == MATCH_CAP and engine.estimate(matches(DOCUMENTS.c.id)) > RANK_ALL_UP_TO:
        # Too many to rank them all: the newest MATCH_CAP, each type from its own index.
        newest = union_all(*(
            select(newest_first(matches(DOCUMENTS.c.id, DOCUMENTS.c.visible_from,
                                        types=[kind])).limit(MATCH_CAP).subquery())
            for kind in types)).subquery()
        stmt = stmt.where(DOCUMENTS.c.id.in_(
            newest_first(select(newest.c.id), newest.c).limit(MATCH_CAP)))

    def fetch(limit, offset):
        rows = db.session.execute(stmt.order_by(engine.rank(query), DOCUMENTS.c.id)
                                  .limit(limit).offset(offset)).all()
        snippets = engine.snippet(query, rows) if rows else {}
        return [{"type": row.type, "id": row.item_id, "slug": row.slug, "title": row.title,
                 "snippet": highlight(snippets.get(row.id, ""))} for row in rows]

    return fetch_page(args, total, fetch)


def highlight(snippet):
    """The snippet as safe HTML: text escaped, matches in `<mark>`."""
    return html.escape(snippet).replace(START, "<mark>").replace(STOP, "</mark>")
