"""initial schema

Revision ID: 0001
Revises:
Create Date: 2026-11-22

Also seeds the change-feed counters and the public sandbox certificate `cer_test_synthetic`.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import soundseal.db.base

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "accounts",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("created_at", soundseal.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_accounts")),
        sa.UniqueConstraint("email", name=op.f("uq_accounts_email")),
    )
    op.create_table(
        "certificate_changes",
        sa.Column("mode", sa.String(length=8), nullable=False),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column("type", sa.String(length=64), nullable=False),
        sa.Column("certificate_id", sa.String(length=40), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("occurred_at", soundseal.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("mode", "sequence", name=op.f("pk_certificate_changes")),
    )
    with op.batch_alter_table("certificate_changes", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_certificate_changes_certificate_id"), ["certificate_id"], unique=False
        )

    op.create_table(
        "feed_counters",
        sa.Column("mode", sa.String(length=8), nullable=False),
        sa.Column("last_sequence", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("mode", name=op.f("pk_feed_counters")),
    )
    op.create_table(
        "idempotency_records",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("account_id", sa.String(length=40), nullable=False),
        sa.Column("mode", sa.String(length=8), nullable=False),
        sa.Column("key", sa.String(length=255), nullable=False),
        sa.Column("request_hash", sa.String(length=64), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("response_status", sa.Integer(), nullable=True),
        sa.Column("response_headers", sa.JSON(), nullable=True),
        sa.Column("response_body", sa.LargeBinary(), nullable=True),
        sa.Column("created_at", soundseal.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", soundseal.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_idempotency_records")),
        sa.UniqueConstraint(
            "account_id", "mode", "key", name=op.f("uq_idempotency_records_account_id")
        ),
    )
    with op.batch_alter_table("idempotency_records", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_idempotency_records_expires_at"), ["expires_at"], unique=False
        )

    op.create_table(
        "api_keys",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("account_id", sa.String(length=40), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("mode", sa.String(length=8), nullable=False),
        sa.Column("scopes", sa.JSON(), nullable=False),
        sa.Column("prefix", sa.String(length=32), nullable=False),
        sa.Column("key_hash", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=True),
        sa.Column("created_at", soundseal.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", soundseal.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["account_id"], ["accounts.id"], name=op.f("fk_api_keys_account_id_accounts")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_keys")),
        sa.UniqueConstraint("key_hash", name=op.f("uq_api_keys_key_hash")),
    )
    with op.batch_alter_table("api_keys", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_api_keys_account_id"), ["account_id"], unique=False)

    op.create_table(
        "certificates",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("account_id", sa.String(length=40), nullable=False),
        sa.Column("mode", sa.String(length=8), nullable=False),
        sa.Column("certificate_number", sa.String(length=32), nullable=False),
        sa.Column("track_title", sa.String(length=500), nullable=False),
        sa.Column("artist_name", sa.String(length=500), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("isrc", sa.String(length=12), nullable=True),
        sa.Column("type", sa.String(length=32), nullable=False),
        sa.Column("declaration_text", sa.Text(), nullable=False),
        sa.Column("audio_file_name", sa.String(length=500), nullable=True),
        sa.Column("ai_disclosure", sa.JSON(), nullable=True),
        sa.Column("fingerprint", sa.LargeBinary(), nullable=True),
        sa.Column("duration_ms", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("revoked_at", soundseal.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("revocation_reason", sa.Text(), nullable=True),
        sa.Column("issued_at", soundseal.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", soundseal.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"], ["accounts.id"], name=op.f("fk_certificates_account_id_accounts")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_certificates")),
        sa.UniqueConstraint("certificate_number", name=op.f("uq_certificates_certificate_number")),
    )
    with op.batch_alter_table("certificates", schema=None) as batch_op:
        batch_op.create_index("ix_certificates_account_id_id", ["account_id", "id"], unique=False)
        batch_op.create_index(batch_op.f("ix_certificates_isrc"), ["isrc"], unique=False)
        batch_op.create_index(batch_op.f("ix_certificates_sha256"), ["sha256"], unique=False)
        batch_op.create_index(
            "uq_certificates_active_sha256",
            ["mode", "sha256"],
            unique=True,
            sqlite_where=sa.text("status = 'active'"),
            postgresql_where=sa.text("status = 'active'"),
        )

    op.create_table(
        "certificate_versions",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("certificate_id", sa.String(length=40), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("change", sa.String(length=64), nullable=False),
        sa.Column("actor", sa.String(length=64), nullable=True),
        sa.Column("snapshot", sa.JSON(), nullable=False),
        sa.Column("changed_at", soundseal.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["certificate_id"],
            ["certificates.id"],
            name=op.f("fk_certificate_versions_certificate_id_certificates"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_certificate_versions")),
    )
    with op.batch_alter_table("certificate_versions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_certificate_versions_certificate_id"), ["certificate_id"], unique=False
        )

    _seed()


SANDBOX_SHA256 = "9c5f0c5d6f0b7b1e1f3c07f58b2f2d56c0f4b0a1d1e5f6a7b8c9d0e1f2a3b4c5"


def _seed() -> None:
    """The feed counters, and the sandbox certificate anyone may read without a key."""
    from datetime import UTC, datetime

    created = datetime(2026, 1, 1, tzinfo=UTC)
    feed_counters = sa.table("feed_counters", sa.column("mode"), sa.column("last_sequence"))
    op.bulk_insert(
        feed_counters, [{"mode": "live", "last_sequence": 0}, {"mode": "test", "last_sequence": 0}]
    )
    accounts = sa.table(
        "accounts",
        sa.column("id"),
        sa.column("email"),
        sa.column("name"),
        sa.column("created_at", soundseal.db.base.UTCDateTime()),
    )
    op.bulk_insert(
        accounts,
        [
            {
                "id": "acct_sandbox",
                "email": "sandbox@soundseal.invalid",
                "name": "soundseal sandbox",
                "created_at": created,
            }
        ],
    )
    certificates = sa.table(
        "certificates",
        *(
            sa.column(c)
            for c in (
                "id",
                "account_id",
                "mode",
                "certificate_number",
                "track_title",
                "artist_name",
                "sha256",
                "isrc",
                "type",
                "declaration_text",
                "status",
                "version",
                "sequence",
            )
        ),
        sa.column("ai_disclosure", sa.JSON()),
        sa.column("issued_at", soundseal.db.base.UTCDateTime()),
        sa.column("updated_at", soundseal.db.base.UTCDateTime()),
    )
    op.bulk_insert(
        certificates,
        [
            {
                "id": "cer_test_synthetic",
                "account_id": "acct_sandbox",
                "mode": "test",
                "certificate_number": "SS-2026-SYNTHET1",
                "track_title": "Synthetic Sandbox Track",
                "artist_name": "soundseal sandbox",
                "sha256": SANDBOX_SHA256,
                "isrc": "ZZSS02600001",
                "type": "sound_recording",
                "declaration_text": "Original Work",
                "status": "active",
                "version": 1,
                "sequence": 0,
                "ai_disclosure": {"involvement": "none", "tools": []},
                "issued_at": created,
                "updated_at": created,
            }
        ],
    )


def downgrade() -> None:
    with op.batch_alter_table("certificate_versions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_certificate_versions_certificate_id"))

    op.drop_table("certificate_versions")
    with op.batch_alter_table("certificates", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_certificates_active_sha256",
            sqlite_where=sa.text("status = 'active'"),
            postgresql_where=sa.text("status = 'active'"),
        )
        batch_op.drop_index(batch_op.f("ix_certificates_sha256"))
        batch_op.drop_index(batch_op.f("ix_certificates_isrc"))
        batch_op.drop_index("ix_certificates_account_id_id")

    op.drop_table("certificates")
    with op.batch_alter_table("api_keys", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_api_keys_account_id"))

    op.drop_table("api_keys")
    with op.batch_alter_table("idempotency_records", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_idempotency_records_expires_at"))

    op.drop_table("idempotency_records")
    op.drop_table("feed_counters")
    with op.batch_alter_table("certificate_changes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_certificate_changes_certificate_id"))

    op.drop_table("certificate_changes")
    op.drop_table("accounts")
