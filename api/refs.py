"""Resource references: `{ref}` is an item's UUID or its slug; slugs are unique."""

import uuid

from slugify import slugify
from sqlalchemy import false, select

from api.errors import Conflict, NotFound
from api.extensions import db

SLUG_MAX_LENGTH = 200


def make_slug(text):
    """A URL-safe slug that keeps non-Latin letters (`北京大学科技园` stays readable)."""
    return slugify(text, allow_unicode=True, max_length=SLUG_MAX_LENGTH, word_boundary=True)


def ref_filter(model, ref):
    """The WHERE clause matching `ref` as an id or a slug (a ref no slug can match, such as
    one with a NUL that PostgreSQL would refuse to compare, matches nothing)."""
    if "\x00" in ref:
        return false()
    try:
        return model.id == uuid.UUID(ref)
    except ValueError:
        return model.slug == ref


def get_or_404(model, ref, stmt=None):
    """The item of `model` whose id or slug is `ref`, within `stmt` when given."""
    stmt = select(model) if stmt is None else stmt
    item = db.session.scalars(stmt.where(ref_filter(model, ref))).unique().first()
    if item is None:
        raise NotFound(f"No {model.__name__.lower()} '{ref}'.")
    return item


def assign_slug(item, requested=None, source=None):
    """Give `item` a slug: the requested one (409 if taken) or one made unique from `source`."""
    model = type(item)
    others = select(model.slug)
    if item.id is not None:
        others = others.where(model.id != item.id)
    if requested is not None:
        if db.session.scalar(others.where(model.slug == requested)) is not None:
            raise Conflict(f"The slug '{requested}' is already taken.")
        item.slug = requested
        return
    base = make_slug(source or "") or model.__name__.lower()
    taken = set(db.session.scalars(others.where(model.slug.startswith(base, autoescape=True))))
    slug, counter = base, 2
    while slug in taken:
        slug = f"{base[: SLUG_MAX_LENGTH - 8]}-{counter}"
        counter += 1
    item.slug = slug
