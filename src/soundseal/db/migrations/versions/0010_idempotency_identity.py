"""idempotency records: who made each one, and which secret fields were removed from it

The records written before this revision may hold webhook secrets and contributor links in
plain text and name no key, so they are dropped: a retry of a request made just before the
upgrade runs again instead of replaying.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(sa.text("DELETE FROM idempotency_records"))
    with op.batch_alter_table("idempotency_records", schema=None) as batch_op:
        batch_op.add_column(sa.Column("key_id", sa.String(length=40), nullable=False))
        batch_op.add_column(sa.Column("key_kind", sa.String(length=16), nullable=False))
        batch_op.add_column(sa.Column("required_scope", sa.String(length=64), nullable=False))
        batch_op.add_column(sa.Column("redacted", sa.String(length=255), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("idempotency_records", schema=None) as batch_op:
        batch_op.drop_column("redacted")
        batch_op.drop_column("required_scope")
        batch_op.drop_column("key_kind")
        batch_op.drop_column("key_id")
