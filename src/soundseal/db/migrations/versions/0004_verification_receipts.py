"""verification receipts

Revision ID: 0004
Revises: 0001
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import soundseal.db.base

revision = "0004"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "verification_receipts",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("account_id", sa.String(length=40), nullable=False),
        sa.Column("key_id", sa.String(length=40), nullable=False),
        sa.Column("mode", sa.String(length=8), nullable=False),
        sa.Column("certificate_id", sa.String(length=40), nullable=False),
        sa.Column("cert_status", sa.String(length=16), nullable=False),
        sa.Column("matched", sa.Boolean(), nullable=False),
        sa.Column("policy_accepted", sa.Boolean(), nullable=False),
        sa.Column("policy_version", sa.String(length=32), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("offset_ms", sa.Integer(), nullable=False),
        sa.Column("coverage", sa.Float(), nullable=False),
        sa.Column("query_duration_ms", sa.Integer(), nullable=False),
        sa.Column("query_sha256", sa.String(length=64), nullable=False),
        sa.Column("reasons", sa.JSON(), nullable=False),
        sa.Column("verified_at", soundseal.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_verification_receipts")),
    )
    with op.batch_alter_table("verification_receipts", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_verification_receipts_account_id"), ["account_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_verification_receipts_certificate_id"), ["certificate_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("verification_receipts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_verification_receipts_certificate_id"))
        batch_op.drop_index(batch_op.f("ix_verification_receipts_account_id"))

    op.drop_table("verification_receipts")
