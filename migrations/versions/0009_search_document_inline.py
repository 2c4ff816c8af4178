"""search documents: the tsvector kept in the row (PostgreSQL)

Ranking reads every match's `document`. Left to the default storage, a document of a
few hundred words went to the TOAST table (the row's largest value) and each match cost a
TOAST fetch: ranking 6,000 matches took ~40 ms of ~45. With `STORAGE MAIN` the row keeps
the document and `content` (read for 20 snippets a page) goes to TOAST instead. Rows are
rewritten so that existing documents move too (the generated column is computed again).

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-28 13:20:00
"""

from alembic import op

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade():
    if op.get_bind().dialect.name != "postgresql":
        return  # SQLite's FTS5 index has its own tables
    op.execute("ALTER TABLE search_documents ALTER COLUMN document SET STORAGE MAIN")
    op.execute("UPDATE search_documents SET title = title")


def downgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("ALTER TABLE search_documents ALTER COLUMN document SET STORAGE EXTENDED")
