"""Lists: query arguments, the `{items, pagination}` envelope and the RFC 8288 Link header."""

import functools
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol
from urllib.parse import urlencode

import marshmallow as ma
from flask import g, request
from marshmallow import validate
from sqlalchemy import Integer, Select, bindparam, func, select

from api.schemas.base import BaseSchema, QueryArgsSchema

MAX_PER_PAGE = 100
# Pages deeper than this many rows are counted before they are read (none is that long).
MAX_OFFSET = 2**31


class ListArgsSchema(QueryArgsSchema):
    """Query arguments every collection takes. Subclasses name their `SORT_FIELDS`."""

    SORT_FIELDS: tuple[str, ...] = ("created_at",)
    DEFAULT_SORT = "-created_at"

    page = ma.fields.Integer(load_default=1, validate=validate.Range(min=1),
                             metadata={"description": "Page number, from 1."})
    per_page = ma.fields.Integer(
        load_default=20, validate=validate.Range(min=1, max=MAX_PER_PAGE),
        metadata={"description": f"Items per page, at most {MAX_PER_PAGE}."},
    )
    sort = ma.fields.String(metadata={"description": "Field to sort by; `-` prefix for "
                                      "descending."})

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        names = ", ".join(f"`{name}`" for name in cls.SORT_FIELDS)
        cls._declared_fields["sort"] = ma.fields.String(
            load_default=cls.DEFAULT_SORT,
            validate=validate.OneOf(
                [*cls.SORT_FIELDS, *(f"-{name}" for name in cls.SORT_FIELDS)],
                error=f"Sort by one of {', '.join(cls.SORT_FIELDS)}, "
                "with a '-' prefix for descending order.",
            ),
            metadata={"description": f"Sort by {names}; prefix `-` for descending. "
                      f"Default `{cls.DEFAULT_SORT}`.",
                      # Names for generated enums (`-title` is no identifier): TITLE_DESC.
                      "x-enum-varnames": [
                          *(name.upper() for name in cls.SORT_FIELDS),
                          *(f"{name.upper()}_DESC" for name in cls.SORT_FIELDS)]},
        )


@dataclass
class Page:
    """One page of a list. A list whose items' JSON is kept (`api.item_cache`) answers their
    ids as `items`, with `load(ids)` giving the items and `kind` naming what they depend on."""

    items: list
    page: int
    per_page: int
    total: int
    load: Callable[[list], list] | None = None
    kind: str | None = None

    @property
    def pages(self):
        return math.ceil(self.total / self.per_page) if self.total else 0

    @property
    def pagination(self):
        return {"page": self.page, "per_page": self.per_page, "total": self.total,
                "pages": self.pages}


def paginate(session, stmt, args, sort_columns, totals=None, cap=None):
    """Run `stmt` for one page, ordered by `args["sort"]` (a key of `sort_columns`), with
    the total of its rows (counted no further than `cap`, when given: the pages end there).
    `totals`, when given, knows some totals without counting (`Totals`): then only the page
    is read, and a total counted is handed to it to keep."""
    return read_page(session, page_query(stmt, args["sort"], sort_columns, cap), args, totals)


@dataclass(frozen=True)
class PageQuery:
    """The statements reading the pages of one list in one order, run with the parameters
    `page_limit`, `page_offset` and the list's own: a list whose statements are kept per
    shape of its filters (`api.services.news`) builds them once.

    The primary key breaks ties so that pages never overlap or skip items. The page and its
    total come from one statement (the count as an uncorrelated subquery, which the database
    runs once); only a page past the last counts apart.
    """

    rows: Select
    rows_and_total: Select
    total: Select
    cap: int | None
    # A page of plain columns (ids) runs on the session's connection: the ORM's work on a
    # statement (entities, identity map, events) is wasted on it, a third of its CPU.
    plain_columns: bool


def page_query(stmt, sort, sort_columns, cap=None):
    """The `PageQuery` of `stmt` ordered by `sort` (a key of `sort_columns`, `-` prefixed for
    descending), its total counted no further than `cap` when given."""
    column = sort_columns[sort.lstrip("-")]
    order = column.desc() if sort.startswith("-") else column.asc()
    described = stmt.column_descriptions
    entity = described[0]["entity"]
    tiebreak = entity.id.desc() if sort.startswith("-") else entity.id.asc()
    ordered = stmt.order_by(order.nulls_last(), tiebreak)
    counted = count_rows(stmt, cap)
    limit, offset = bindparam("page_limit", type_=Integer), bindparam("page_offset",
                                                                        type_=Integer)
    return PageQuery(
        rows=ordered.limit(limit).offset(offset),
        rows_and_total=ordered.add_columns(counted.scalar_subquery()).limit(limit)
        .offset(offset),
        total=counted, cap=cap,
        plain_columns=not any(isinstance(entry["type"], type) for entry in described))


