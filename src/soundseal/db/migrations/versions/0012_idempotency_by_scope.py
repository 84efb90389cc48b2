"""idempotency records: filed under the scope their operation required as well

A key holding one scope must neither see nor occupy the Idempotency-Keys of operations that
need another, so the scope joins the account, mode and key in the unique constraint.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-04
"""

from __future__ import annotations

from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

_NAME = "uq_idempotency_records_account_id"


def upgrade() -> None:
    with op.batch_alter_table("idempotency_records", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f(_NAME), type_="unique")
        batch_op.create_unique_constraint(
            batch_op.f(_NAME), ["account_id", "mode", "required_scope", "key"]
        )


def downgrade() -> None:
    # Records of one key under several scopes cannot share the narrower constraint.
    op.execute("DELETE FROM idempotency_records")
    with op.batch_alter_table("idempotency_records", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f(_NAME), type_="unique")
        batch_op.create_unique_constraint(batch_op.f(_NAME), ["account_id", "mode", "key"])
