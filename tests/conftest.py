"""Fixtures: a fresh app per test on PostgreSQL + Redis (TEST_DATABASE_URL, TEST_REDIS_URL)
or, when those are not set, on SQLite with the in-process store."""

import os
import shutil
import uuid

import pytest
import redis
from alembic import command as alembic_command
from sqlalchemy import create_engine, text
from sqlalchemy.orm import sessionmaker

from api import create_app
from api.commands import alembic_config
from api.extensions import db as database
from api.models import Member, MemberStatus, Role
from config import TestingConfig
from tests.helpers import PASSWORD, bearer

# Content fixtures: make_park, make_speaker, make_news, make_report, editor, taguspark, pku;
# make_event, add_session.
pytest_plugins = ["tests.content", "tests.events"]

DATABASE_URL = os.environ.get("TEST_DATABASE_URL")
REDIS_URL = os.environ.get("TEST_REDIS_URL")
# Each run migrates its own PostgreSQL schema, so parallel runs never meet.
PG_SCHEMA = f"cisip_test_{os.getpid()}"


def make_config(tmp_path, key_prefix, **overrides):
    env = {
        "DATABASE_URL": DATABASE_URL or f"sqlite:///{tmp_path / 'test.db'}",
        "REDIS_URL": REDIS_URL or "",
        "CACHE_KEY_PREFIX": key_prefix,
        "MAIL_URL": f"file://{tmp_path / 'outbox'}",
        "STORAGE_URL": f"file://{tmp_path / 'storage'}",
        "FRONTEND_URL": "https://cisip.example",
        "LOG_LEVEL": "WARNING",
    } | {key: str(value) for key, value in overrides.items()}
    return TestingConfig(env)


@pytest.fixture(scope="session")
def pg_engine():
    """The test database's engine, its schema migrated once for the whole run."""
    if not DATABASE_URL:
        yield None
        return
    engine = create_engine(DATABASE_URL, connect_args={"options": f"-csearch_path={PG_SCHEMA}"})
    with engine.begin() as connection:
        connection.execute(text(f'DROP SCHEMA IF EXISTS "{PG_SCHEMA}" CASCADE'))
        connection.execute(text(f'CREATE SCHEMA "{PG_SCHEMA}"'))
    migrate(engine)
    yield engine
    with engine.begin() as connection:
        connection.execute(text(f'DROP SCHEMA "{PG_SCHEMA}" CASCADE'))
    engine.dispose()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory):
    """A migrated SQLite file that each test copies."""
    if DATABASE_URL:
        return None
    path = tmp_path_factory.mktemp("template") / "template.db"
    engine = create_engine(f"sqlite:///{path}")
    migrate(engine)
    engine.dispose()
    return path


def migrate(engine):
    with engine.begin() as connection:
        alembic_command.upgrade(alembic_config(connection), "heads")


@pytest.fixture
def make_app(tmp_path, pg_engine, sqlite_template):
    """Build a fresh app on the test database; on PostgreSQL every app of a test shares one
    outer transaction, rolled back at the end."""
    outer = {}
    apps = []
    # Apps of one test share Redis keys, as the processes of one deployment do.
    key_prefix = f"cisip-test:{uuid.uuid4().hex}:"

    def factory(**overrides):
        app = create_app(make_config(tmp_path, key_prefix, **overrides))
        if pg_engine is not None:
            if not outer:
                outer["connection"] = pg_engine.connect()
                outer["transaction"] = outer["connection"].begin()
            app.extensions["db.sessionmaker"] = sessionmaker(
                bind=outer["connection"], expire_on_commit=False,
                join_transaction_mode="create_savepoint")
        elif not (tmp_path / "test.db").exists():
            shutil.copy(sqlite_template, tmp_path / "test.db")
        apps.append(app)
        return app

    yield factory
    for app in apps:
        close_app(app)
    if outer:
        outer["transaction"].rollback()
        outer["connection"].close()


def close_app(app):
    """Release what a test's app holds: its worker, database connections, its Redis keys."""
    stop_worker(app)
    app.extensions["db.engine"].dispose()
    flush_test_keys(app)
    app.extensions["store"].close()


@pytest.fixture
def committed_database(tmp_path, sqlite_template):
    """The URL of a migrated database of its own whose commits are real, for apps and worker
    processes that must see each other's writes: a new schema on PostgreSQL (dropped
    afterwards), a new file on SQLite."""
    if not DATABASE_URL:
        shutil.copy(sqlite_template, tmp_path / "committed.db")
        yield f"sqlite:///{tmp_path / 'committed.db'}"
        return
    schema = f"cisip_committed_{uuid.uuid4().hex[:12]}"
    engine = create_engine(DATABASE_URL, connect_args={"options": f"-csearch_path={schema}"})
    with engine.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    migrate(engine)
    yield f"{DATABASE_URL}?options=-csearch_path%3D{schema}"
    with engine.begin() as connection:
        connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    engine.dispose()


