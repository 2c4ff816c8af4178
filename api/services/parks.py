"""Parks: listing, creating, updating and deleting directory entries."""

from sqlalchemy import String, cast, exists, func, select, type_coerce
from sqlalchemy.dialects.postgresql import JSONB

from api.extensions import db
from api.models import Park
from api.pagination import paginate
from api.refs import get_or_404
from api.services.items import create_item, delete_item, update_item
from api.services.search import matching_ids
from api.translations import apply_translations

SORT_COLUMNS = {"name": Park.name, "founded_year": Park.founded_year,
                "created_at": Park.created_at}


def list_parks(args):
    stmt = select(Park)
    if "q" in args:
        stmt = stmt.where(Park.id.in_(matching_ids(Park.SEARCH_TYPE, args["q"])))
    if "country" in args:
        stmt = stmt.where(Park.country == args["country"])
    if "is_member" in args:
        stmt = stmt.where(Park.is_member == args["is_member"])
    if "industry" in args:
        stmt = stmt.where(json_list_contains(Park.focus_industries, args["industry"]))
    # A list may lag a moment behind writes: it can come from the read replica.
    return paginate(db.read_session, stmt, args, SORT_COLUMNS)


def json_list_contains(column, value):
    """True where the JSON list `column` holds the string `value` (any backend)."""
    if db.engine.dialect.name == "postgresql":
        return type_coerce(column, JSONB).contains([value])
    elements = func.json_each(column).table_valued("value")
    return exists(select(1).select_from(elements).where(cast(elements.c.value, String) == value))


def get_park(ref):
    return get_or_404(Park, ref)


def create_park(data):
    return create_item(Park(), data, _apply, name=data.get("name"))


def update_park(ref, data):
    return update_item(get_park(ref), data, _apply)


def delete_park(ref):
    delete_item(get_park(ref))


def _apply(park, data):
    for field, value in data.items():
        if field == "location":
            park.latitude, park.longitude = (value["lat"], value["lon"]) if value else (None,
                                                                                        None)
        elif field == "translations":
            apply_translations(park, value)
        elif field != "slug":
            setattr(park, field, value)
