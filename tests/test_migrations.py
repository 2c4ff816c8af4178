"""Migrations build exactly the schema the models describe."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from api.models import Base
from api.models.search import include_name


def test_migrated_schema_matches_the_models(db):
    with db.engine.connect() if db.engine.dialect.name == "sqlite" else _session_conn(db) as c:
        context = MigrationContext.configure(c, opts={"compare_type": True,
                                                        "include_name": include_name})
        assert compare_metadata(context, Base.metadata) == []


def _session_conn(db):
    from contextlib import nullcontext

    return nullcontext(db.session.connection())