@pytest.fixture
def make_live_app(tmp_path, committed_database):
    """Apps on `committed_database`, sharing settings and Redis keys as one deployment's
    processes do (the webhook receiver of the tests runs on 127.0.0.1)."""
    apps = []
    prefix = f"cisip-test:{uuid.uuid4().hex}:"
    settings = {"DATABASE_URL": committed_database, "WEBHOOK_ALLOW_HTTP": "true",
                "WEBHOOK_ALLOWED_HOSTS": "127.0.0.1", "WORKER_POLL_SECONDS": "30"}

    def factory(**overrides):
        app = create_app(make_config(tmp_path, prefix, **settings | overrides))
        apps.append(app)
        return app

    yield factory
    for app in apps:
        close_app(app)


def stop_worker(app):
    """Stop the app's in-process worker threads, if it started any (WORKER_IN_PROCESS)."""
    worker = app.extensions.get("outbox.worker")
    if worker is not None:
        worker.stop(wait=True)


def flush_test_keys(app):
    """Delete the Redis keys this test wrote (its own prefix only)."""
    if not REDIS_URL or app.config["REDIS_URL"] != REDIS_URL:
        return
    client = redis.Redis.from_url(app.config["REDIS_URL"])
    keys = list(client.scan_iter(match=app.config["CACHE_KEY_PREFIX"] + "*", count=500))
    if keys:
        client.delete(*keys)
    client.close()


@pytest.fixture
def committing_app(tmp_path, pg_engine, make_app):
    """Make an app whose requests commit for real (no shared outer transaction), for tests
    with threads. The apps of one test share a Redis key prefix; on PostgreSQL every table
    is emptied afterwards (every other test only ever writes in rolled-back transactions)."""
    apps = []
    key_prefix = f"cisip-test:{uuid.uuid4().hex}:"

    def factory(**overrides):
        if pg_engine is None:
            return make_app(**overrides)
        app = create_app(make_config(tmp_path, key_prefix, **overrides))
        app.extensions["db.sessionmaker"] = sessionmaker(pg_engine, expire_on_commit=False)
        apps.append(app)
        return app

    yield factory
    for app in apps:
        close_app(app)
    if apps:
        with pg_engine.begin() as connection:
            tables = connection.execute(text(
                "SELECT string_agg(quote_ident(tablename), ', ') FROM pg_tables "
                "WHERE schemaname = current_schema() AND tablename <> 'alembic_version'"
            )).scalar()
            connection.execute(text(f"TRUNCATE {tables} CASCADE"))


@pytest.fixture
def app(make_app):
    return make_app()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def db(app):
    with app.app_context():
        yield database


@pytest.fixture
def make_member(app):
    """Create a member directly in the database: `make_member(role="editor")`."""

    def factory(email=None, role=Role.MEMBER, status=MemberStatus.ACTIVE, **fields):
        with app.app_context():
            member = Member(email=email or f"{uuid.uuid4().hex[:10]}@example.org",
                            full_name=fields.pop("full_name", "Test Member"), role=Role(role),
                            status=MemberStatus(status), **fields)
            member.password = PASSWORD
            database.session.add(member)
            database.session.commit()
            return member

    return factory


@pytest.fixture
def login(client, make_member):
    """Log a new member of `role` in through the real endpoint; answers the token pair."""

    def factory(role=Role.MEMBER, **fields):
        member = make_member(role=role, **fields)
        response = client.post("/api/v1/auth/login",
                               json={"email": member.email, "password": PASSWORD})
        assert response.status_code == 200, response.json
        return response.json | {"member_id": str(member.id), "email": member.email}

    return factory


@pytest.fixture
def auth_headers(login):
    """`auth_headers("editor")`: the Authorization header of a fresh login of that role."""

    def factory(role=Role.MEMBER, **fields):
        return bearer(login(role, **fields)["access_token"])

    return factory


@pytest.fixture
def issue_key(client, auth_headers):
    """Create a partner key through the API as an admin: `issue_key("secret", rate_limit=…)`
    answers the created key, `key` included."""
    admin = {}

    def factory(kind="publishable", name="Partner site", **fields):
        if not admin:
            admin["headers"] = auth_headers("admin")
        response = client.post("/api/v1/api-keys", json={"name": name, "kind": kind, **fields},
                               headers=admin["headers"])
        assert response.status_code == 201, response.json
        return response.json

    return factory
