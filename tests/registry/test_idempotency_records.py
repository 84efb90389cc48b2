"""The record refuses, by itself, a caller lacking what its original request needed."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from soundseal.db import Database
from soundseal.registry.idempotency.models import IdempotencyRecord
from soundseal.registry.idempotency.services import (
    Caller,
    claim_key,
    complete_key,
    release_key,
)

OWNER = Caller(
    key_id="key_a",
    kind="secret",
    scopes=frozenset({"webhooks:manage", "webhooks:read"}),
    required_scope="webhooks:manage",
)


def claim(database: Database, caller: Caller, request_hash: str = "a" * 64) -> str:
    with database.transaction() as session:
        result = claim_key(
            session,
            account_id="acc_1",
            mode="live",
            key="k1",
            request_hash=request_hash,
            caller=caller,
            ttl=timedelta(hours=24),
        )
        if result.outcome == "claimed":
            complete_key(session, result.record_id, status=201, headers=[], body=b"{}")
        return result.outcome


@pytest.mark.parametrize(
    ("kind", "scopes"),
    [
        ("secret", {"certificates:read"}),
        ("publishable", {"webhooks:manage"}),
    ],
)
def test_a_lesser_caller_is_refused_before_the_request_is_compared(
    database: Database, kind: str, scopes: set[str]
) -> None:
    assert claim(database, OWNER) == "claimed"
    # Reaching the record through an operation filed under the same scope (the route lets
    # it in by another scope, or its check is missing): the record still refuses it.
    lesser = Caller(
        key_id="key_b", kind=kind, scopes=frozenset(scopes), required_scope="webhooks:manage"
    )
    # Even with another request: it learns nothing about the first one.
    assert claim(database, lesser, request_hash="b" * 64) == "forbidden"
    assert claim(database, lesser) == "forbidden"
    assert claim(database, OWNER) == "replay"
    assert claim(database, OWNER, request_hash="b" * 64) == "mismatch"


def test_completing_a_released_claim_stores_nothing(database: Database) -> None:
    """A request whose claim was released (a 5xx elsewhere, a purge) cannot bring it back."""
    with database.transaction() as session:
        claimed = claim_key(
            session,
            account_id="acc_1",
            mode="live",
            key="k2",
            request_hash="b" * 64,
            caller=OWNER,
            ttl=timedelta(hours=24),
        )
        release_key(session, claimed.record_id)
        complete_key(session, claimed.record_id, status=201, headers=[], body=b"{}")
    with database.transaction() as session:
        assert session.scalar(select(func.count()).select_from(IdempotencyRecord)) == 0


def test_operations_needing_another_scope_keep_records_of_their_own(database: Database) -> None:
    assert claim(database, OWNER) == "claimed"
    verifier = Caller(
        key_id="key_b",
        kind="secret",
        scopes=frozenset({"verify:read"}),
        required_scope="verify:read",
    )
    assert claim(database, verifier, request_hash="b" * 64) == "claimed"
    assert claim(database, verifier, request_hash="b" * 64) == "replay"
    assert claim(database, OWNER) == "replay"
