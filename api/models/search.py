"""The search index: one row per searchable item, kept in sync on every flush.

PostgreSQL adds a generated `document` tsvector column with a GIN index to this table;
SQLite an FTS5 table `search_fts` kept in sync by triggers (both in the migrations).
"""

import uuid
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from sqlalchemy import Index, String, Text, UniqueConstraint, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from api.models.base import Base

# Visible to everyone since always (parks, speakers).
ALWAYS = datetime(1970, 1, 1, tzinfo=UTC)

# Models by search type, filled by `Searchable` subclasses.
SEARCHABLE: dict[str, type] = {}

# Database objects the migration creates outside the models (per backend).
DATABASE_ONLY = {"search_fts", "search_fts_data", "search_fts_idx", "search_fts_docsize",
                 "search_fts_config", "search_fts_content", "document",
                 "ix_search_documents_document", "ix_news_public_order", "ix_news_tags",
                 "ix_news_status_title_id"}


class Searchable:
    """A model whose items are found by `GET /search`: name `SEARCH_TYPE` and implement
    `search_document()` returning `{title, content, visible_from}` (None: editors only)."""

    SEARCH_TYPE: str
    if TYPE_CHECKING:
        id: Mapped[uuid.UUID]  # every searchable model has one (IdMixin)

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if getattr(cls, "SEARCH_TYPE", None):
            SEARCHABLE[cls.SEARCH_TYPE] = cls

    def search_document(self):
        raise NotImplementedError


class SearchDocument(Base):
    __tablename__ = "search_documents"
    __table_args__ = (UniqueConstraint("type", "item_id"),
                      Index("ix_search_documents_type_visible_from", "type", "visible_from"))

    # An integer key: SQLite's FTS5 table refers to rows by rowid.
    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    type: Mapped[str] = mapped_column(String(20))
    item_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    slug: Mapped[str] = mapped_column(String(320))
    title: Mapped[str] = mapped_column(Text)
    content: Mapped[str] = mapped_column(Text)
    visible_from: Mapped[datetime | None]


def include_name(name, type_, parent_names):
    """Alembic filter: leave the backend-specific objects of the migration alone."""
    return name not in DATABASE_ONLY
