"""The database: one engine per app and one session per app context."""

import select as io_select
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from flask import current_app, g
from sqlalchemy import Engine, create_engine, event, select, update
from sqlalchemy.exc import DisconnectionError, IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from api.errors import Conflict


class Database:
    """Binds SQLAlchemy to a Flask app; `db.session` is the session of the current request."""

    def init_app(self, app):
        engine = _create_engine(app.config["DATABASE_URL"])
        app.extensions["db"] = self
        app.extensions["db.engine"] = engine
        app.extensions["db.sessionmaker"] = sessionmaker(engine, expire_on_commit=False)
        if app.config["DATABASE_REPLICA_URL"]:
            replica = _create_engine(app.config["DATABASE_REPLICA_URL"])
            app.extensions["db.replica_engine"] = replica
            app.extensions["db.replica_sessionmaker"] = sessionmaker(replica,
                                                                     expire_on_commit=False)
        app.teardown_appcontext(self._close_session)

    @property
    def engine(self):
        return current_app.extensions["db.engine"]

    @property
    def session(self) -> Session:
        if "db_session" not in g:
            g.db_session = current_app.extensions["db.sessionmaker"]()
        return g.db_session

    @property
    def read_session(self) -> Session:
        """A session for reads that may lag a moment behind writes: the read replica's
        (DATABASE_REPLICA_URL) when there is one, else `session`. Never write through it."""
        maker = current_app.extensions.get("db.replica_sessionmaker")
        if maker is None:
            return self.session
        if "db_read_session" not in g:
            g.db_read_session = maker()
        return g.db_read_session

    @contextmanager
    def reading(self):
        """Run the block's queries outside any transaction when it is the request's first use
        of the database: a query is then one round trip, with no BEGIN and no ROLLBACK around
        it. (Each statement sees the data committed when it starts, as in the READ COMMITTED
        transactions PostgreSQL runs by default.) For a cacheable response's render, which
        only reads: a write in the block raises. The block's session ends with it, so what
        the request does afterwards runs in transactions as usual."""
        maker = current_app.extensions["db.sessionmaker"]
        # A session bound to a connection (a test's outer transaction) keeps its transaction.
        if "db_session" in g or not isinstance(maker.kw.get("bind"), Engine):
            yield
            return
        session = g.db_session = maker(info={"reads_only": True})
        try:
            session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})
            yield
        finally:
            if g.get("db_session") is session:
                del g.db_session
            session.close()

    @staticmethod
    def _close_session(_exc):
        for name in ("db_session", "db_read_session"):
            session = g.pop(name, None)
            if session is not None:
                session.close()

    @contextmanager
    def transaction(self, conflict_detail="A unique value is already taken."):
        """Commit what the block did; a unique-constraint violation becomes 409.

        A block inside another one joins it: the outermost block commits everything, so a
        service can wrap a shared step (`create_item`) and what must go with it (an outbox
        row) in one transaction.
        """
        session = self.session
        if session.info.get("reads_only"):
            raise RuntimeError("No writes while `reading()`: a cacheable read may not write.")
        if session.info.get("transaction_depth"):
            session.info["transaction_depth"] += 1
            try:
                yield session
            finally:
                session.info["transaction_depth"] -= 1
            return
        session.info["transaction_depth"] = 1
        try:
            yield session
            session.commit()
        except IntegrityError as error:
            session.rollback()
            raise Conflict(conflict_detail) from error
        except BaseException:
            session.rollback()
            raise
        finally:
            session.info["transaction_depth"] = 0

    def lock(self, model, item_id):
        """Hold the row `item_id` of `model` until the transaction ends, so that writers who
        lock it too take turns (a capacity check, say). PostgreSQL: `SELECT … FOR UPDATE`.
        SQLite serialises writers: a write that changes nothing takes the database's write
        lock; call this before reading what the decision rests on."""
        table = model.__table__
        if self.session.get_bind().dialect.name == "sqlite":
            self.session.execute(update(table).where(table.c.id == item_id)
                                 .values(id=table.c.id))
        else:
            self.session.execute(select(table.c.id).where(table.c.id == item_id)
                                 .with_for_update())


@event.listens_for(Session, "before_flush")
def _refuse_flushes_while_reading(session, _flush_context, _instances):
    if session.info.get("reads_only") and (session.new or session.dirty or session.deleted):
        raise RuntimeError("No writes while `reading()`: a cacheable read may not write.")


@event.listens_for(Session, "do_orm_execute")
def _refuse_statements_that_write_while_reading(state):
    if state.session.info.get("reads_only") and not state.is_select:
        raise RuntimeError("No writes while `reading()`: a cacheable read may not write.")


def _create_engine(url):
    options: dict[str, Any] = {}
    if url.startswith("sqlite"):
        _ensure_sqlite_folder(url)
    else:
        options |= {"pool_size": 10, "max_overflow": 20, "pool_recycle": 1800}
    engine = create_engine(url, **options)
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    else:  # PostgreSQL
        event.listen(engine, "checkout", _refuse_closed_connection)
    return engine


def _refuse_closed_connection(dbapi_connection, _record, _proxy):
    """Replace a pooled PostgreSQL connection the server has closed (a restart, an idle
    timeout, `pg_terminate_backend`) before it is used, without a round trip (pre-ping's
    `SELECT 1` costs one on every checkout): an idle connection has nothing to read unless
    the server said goodbye or hung up. The pool opens another one (SQLAlchemy's documented
    "pessimistic" handling by a checkout event)."""
    if dbapi_connection.closed:  # (its socket is gone: no file number to ask)
        raise DisconnectionError("The connection was closed.")
    poller = io_select.poll()
    poller.register(dbapi_connection.fileno(), io_select.POLLIN)
    if poller.poll(0):
        raise DisconnectionError("The server closed the connection.")


def _ensure_sqlite_folder(url):
    path = url.split("///", 1)[-1]
    if path and path != ":memory:" and "mode=memory" not in path:
        Path(path).parent.mkdir(parents=True, exist_ok=True)


def _sqlite_pragmas(dbapi_connection, _record):
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.close()
