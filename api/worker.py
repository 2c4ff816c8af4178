"""The worker: delivers what the outbox holds, in a process of its own (`flask --app wsgi
worker`) or as threads of the app (WORKER_IN_PROCESS, as `make run` does).

Each thread claims a few due items at a time and delivers them one by one. Idle threads sleep
until PostgreSQL notifies a commit that queued something (LISTEN), a commit of this process
does, the next scheduled item is due, or WORKER_POLL_SECONDS pass. On SIGTERM each thread
finishes the item in hand and gives the rest of its claim back.
"""

import atexit
import contextlib
import logging
import os
import signal
import socket
import threading
import time
import uuid

import click
import psycopg
from flask import current_app
from flask.cli import with_appcontext
from psycopg import sql
from sqlalchemy import func, select

from api import outbox
from api.extensions import db
from api.mail import EmailKind
from api.models import OutboxItem, OutboxStatus
from api.models.base import utcnow
from api.outbox import describe_error
from api.services.deliveries import PublicationKind, WebhookKind, purge_log

logger = logging.getLogger(__name__)

KINDS = {kind.name: kind for kind in (EmailKind(), WebhookKind(), PublicationKind())}
BATCH = 10
HEARTBEAT_SECONDS = 5.0
HOUSEKEEPING_SECONDS = 600.0
LISTEN_RETRY_SECONDS = 1.0


class LeaseLost(Exception):
    """Another worker claimed the item meanwhile (this one outlived its lease)."""


class Waker:
    """Wakes the idle threads of one worker; a wake-up between a thread's look at the queue
    and its sleep is not lost (it waits for a change from the generation it saw)."""

    def __init__(self):
        self._condition = threading.Condition()
        self.generation = 0

    def wake(self):
        with self._condition:
            self.generation += 1
            self._condition.notify_all()

    def wait(self, seen, timeout):
        with self._condition:
            self._condition.wait_for(lambda: self.generation != seen, timeout)


