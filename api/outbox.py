"""The outbox: work queued in the caller's transaction, and the claims, retries and failures
the workers make of it.

A claim is one UPDATE that moves the due items' `available_at` past a lease and stamps them
with a fresh `claim` id (on PostgreSQL over `FOR UPDATE SKIP LOCKED`, so workers never claim
the same row); every later change is made only while that claim still holds. A worker that
dies holds nothing: when its lease runs out the item is due again, under the same id.
"""

import logging
import random
import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, cast

from flask import current_app, has_app_context
from sqlalchemy import CursorResult, delete, event, func, select, update
from sqlalchemy.orm import Session

from api.errors import NotFound
from api.extensions import db
from api.models import OutboxItem, OutboxStatus, WorkerHeartbeat
from api.models.base import utcnow
from api.pagination import paginate

# How long failed items and silent workers' rows are kept.
FAILED_KEPT = timedelta(days=30)
SILENT_WORKER_KEPT = timedelta(days=1)


def enqueue(kind, payload, summary, *, at=None, key=None):
    """Queue `payload` for the `kind` handler, due `at` (now by default); `summary` says
    what it is in logs and to admins, without its content.

    The row joins the caller's `db.transaction()`, so it is committed with the change that
    causes it or not at all; outside one it is committed on its own.
    """
    item = OutboxItem(kind=kind, payload=payload, summary=summary[:300],
                      available_at=at or utcnow(), key=key)
    with db.transaction():
        db.session.add(item)
        _notify_at_commit(db.session)
    return item


def discard_pending(key):
    """Drop the pending items of `key` (a rescheduled publication replaces the old one);
    answers how many there were."""
    return _rows_changed(delete(OutboxItem).where(
        OutboxItem.key == key, OutboxItem.status == OutboxStatus.PENDING))


def channel(app):
    """The PostgreSQL notification channel of the app's deployment (its key prefix)."""
    return f"{app.config['CACHE_KEY_PREFIX']}outbox"[-63:]


def _notify_at_commit(session):
    """Wake the workers when this transaction commits: PostgreSQL sends a NOTIFY issued in a
    transaction only at its commit (and never after a rollback)."""
    if session.info.get("outbox_notify"):
        return
    session.info["outbox_notify"] = True
    if session.get_bind().dialect.name == "postgresql":
        session.execute(select(func.pg_notify(channel(current_app), "")))


@event.listens_for(Session, "after_commit")
def _wake_local_workers(session):
    """Workers of this process wake at once (with SQLite there is no NOTIFY)."""
    if session.info.pop("outbox_notify", None) and has_app_context():
        for waker in list(current_app.extensions["outbox.wakers"]):
            waker.wake()


@event.listens_for(Session, "after_rollback")
def _forget_notice(session):
    session.info.pop("outbox_notify", None)


def claim(session, worker_id, limit, lease_seconds, now):
    """Claim up to `limit` due items for `lease_seconds`; commits, answers them oldest first."""
    due = (select(OutboxItem.id)
           .where(OutboxItem.status == OutboxStatus.PENDING, OutboxItem.available_at <= now)
           .order_by(OutboxItem.available_at).limit(limit))
    if session.get_bind().dialect.name == "postgresql":
        due = due.with_for_update(skip_locked=True)
    stmt = (update(OutboxItem).where(OutboxItem.id.in_(due))
            .values(available_at=now + timedelta(seconds=lease_seconds),
                    attempts=OutboxItem.attempts + 1, claim=uuid.uuid4(), claimed_by=worker_id)
            .returning(OutboxItem.id, OutboxItem.kind, OutboxItem.summary, OutboxItem.payload,
                       OutboxItem.attempts, OutboxItem.claim, OutboxItem.created_at)
            .execution_options(synchronize_session=False))
    rows = session.execute(stmt).all()
    session.commit()
    return sorted(rows, key=lambda row: row.created_at)


def _claimed(item):
    return (OutboxItem.id == item.id) & (OutboxItem.claim == item.claim)


def _change(item, **values):
    """Apply `values` to `item` while its claim holds; False when another worker took it."""
    return _rows_changed(update(OutboxItem).where(_claimed(item)).values(**values)) == 1


def complete(item):
    """Delivered: the item goes (what it did is in the delivery log, where one is kept)."""
    return _rows_changed(delete(OutboxItem).where(_claimed(item))) == 1


def _rows_changed(statement):
    result = db.session.execute(statement.execution_options(synchronize_session=False))
    return cast(CursorResult, result).rowcount


def retry(item, at, error):
    return _change(item, available_at=at, last_error=error, claim=None, claimed_by=None)


