"""transparency log: each mode's leaves (signed statements) and complete-subtree hashes

The tables start empty; the registry fills them from the existing change feed when it next
starts (`soundseal log rebuild` does the same on demand).

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-08
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "log_entries",
        sa.Column("mode", sa.String(length=8), nullable=False),
        sa.Column("index", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("entry", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("mode", "index", name=op.f("pk_log_entries")),
    )
    op.create_table(
        "log_hashes",
        sa.Column("mode", sa.String(length=8), nullable=False),
        sa.Column("level", sa.SmallInteger(), autoincrement=False, nullable=False),
        sa.Column("index", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("hash", sa.LargeBinary(length=32), nullable=False),
        sa.PrimaryKeyConstraint("mode", "level", "index", name=op.f("pk_log_hashes")),
    )


def downgrade() -> None:
    op.drop_table("log_hashes")
    op.drop_table("log_entries")
