"""Log entries as statements: what each entry of a registry's transparency log must be.

Entry N of a mode's log is the compact JWS (ASCII) of the statement that change-feed entry
N + 1 made, and the statement says so itself: its `log_index` is N. A monitor that has
verified the entries are the log's (`transparency.monitor.advance`) still has to check they
are the registry's statements, and in their place. The index check matters: a statement that
verifies but names another position is a real statement replayed where it does not belong
(a certificate logged twice, a revocation moved before its issue), and is refused.

A statement also names its registry (`issuer`, the public URL) and its `mode`, and a log's
origin is `<the public URL without its scheme>/log/<mode>` (`log_origin`). Given the origin,
entries are held to it too, so a test-mode statement cannot stand in a live log.

Refusals are `transparency.audit_errors.EntryRefused` (and `MisplacedEntry`), carrying the
entry's index and its text as evidence.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from soundseal.signing.errors import VerificationError
from soundseal.signing.jws import verify_statement
from soundseal.signing.statements import Statement
from soundseal.transparency.audit_errors import EntryRefused, MisplacedEntry

__all__ = ["log_origin", "verify_entry", "verify_entry_statements"]

_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://")


def log_origin(issuer: str, mode: str) -> str:
    """The origin of the `mode` log of the registry whose public URL is `issuer`."""
    return f"{_SCHEME.sub('', issuer, count=1).rstrip('/')}/log/{mode}"


def verify_entry_statements(
    entries: Sequence[bytes],
    start_index: int,
    jwks: Mapping[str, Any],
    *,
    origin: str | None = None,
) -> list[Statement]:
    """The statements of entries `start_index`, `start_index` + 1, ..., each checked.

    Each entry must be an ASCII compact JWS that `verify_statement` accepts with `jwks`,
    whose `log_index` is its own position (else `MisplacedEntry`), and, when `origin` is
    given, whose issuer and mode name that log. Raises `EntryRefused` at the first entry
    that is not.
    """
    statements: list[Statement] = []
    for index, entry in enumerate(entries, start_index):
        statement = verify_entry(entry, index, jwks)
        if origin is not None and log_origin(statement.issuer, statement.mode) != origin:
            raise EntryRefused(
                index,
                f"a statement of {log_origin(statement.issuer, statement.mode)!r}, "
                f"not of {origin!r}",
                entry=entry.decode("ascii"),
            )
        statements.append(statement)
    return statements


def verify_entry(entry: bytes, index: int, jwks: Mapping[str, Any]) -> Statement:
    """The statement entry `index` holds, once it verifies and names that index."""
    try:
        jws = entry.decode("ascii")
    except (UnicodeDecodeError, AttributeError) as exc:
        shown = entry.decode("utf-8", "replace") if isinstance(entry, bytes) else None
        raise EntryRefused(index, "not an ASCII compact JWS", entry=shown) from exc
    try:
        statement = verify_statement(jws, jwks)
    except VerificationError as exc:
        raise EntryRefused(index, f"the statement does not verify: {exc}", entry=jws) from exc
    if statement.log_index != index:
        raise MisplacedEntry(
            index, f"the statement is signed for log index {statement.log_index}", entry=jws
        )
    return statement