def read_page(session, query, args, totals=None, params=None):
    """The page `args` asks for (`page`, `per_page`) of `query` (a `PageQuery`), run with
    `params`; `totals` as in `paginate`."""
    execute = session.connection().execute if query.plain_columns else session.execute
    params = params or {}

    def fetch(limit, offset):
        return execute(query.rows, params | {"page_limit": limit, "page_offset": offset}) \
            .scalars()

    if (known := totals.recall() if totals else None) is not None:
        return fetch_page(args, known, fetch)
    page, per_page = args["page"], args["per_page"]
    offset = (page - 1) * per_page
    rows = []
    if offset < MAX_OFFSET:  # deeper pages are past any list's end: counted first, not read
        rows = execute(query.rows_and_total,
                       params | {"page_limit": per_page, "page_offset": offset}).all()
    total = rows[0][-1] if rows else execute(query.total, params).scalar()
    total = total if query.cap is None else min(total, query.cap)
    if totals:
        totals.keep(total)
    if offset >= total:
        return fetch_page(args, total, fetch)
    return Page(items=[row[0] for row in rows[:total - offset]], page=page, per_page=per_page,
                total=total)


def count_rows(stmt, cap=None):
    """The statement counting the rows of `stmt`, no further than `cap` + 1 when given."""
    stmt = stmt.order_by(None)
    return select(func.count()).select_from(
        (stmt if cap is None else stmt.limit(cap + 1)).subquery())


class Totals(Protocol):
    """Totals of a list known without counting all its rows (kept, or counted otherwise)."""

    def recall(self) -> int | None:
        """The total, when known; None to count it."""

    def keep(self, total: int) -> None:
        """The total was just counted."""


def fetch_page(args, total, fetch):
    """The page `args` asks for (`page`, `per_page`) out of `total` items; `fetch(limit,
    offset)` reads its rows.

    The one pagination rule of every list: a page past the last is empty, and nothing is
    read for it (a huge `page` costs nothing and overflows no database integer); no page
    holds items past `total` (a capped total ends the pages).
    """
    page, per_page = args["page"], args["per_page"]
    offset = (page - 1) * per_page
    items = list(fetch(min(per_page, total - offset), offset)) if offset < total else []
    return Page(items=items, page=page, per_page=per_page, total=total)


class PaginationSchema(ma.Schema):
    page = ma.fields.Integer(required=True)
    per_page = ma.fields.Integer(required=True)
    total = ma.fields.Integer(required=True, metadata={"description": "Items in all pages."})
    pages = ma.fields.Integer(required=True)


@functools.cache
def page_schema(item_schema):
    """The envelope schema `{items: [...], pagination: {...}}` for one item schema."""
    name = item_schema.__name__.removesuffix("Schema") + "PageSchema"
    return type(name, (BaseSchema,), {
        "items": ma.fields.List(ma.fields.Nested(item_schema), required=True),
        "pagination": ma.fields.Nested(PaginationSchema, required=True),
    })


def link_header(page):
    """RFC 8288 links to the first, previous, next and last pages of `page`, built from the
    request's parsed arguments (unknown parameters never reach them)."""
    last = max(page.pages, 1)
    targets = {"first": 1, "last": last}
    if page.page > 1:
        targets["prev"] = min(page.page - 1, last)
    if page.page < page.pages:
        targets["next"] = page.page + 1
    schema, arguments = g.query_arguments
    others = urlencode({"per_page": page.per_page} | {
        name: value for name, value in query_pairs(schema, arguments).items()
        if name not in ("page", "per_page")})
    url = request.base_url
    return ", ".join(f'<{url}?page={targets[rel]}&{others}>; rel="{rel}"'
                     for rel in ("first", "prev", "next", "last") if rel in targets)


def query_pairs(schema, arguments):
    """`arguments` (parsed by `schema`) written back as query parameters."""
    pairs = {}
    for name, value in arguments.items():
        field = schema.fields[name]
        written: object
        if isinstance(value, list | tuple):
            written = ",".join(map(str, value))
        else:
            written = field._serialize(value, name, arguments)
        if isinstance(written, bool):
            written = "true" if written else "false"
        pairs[field.data_key or name] = str(written)
    return pairs


LINK_HEADER_DOC = {
    "Link": {
        "description": "RFC 8288 links to the `first`, `prev`, `next` and `last` pages.",
        "schema": {"type": "string"},
    }
}
