"""Models and migrations agree, and the database itself guards invariant 1."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine, text
from sqlalchemy.exc import DatabaseError

from app.models import Base


def test_autogenerate_finds_no_difference_between_models_and_migrations(db_engine: Engine):
    with db_engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        assert compare_metadata(context, Base.metadata) == []


def test_sqlite_connections_use_wal_and_foreign_keys(db_engine: Engine):
    if db_engine.dialect.name != "sqlite":
        pytest.skip("SQLite pragmas only")
    with db_engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1


def test_database_refuses_to_update_a_published_version(db_engine: Engine):
    with db_engine.begin() as conn:
        workspace_id = conn.execute(
            text("INSERT INTO workspace (slug, name, settings, created_at) "
                 "VALUES ('w', 'W', '{}', CURRENT_TIMESTAMP) RETURNING id")
        ).scalar_one()
        form_id = conn.execute(
            text("INSERT INTO form (workspace_id, slug, name, status, draft, draft_updated_at, "
                 "created_at) VALUES (:w, 'f', 'F', 'active', '{}', CURRENT_TIMESTAMP, "
                 "CURRENT_TIMESTAMP) RETURNING id"), {"w": workspace_id}
        ).scalar_one()
        conn.execute(
            text("INSERT INTO form_version (workspace_id, form_id, number, definition, "
                 "content_hash, note, published_at) VALUES (:w, :f, 1, '{}', 'h', '', "
                 "CURRENT_TIMESTAMP)"), {"w": workspace_id, "f": form_id}
        )
    with pytest.raises(DatabaseError, match="immutable"), db_engine.begin() as conn:
        conn.execute(text("UPDATE form_version SET content_hash = 'changed'"))