def fail(item, error, now):
    """Out of attempts (or refused for good): kept as failed, for admins to see and retry."""
    return _change(item, status=OutboxStatus.FAILED, failed_at=now, last_error=error,
                   claim=None, claimed_by=None)


def release(item, now):
    """Give back a claimed item not started (shutdown, or too little lease left)."""
    return _change(item, available_at=now, attempts=OutboxItem.attempts - 1, claim=None,
                   claimed_by=None)


def requeue(item_id):
    """Queue a failed item again from its first attempt."""
    item = db.session.get(OutboxItem, item_id)
    if item is None or item.status is not OutboxStatus.FAILED:
        raise NotFound("No failed item has this id.")
    with db.transaction():
        item.status, item.attempts, item.failed_at = OutboxStatus.PENDING, 0, None
        item.available_at = utcnow()
        _notify_at_commit(db.session)
    return item


def statistics(now):
    """What operators watch: the queue's depth, the oldest due item's age, the workers."""
    pending = OutboxItem.status == OutboxStatus.PENDING
    due = pending & (OutboxItem.available_at <= now)
    counts = db.session.execute(select(
        func.count().filter(pending), func.count().filter(due),
        func.min(OutboxItem.available_at).filter(due),
        func.count().filter(OutboxItem.status == OutboxStatus.FAILED))).one()
    workers = db.session.scalars(select(WorkerHeartbeat)
                                 .order_by(WorkerHeartbeat.heartbeat_at.desc())).all()
    return {
        "pending": counts[0], "due": counts[1], "failed": counts[3],
        "oldest_due_seconds": _seconds(now - counts[2]) if counts[2] else 0.0,
        "last_heartbeat_seconds": _seconds(now - workers[0].heartbeat_at) if workers else None,
        "workers": workers,
    }


def _seconds(delta):
    return round(max(delta.total_seconds(), 0.0), 3)


def list_items(args):
    stmt = select(OutboxItem)
    for name in ("status", "kind"):
        if name in args:
            stmt = stmt.where(getattr(OutboxItem, name) == args[name])
    return paginate(db.session, stmt, args, {"created_at": OutboxItem.created_at})


def beat(worker_id, fields, now):
    """Record that worker `worker_id` is alive (its row is made on the first beat)."""
    with db.transaction():
        row = db.session.get(WorkerHeartbeat, worker_id)
        if row is None:
            row = WorkerHeartbeat(id=worker_id, started_at=now)
            db.session.add(row)
        for name, value in fields.items():
            setattr(row, name, value)
        row.heartbeat_at = now


def forget_worker(worker_id):
    with db.transaction():
        db.session.execute(delete(WorkerHeartbeat).where(WorkerHeartbeat.id == worker_id))


def purge(now):
    """Drop failed items and silent workers' rows past their keeping time."""
    with db.transaction():
        db.session.execute(delete(OutboxItem).where(
            OutboxItem.status == OutboxStatus.FAILED, OutboxItem.failed_at < now - FAILED_KEPT))
        db.session.execute(delete(WorkerHeartbeat).where(
            WorkerHeartbeat.heartbeat_at < now - SILENT_WORKER_KEPT))


def init_outbox(app):
    # The wakers of the workers running in this process (see api.worker).
    app.extensions["outbox.wakers"] = set()


@dataclass(frozen=True)
class Result:
    """What an attempt to deliver an item came to."""

    ok: bool
    error: str | None = None
    permanent: bool = False  # retrying cannot help
    detail: Any = None  # what the kind's `settle` records


@dataclass(frozen=True)
class Retries:
    """Exponential backoff with jitter: the first retry after about `first` seconds, each
    next one twice as late up to `longest`, `attempts` attempts in all."""

    attempts: int
    first: float
    longest: float

    def delay(self, attempts_made):
        seconds = min(self.first * 2 ** (attempts_made - 1), self.longest)
        return timedelta(seconds=seconds * random.uniform(0.8, 1.2))  # noqa: S311 (jitter)


class Kind:
    """How one kind of outbox item is delivered: `prepare` reads what a batch of items needs
    (in one go), `send` does one item's work outside any transaction, and `settle` runs in
    the transaction that records its outcome (with the item's next try, or None when it is
    done or failed for good)."""

    name = ""
    retries = Retries(attempts=10, first=30, longest=3600)
    logger = logging.getLogger("api.worker")

    def prepare(self, items):
        """What `send` needs for each of `items`, by item id."""
        return {}

    def send(self, item, prepared):
        return Result(True)

    def settle(self, item, result, retry_at, now):
        """Record what the attempt did, in the transaction that settles the item."""


def describe_error(error):
    """An exception as one short line for the logs and the outbox row."""
    return f"{type(error).__name__}: {error}"[:500]
