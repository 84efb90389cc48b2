"""login backoff counters, and embed viewers counted once per certificate per hour

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import soundseal.db.base

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

_UTC = soundseal.db.base.UTCDateTime


def upgrade() -> None:
    op.create_table(
        "login_failures",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("last_failed_at", _UTC(timezone=True), nullable=False),
        sa.Column("blocked_until", _UTC(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_login_failures")),
    )
    with op.batch_alter_table("login_failures", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_login_failures_last_failed_at"), ["last_failed_at"], unique=False
        )
    op.create_table(
        "embed_viewers",
        sa.Column("certificate_id", sa.String(length=40), nullable=False),
        sa.Column("hour", _UTC(timezone=True), nullable=False),
        sa.Column("viewer", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["certificate_id"],
            ["certificates.id"],
            name=op.f("fk_embed_viewers_certificate_id_certificates"),
        ),
        sa.PrimaryKeyConstraint("certificate_id", "hour", "viewer", name=op.f("pk_embed_viewers")),
    )
    op.create_table(
        "embed_salts",
        sa.Column("hour", _UTC(timezone=True), nullable=False),
        sa.Column("salt", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("hour", name=op.f("pk_embed_salts")),
    )


def downgrade() -> None:
    op.drop_table("embed_salts")
    op.drop_table("embed_viewers")
    with op.batch_alter_table("login_failures", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_login_failures_last_failed_at"))
    op.drop_table("login_failures")
