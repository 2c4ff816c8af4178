"""Migration 0005 puts the reports that existed before it into the search index (and takes
them out again on downgrade), on both backends."""

import uuid
from datetime import UTC, datetime

import pytest
from alembic import command as alembic_command
from sqlalchemy import Uuid, column, create_engine, insert, table, text

from api.commands import alembic_config
from api.models.base import UTCDateTime
from tests.conftest import DATABASE_URL

REPORTS = table("reports", column("id", Uuid()), column("title"), column("slug"),
                column("year"), column("summary"), column("published_at", UTCDateTime()),
                column("access"), column("download_count"), column("created_at", UTCDateTime()),
                column("updated_at", UTCDateTime()))


@pytest.fixture
def engine(tmp_path):
    """An empty database of its own: a new schema on PostgreSQL, a new file on SQLite."""
    if not DATABASE_URL:
        engine = create_engine(f"sqlite:///{tmp_path / 'migrations.db'}")
        yield engine
        engine.dispose()
        return
    schema = f"cisip_migration_{uuid.uuid4().hex[:12]}"
    engine = create_engine(DATABASE_URL, connect_args={"options": f"-csearch_path={schema}"})
    with engine.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    yield engine
    with engine.begin() as connection:
        connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    engine.dispose()


def migrate(engine, revision, command=alembic_command.upgrade):
    with engine.begin() as connection:
        command(alembic_config(connection), revision)


def matches(connection, word):
    if connection.dialect.name == "postgresql":
        sql = ("SELECT slug FROM search_documents "
               "WHERE document @@ plainto_tsquery('english', :word)")
    else:
        sql = ("SELECT d.slug FROM search_documents d JOIN search_fts "
               "ON search_fts.rowid = d.id WHERE search_fts MATCH :word")
    return connection.execute(text(sql), {"word": word}).scalars().all()


def test_existing_reports_enter_the_search_index(engine):
    migrate(engine, "0004")
    now = datetime(2021, 12, 9, tzinfo=UTC)
    with engine.begin() as connection:
        connection.execute(insert(REPORTS), [
            {"id": uuid.uuid4(), "title": "Old report", "slug": "old-report", "year": 2020,
             "summary": "Solar parks.", "published_at": now, "access": "members",
             "download_count": 0, "created_at": now, "updated_at": now},
            {"id": uuid.uuid4(), "title": "Draft report", "slug": "draft-report",
             "year": 2021, "summary": None, "published_at": None, "access": "public",
             "download_count": 0, "created_at": now, "updated_at": now}])
    migrate(engine, "0005")
    with engine.connect() as connection:
        rows = connection.execute(text(
            "SELECT type, slug, title, content, visible_from IS NULL FROM search_documents "
            "ORDER BY slug")).all()
        assert [tuple(row) for row in rows] == [
            ("report", "draft-report", "Draft report", "2021 ", True),
            ("report", "old-report", "Old report", "2020 Solar parks.", False)]
        assert matches(connection, "solar") == ["old-report"]
        languages = connection.execute(text(
            "SELECT DISTINCT default_language FROM reports")).scalars().all()
        assert languages == ["en"]
    migrate(engine, "0004", alembic_command.downgrade)
    with engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM search_documents")).scalar() == 0