class Worker:
    """Delivers due outbox items with `threads` threads until `stop()`."""

    def __init__(self, app, threads=1, clock=utcnow):
        self.app = app
        self.id = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"
        self.threads = threads
        self.clock = clock
        self.lease = app.config["WORKER_LEASE_SECONDS"]
        self.poll = app.config["WORKER_POLL_SECONDS"]
        self.stopping = threading.Event()
        self.waker = Waker()
        self.counts = {"delivered": 0, "failed": 0}
        self._lock = threading.Lock()
        self._runner = None

    # Running

    def run(self):
        """Deliver until `stop()`; answers when every thread has finished its item."""
        self.app.extensions["outbox.wakers"].add(self.waker)
        threads = [threading.Thread(target=self._loop, name=f"outbox-{n}", daemon=True)
                   for n in range(self.threads)]
        threads.append(threading.Thread(target=self._heartbeat, name="outbox-heartbeat",
                                        daemon=True))
        if self._dialect() == "postgresql":
            threads.append(threading.Thread(target=self._listen, name="outbox-listen",
                                            daemon=True))
        logger.info("worker %s started (%d threads)", self.id, self.threads)
        try:
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
        finally:
            self.app.extensions["outbox.wakers"].discard(self.waker)
            self._forget()
        logger.info("worker %s stopped", self.id)

    def start(self):
        """Run in a background thread of this process (WORKER_IN_PROCESS)."""
        self._runner = threading.Thread(target=self.run, name="outbox-worker", daemon=True)
        self._runner.start()
        atexit.register(self.stop)

    def stop(self, wait=True, timeout=30.0):
        """Finish the items in hand and stop; with `wait`, until then (at most `timeout`)."""
        self.stopping.set()
        self.waker.wake()
        atexit.unregister(self.stop)
        if wait and self._runner is not None:
            self._runner.join(timeout)

    def _loop(self):
        while not self.stopping.is_set():
            seen = self.waker.generation
            try:
                if self.run_once():
                    continue
                pause = self._seconds_to_next_item()
            except Exception as error:
                logger.warning("worker %s: the queue cannot be read (%s); trying again",
                               self.id, describe_error(error))
                pause = LISTEN_RETRY_SECONDS
            self.waker.wait(seen, pause)

    def run_once(self):
        """Claim a batch and deliver it; answers how many items were claimed."""
        with self.app.app_context():
            items = outbox.claim(db.session, self.id, BATCH, self.lease, self.clock())
            claimed_at = time.monotonic()
            prepared = self._prepare(items)
            for index, item in enumerate(items):
                # An item is started only with at least half its lease ahead, so that it
                # ends before another worker may take it.
                if self.stopping.is_set() or time.monotonic() - claimed_at > self.lease / 2:
                    self._release(items[index:])
                    break
                self.deliver(item, prepared.get(item.id))
            return len(items)

    def _prepare(self, items):
        """What the batch needs, read in one go per kind; no transaction stays open."""
        prepared: dict = {}
        try:
            for name, kind in KINDS.items():
                mine = [item for item in items if item.kind == name]
                if mine:
                    prepared |= kind.prepare(mine)
        except Exception:
            logger.exception("worker %s: the batch could not be prepared", self.id)
        finally:
            db.session.rollback()
        return prepared

    def _seconds_to_next_item(self):
        with self.app.app_context():
            upcoming = db.session.scalar(select(func.min(OutboxItem.available_at)).where(
                OutboxItem.status == OutboxStatus.PENDING))
        if upcoming is None:
            return self.poll
        return min(self.poll, max((upcoming - self.clock()).total_seconds(), 0.0) + 0.01)

    # One item

    def deliver(self, item, prepared=None):
        """Attempt `item` and record the outcome (retry, done or failed) under its claim."""
        kind = KINDS[item.kind]
        try:
            result = kind.send(item, prepared)
        except Exception as error:
            kind.logger.exception("%s: unexpected error", item.summary)
            result = outbox.Result(False, describe_error(error))
        finally:
            db.session.rollback()  # what `send` read ends here, before the outcome's writes
        now = self.clock()
        retry_at = None
        if not result.ok and not result.permanent and item.attempts < kind.retries.attempts:
            retry_at = now + kind.retries.delay(item.attempts)
        try:
            self._settle(kind, item, result, retry_at, now)
        except LeaseLost:
            logger.info("%s: claimed by another worker meanwhile", item.summary)
        except Exception as error:
            kind.logger.exception("%s: the outcome could not be recorded", item.summary)
            db.session.rollback()
            with contextlib.suppress(LeaseLost):
                self._settle(kind, item, outbox.Result(False, describe_error(error)),
                             retry_at or now + kind.retries.delay(item.attempts), now,
                             record=False)

    def _settle(self, kind, item, result, retry_at, now, record=True):
        with db.transaction():
            if result.ok:
                held = outbox.complete(item)
            elif retry_at is not None:
                held = outbox.retry(item, retry_at, result.error)
            else:
                held = outbox.fail(item, result.error, now)
            if not held:
                raise LeaseLost()
            if record:
                kind.settle(item, result, retry_at, now)
        self._count(kind, item, result, retry_at)

    def _count(self, kind, item, result, retry_at):
        if result.ok:
            with self._lock:
                self.counts["delivered"] += 1
            return
        if retry_at is None:
            with self._lock:
                self.counts["failed"] += 1
            kind.logger.error("%s failed for good after %d attempts: %s", item.summary,
                              item.attempts, result.error)
        else:
            kind.logger.warning("%s not delivered (attempt %d, next at %s): %s",
                                item.summary, item.attempts,
                                retry_at.isoformat(timespec="seconds"), result.error)

    def _release(self, items):
        now = self.clock()
        with db.transaction():
            for item in items:
                outbox.release(item, now)

    # Around the work

    def _heartbeat(self):
        housekeeping_due = time.monotonic()
        while True:
            with self.app.app_context():
                try:
                    with self._lock:
                        counts = dict(self.counts)
                    outbox.beat(self.id, {"hostname": socket.gethostname(), "pid": os.getpid(),
                                          "threads": self.threads} | counts, utcnow())
                    if time.monotonic() >= housekeeping_due:
                        housekeeping_due = time.monotonic() + HOUSEKEEPING_SECONDS
                        outbox.purge(utcnow())
                        purge_log(utcnow())
                except Exception as error:
                    logger.warning("worker %s: heartbeat not recorded: %s", self.id,
                                   describe_error(error))
            if self.stopping.wait(HEARTBEAT_SECONDS):
                return

    def _listen(self):
        """Wake on the NOTIFY a commit that queued work sends; reconnect when it drops."""
        url = self.app.extensions["db.engine"].url.set(drivername="postgresql")
        statement = sql.SQL("LISTEN {}").format(sql.Identifier(outbox.channel(self.app)))
        while not self.stopping.is_set():
            try:
                with psycopg.connect(url.render_as_string(hide_password=False),
                                     autocommit=True, connect_timeout=5) as connection:
                    connection.execute(statement)
                    self.waker.wake()  # anything queued while nobody listened
                    while not self.stopping.is_set():
                        for _notice in connection.notifies(timeout=1.0, stop_after=1):
                            self.waker.wake()
            except psycopg.Error as error:
                logger.warning("worker %s: not listening (%s); polling meanwhile", self.id,
                               describe_error(error))
                self.stopping.wait(LISTEN_RETRY_SECONDS)

    def _forget(self):
        with self.app.app_context():
            try:
                outbox.forget_worker(self.id)
            except Exception as error:
                logger.warning("worker %s: row not removed: %s", self.id, describe_error(error))

    def _dialect(self):
        return self.app.extensions["db.engine"].dialect.name



def drain(app, now=None):
    """Deliver, in this thread, every item due at `now` (the present by default), until none
    is left; answers how many attempts were made. Tests and `worker --drain` use it."""
    worker = Worker(app, clock=(lambda: now) if now is not None else utcnow)
    attempts = 0
    while claimed := worker.run_once():
        attempts += claimed
    return attempts


def init_worker(app):
    """With WORKER_IN_PROCESS, the app's first request starts its worker threads."""
    if not app.config["WORKER_IN_PROCESS"]:
        return
    lock = threading.Lock()

    @app.before_request
    def start_worker():
        if "outbox.worker" in app.extensions:
            return
        with lock:
            if "outbox.worker" not in app.extensions:
                worker = Worker(app, app.config["WORKER_THREADS"])
                app.extensions["outbox.worker"] = worker
                worker.start()


@click.command("worker")
@click.option("--threads", type=click.IntRange(1, 64),
              help="Deliveries in parallel (default: WORKER_THREADS).")
@click.option("--drain", "drain_only", is_flag=True,
              help="Deliver what is due now, then exit (no waiting, no heartbeat).")
@with_appcontext
def worker_command(threads, drain_only):
    """Deliver queued emails, webhook calls and scheduled notices until SIGTERM.

    Run one or more beside the API processes; each finishes the item in hand on SIGTERM.
    """
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    if drain_only:
        click.echo(f"{drain(app)} item(s) attempted.")
        return
    worker = Worker(app, threads or app.config["WORKER_THREADS"])
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: worker.stop(wait=False))
    worker.run()
