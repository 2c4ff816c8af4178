"""Scheduled publication: what is public now.

When the next scheduled item goes public nothing is written; cached responses that depend
on a collection's schedule expire at that moment (see `api.cache_contract.SCHEDULES`).
"""

from sqlalchemy import and_

from api.models.base import utcnow


def published_now(column):
    """The WHERE clause for items whose `column` (a publication time) has passed."""
    return and_(column.is_not(None), column <= utcnow())
