"""The tables of the transparency logs: each mode's leaves, and its complete-subtree hashes.

Both tables only ever receive inserts. A leaf's entry is the signed statement of one change
(its index is the change's feed sequence minus one), and a stored hash at (level, index)
covers a complete subtree that no later append can change (`transparency.stored_tree`).
So any reader, at any isolation level, that first reads the log's size and then the rows
for that size finds them all there, and a row it reads is never different later. The
right edge, the root and every proof are computed from these rows; nothing else is kept.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, Integer, LargeBinary, SmallInteger, String
from sqlalchemy.orm import Mapped, mapped_column

from soundseal.db.base import Base

__all__ = ["LogCosignature", "LogEntry", "LogHash"]


class LogEntry(Base):
    """One leaf: the exact bytes whose leaf hash is the level-0 hash at the same index."""

    __tablename__ = "log_entries"

    mode: Mapped[str] = mapped_column(String(8), primary_key=True)
    index: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    entry: Mapped[bytes] = mapped_column(LargeBinary)


class LogHash(Base):
    """The hash of the complete subtree of leaves [index * 2**level, (index + 1) * 2**level)."""

    __tablename__ = "log_hashes"

    mode: Mapped[str] = mapped_column(String(8), primary_key=True)
    level: Mapped[int] = mapped_column(SmallInteger, primary_key=True, autoincrement=False)
    index: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    hash: Mapped[bytes] = mapped_column(LargeBinary(32))


class LogCosignature(Base):
    """A witness's cosignature of one of the log's checkpoints (C2SP tlog-cosignature).

    Stored only once it verified against a configured witness key and the checkpoint was
    the log's own at `size` (its root `root_hash`, kept so a row stands as evidence alone).
    One row per witness key and size; a later cosignature of the same checkpoint by the
    same key replaces an earlier one.
    """

    __tablename__ = "log_cosignatures"

    mode: Mapped[str] = mapped_column(String(8), primary_key=True)
    size: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    witness: Mapped[str] = mapped_column(String(255), primary_key=True)
    key_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    root_hash: Mapped[bytes] = mapped_column(LargeBinary(32))
    timestamp: Mapped[int] = mapped_column(BigInteger)
    signature: Mapped[bytes] = mapped_column(LargeBinary(64))
