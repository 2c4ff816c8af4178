"""Saving items with slugs: the create, update and delete steps every content resource shares,
each telling partners what changed (webhook events, in the same transaction)."""

from api.extensions import db
from api.refs import assign_slug
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
