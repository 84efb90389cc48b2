"""Two processes claiming one Idempotency-Key at the same moment, on PostgreSQL (SQLite takes
the write lock up front, so there the second claim simply waits for the first).

The interleaving is made exact with a session event: the other process acts between this
claim's look for a record and its insert, or between its failed insert and its second look.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import event
from sqlalchemy.orm import ORMExecuteState, Session

from soundseal.db import Database
from soundseal.registry.idempotency.services import (
    Caller,
    Claim,
    claim_key,
    complete_key,
    release_key,
)
from tests.backends import Backend, postgres_backend

CALLER = Caller(
    key_id="key_a",
    kind="secret",
    scopes=frozenset({"webhooks:manage"}),
    required_scope="webhooks:manage",
)
HASH = "c" * 64


@pytest.fixture(scope="module")
def backend() -> Iterator[Backend]:
    yield from postgres_backend()


def _claim(session: Session) -> Claim:
    return claim_key(
        session,
        account_id="acc_1",
        mode="live",
        key="k1",
        request_hash=HASH,
        caller=CALLER,
        ttl=timedelta(hours=24),
    )


def _interleave(
    session: Session,
    after_first_look: Callable[[], None],
    before_second_look: Callable[[], None] | None = None,
) -> None:
    """Runs the other process's steps around this session's SELECTs of the record."""
    looks = 0

    def hook(state: ORMExecuteState) -> Any:
        nonlocal looks
        if not state.is_select:
            return None
        looks += 1
        if looks == 1:
            rows = state.invoke_statement().freeze()
            after_first_look()
            return rows()
        if looks == 2 and before_second_look is not None:
            before_second_look()
        return None

    event.listen(session, "do_orm_execute", hook)


def test_a_key_claimed_and_finished_elsewhere_meanwhile_is_replayed(database: Database) -> None:
    def other_process_claims_and_finishes() -> None:
        with database.transaction() as other:
            claimed = _claim(other)
            complete_key(other, claimed.record_id, status=201, headers=[], body=b'{"a":1}')

    with database.transaction() as session:
        _interleave(session, other_process_claims_and_finishes)
        claim = _claim(session)
    assert claim.outcome == "replay"
    assert claim.body == b'{"a":1}'


def test_a_key_claimed_then_released_elsewhere_meanwhile_asks_for_a_retry(
    database: Database,
) -> None:
    record: list[int] = []

    def other_process_claims() -> None:
        with database.transaction() as other:
            record.append(_claim(other).record_id)

    def other_process_releases() -> None:
        with database.transaction() as other:
            release_key(other, record[0])

    with database.transaction() as session:
        _interleave(session, other_process_claims, other_process_releases)
        claim = _claim(session)
    # Neither claimed nor replayable: the middleware waits and claims again.
    assert claim.outcome == "in_progress"
    assert claim.record_id == 0
    with database.transaction() as session:
        assert _claim(session).outcome == "claimed"
