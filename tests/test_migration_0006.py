"""Migration 0006 (the outbox, worker heartbeats, webhooks) goes up, down and up again on both
backends, and the migrated schema is what the models say."""

from alembic import command as alembic_command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from api.models import Base
from api.models.search import include_name
from tests.test_migration_0005 import engine, migrate  # noqa: F401 (the fixture)

TABLES = {"outbox", "outbox_workers", "webhook_endpoints", "webhook_events",
          "webhook_deliveries"}


def test_up_down_and_up_again(engine):  # noqa: F811 (the fixture)
    migrate(engine, "heads")
    assert set(inspect(engine).get_table_names()) >= TABLES
    indexes = {index["name"] for index in inspect(engine).get_indexes("outbox")}
    assert "ix_outbox_due" in indexes
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={
            "compare_type": True, "include_name": include_name})
        assert compare_metadata(context, Base.metadata) == []
    migrate(engine, "0005", alembic_command.downgrade)
    assert not TABLES & set(inspect(engine).get_table_names())
    migrate(engine, "heads")
    assert set(inspect(engine).get_table_names()) >= TABLES
