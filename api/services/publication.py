"""Scheduled publication: what is public now, and when that next changes."""

from sqlalchemy import and_, func, select

from api.extensions import db
from api.http_cache import limit_cache_lifetime
from api.models.base import utcnow


def published_now(column):
    """The WHERE clause for items whose `column` (a publication time) has passed.

    A response cached with it must not outlive the moment the next scheduled item goes
    public, so this caps the lifetime of the response being built at that moment. No
    background job is needed: the next read after it rebuilds the response.
    """
    now = utcnow()
    upcoming = db.session.scalar(select(func.min(column)).where(column > now))
    if upcoming is not None:
        limit_cache_lifetime(upcoming)
    return and_(column.is_not(None), column <= now)
