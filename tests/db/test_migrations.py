"""The migrations build exactly the schema the models declare, on both databases."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from soundseal.db import Database
from soundseal.registry.models import metadata


def test_models_and_migrations_agree(database: Database) -> None:
    with database.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        diff = compare_metadata(context, metadata)
    assert diff == []


def test_the_sandbox_certificate_is_seeded(database: Database) -> None:
    with database.engine.connect() as conn:
        row = conn.exec_driver_sql(
            "SELECT status, mode FROM certificates WHERE id = 'cer_test_synthetic'"
        ).one()
    assert tuple(row) == ("active", "test")
