"""claims and contributors: disputes filed against certificates, and the people a
certificate's owner credits, each with a one-time acknowledgement link

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import soundseal.db.base

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

_UTC = soundseal.db.base.UTCDateTime


def upgrade() -> None:
    op.create_table(
        "claims",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("certificate_id", sa.String(length=40), nullable=False),
        sa.Column("account_id", sa.String(length=40), nullable=False),
        sa.Column("mode", sa.String(length=8), nullable=False),
        sa.Column("type", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("claimant_name", sa.String(length=200), nullable=False),
        sa.Column("claimant_email", sa.String(length=320), nullable=False),
        sa.Column("filed_by", sa.String(length=64), nullable=False),
        sa.Column("response_deadline", _UTC(timezone=True), nullable=False),
        sa.Column("response", sa.Text(), nullable=True),
        sa.Column("responded_at", _UTC(timezone=True), nullable=True),
        sa.Column("responded_by", sa.String(length=64), nullable=True),
        sa.Column("expired_at", _UTC(timezone=True), nullable=True),
        sa.Column("resolution", sa.String(length=16), nullable=True),
        sa.Column("resolution_note", sa.Text(), nullable=True),
        sa.Column("resolved_at", _UTC(timezone=True), nullable=True),
        sa.Column("created_at", _UTC(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"], ["accounts.id"], name=op.f("fk_claims_account_id_accounts")
        ),
        sa.ForeignKeyConstraint(
            ["certificate_id"],
            ["certificates.id"],
            name=op.f("fk_claims_certificate_id_certificates"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_claims")),
    )
    with op.batch_alter_table("claims", schema=None) as batch_op:
        batch_op.create_index(
            "ix_claims_account_id_mode_id", ["account_id", "mode", "id"], unique=False
        )
        batch_op.create_index(
            "ix_claims_status_response_deadline", ["status", "response_deadline"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_claims_certificate_id"), ["certificate_id"], unique=False
        )

    op.create_table(
        "contributors",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("certificate_id", sa.String(length=40), nullable=False),
        sa.Column("account_id", sa.String(length=40), nullable=False),
        sa.Column("mode", sa.String(length=8), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("role", sa.String(length=100), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=True),
        sa.Column("invited_by", sa.String(length=64), nullable=True),
        sa.Column("invited_at", _UTC(timezone=True), nullable=False),
        sa.Column("acknowledged_at", _UTC(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["account_id"], ["accounts.id"], name=op.f("fk_contributors_account_id_accounts")
        ),
        sa.ForeignKeyConstraint(
            ["certificate_id"],
            ["certificates.id"],
            name=op.f("fk_contributors_certificate_id_certificates"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contributors")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_contributors_token_hash")),
    )
    with op.batch_alter_table("contributors", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_contributors_certificate_id"), ["certificate_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("contributors", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_contributors_certificate_id"))
    op.drop_table("contributors")
    with op.batch_alter_table("claims", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_claims_certificate_id"))
        batch_op.drop_index("ix_claims_status_response_deadline")
        batch_op.drop_index("ix_claims_account_id_mode_id")
    op.drop_table("claims")
