"""Saving items with slugs: the create, update and delete steps every content resource shares,
and the write steps they have in common (linked rows by id, speakers' parts, summaries),
each telling partners what changed (webhook events, in the same transaction)."""

from sqlalchemy import select

from api.errors import APIError
from api.extensions import db
from api.models import Speaker
from api.refs import assign_slug
from api.sanitize import clean_html, summarize
from api.services import webhooks


def create_item(item, data, apply, name):
    """Fill `item` with `apply(item, data)`, give it a slug (from `name`) and save it."""
    apply(item, data)
    with db.transaction():
        assign_slug(item, data.get("slug"), source=name)
        db.session.add(item)
        webhooks.announce(item)
    return item


def update_item(item, data, apply):
    """Change what `data` holds, the slug included, and save."""
    before = webhooks.snapshot(item)
    apply(item, data)
    with db.transaction():
        if "slug" in data:
            assign_slug(item, data["slug"])
        webhooks.announce(item, before)
    return item


def delete_item(item):
    before = webhooks.snapshot(item)
    with db.transaction():
        db.session.delete(item)
        webhooks.announce_deletion(item, before)


def invalid(field, message):
    """A 422 naming one field of the JSON body."""
    return APIError("The request body is invalid.", status=422, code="validation_error",
                    errors={"json": {field: [message]}})


def linked(model, ids, field):
    """The `model` rows of `ids`, in the order given; 422 on `field` naming any unknown id."""
    found = {item.id: item for item in db.session.scalars(select(model).where(
        model.id.in_(ids)))}
    missing = [str(item_id) for item_id in ids if item_id not in found]
    if missing:
        name = model.__name__.lower()
        raise invalid(field, f"No {name} has the id {', '.join(missing)}.")
    return [found[item_id] for item_id in dict.fromkeys(ids)]


def speaker_links(current, given, field, make_link, role_type):
    """The link rows of `given` parts (`{speaker_id, role, talk_title}`), in order, keeping
    the rows of `current` for speakers who stay; 422 on `field` for a repeated or unknown
    speaker. `make_link(speaker_id)` makes a new row."""
    ids = [part["speaker_id"] for part in given]
    if len(set(ids)) != len(ids):
        raise invalid(field, "A speaker appears only once here.")
    linked(Speaker, ids, field)
    kept = {link.speaker_id: link for link in current}
    links = []
    for position, part in enumerate(given):
        link = kept.get(part["speaker_id"]) or make_link(part["speaker_id"])
        link.role, link.talk_title = role_type(part["role"]), part["talk_title"]
        link.position = position
        links.append(link)
    return links


def clean_translation(field, value):
    """A translated value as it is stored: article HTML sanitised, other text as given."""
    return clean_html(value) if field == "body" else value


def derive_summaries(item, data):
    """A summary from the body's first words where none is given, in every language."""
    if "summary" in data:
        item.summary = data["summary"] or summarize(item.body)
    for values in (item.translations or {}).values():
        if "body" in values and "summary" not in values:
            values["summary"] = summarize(values["body"])
