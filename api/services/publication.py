"""Scheduled publication: what is public now.

When the next scheduled item goes public nothing is written; cached responses that depend
on a collection's schedule expire at that moment (see `api.cache_contract.SCHEDULES`).
"""

from sqlalchemy import and_, bindparam

from api.models.base import utcnow


def published_now(column):
    """The WHERE clause for items whose `column` (a publication time) has passed."""
    return and_(column.is_not(None), column <= utcnow())


def published_when_run(column):
    """`published_now`, the time read each time the statement runs: for a statement built
    once and run many times. (Not in loader options: they cache their criteria.)"""
    now = bindparam(f"{column.class_.__tablename__}_now", callable_=utcnow, type_=column.type)
    return and_(column.is_not(None), column <= now)
