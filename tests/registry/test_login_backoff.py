"""Log-in backoff: wrong passwords slow the next attempt, per email and per client."""

from __future__ import annotations

import contextlib
from datetime import timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from soundseal.db import Database, create_database
from soundseal.db.base import utcnow
from soundseal.errors import RateLimited
from soundseal.registry.logins.backoff import (
    Backoff,
    check_backoff,
    clear_failures,
    record_failure,
)
from soundseal.registry.logins.models import LoginFailure

POLICY = Backoff(free_failures=2, max_seconds=60)
OWNER = "owner@example.com"


def test_the_wait_doubles_after_the_free_failures_and_is_capped() -> None:
    waits = [POLICY.wait(n).total_seconds() for n in range(1, 12)]
    assert waits == [0, 0, 2, 4, 8, 16, 32, 60, 60, 60, 60]
    assert POLICY.wait(10**9) == timedelta(seconds=60)


def test_failures_block_until_the_window_ends(database: Database) -> None:
    t0 = utcnow()
    with database.transaction() as session:
        for _ in range(2):
            assert record_failure(
                session, email=OWNER, client="203.0.113.7", policy=POLICY, now=t0
            ) == timedelta(0)
        check_backoff(session, email=OWNER, client="203.0.113.7", now=t0)  # typos are free
        assert record_failure(
            session, email=OWNER, client="203.0.113.7", policy=POLICY, now=t0
        ) == timedelta(seconds=2)
    with database.transaction(write=False) as session:
        with pytest.raises(RateLimited) as refused:
            check_backoff(session, email=OWNER.upper(), client="198.51.100.4", now=t0)
        assert refused.value.extra["retry_after"] == 2
        assert "Too many wrong passwords" in refused.value.message
        # After the window the owner may try again, from anywhere.
        check_backoff(session, email=OWNER, client="203.0.113.7", now=t0 + timedelta(seconds=2))


def test_the_right_password_resets_the_email_but_not_the_client(database: Database) -> None:
    t0 = utcnow()
    with database.transaction() as session:
        for _ in range(10):
            wait = record_failure(session, email=OWNER, client="203.0.113.7", policy=POLICY, now=t0)
        assert wait == timedelta(seconds=60)  # capped
        clear_failures(session, email=OWNER)
    with database.transaction(write=False) as session:
        check_backoff(session, email=OWNER, client="198.51.100.4", now=t0)
        # Logging in to an account of one's own does not clear the client's count.
        with pytest.raises(RateLimited):
            check_backoff(session, email="other@example.com", client="203.0.113.7", now=t0)


def test_old_counts_are_forgotten_and_no_raw_values_are_stored(database: Database) -> None:
    t0 = utcnow()
    with database.transaction() as session:
        for _ in range(4):
            record_failure(session, email=OWNER, client="203.0.113.7", policy=POLICY, now=t0)
        later = t0 + timedelta(days=2)
        assert record_failure(
            session, email=OWNER, client="203.0.113.7", policy=POLICY, now=later
        ) == timedelta(0)
    with database.transaction(write=False) as session:
        rows = session.scalars(select(LoginFailure)).all()
        assert sorted(row.failures for row in rows) == [1, 1]
        assert not any(OWNER in row.key or "203.0.113" in row.key for row in rows)


def test_every_server_process_sees_the_same_counts(database: Database) -> None:
    other = create_database(database.engine.url.render_as_string(hide_password=False))
    try:
        t0 = utcnow()
        with database.transaction() as session:
            for _ in range(3):
                record_failure(session, email=OWNER, client="203.0.113.7", policy=POLICY, now=t0)
        with other.transaction() as session:
            with pytest.raises(RateLimited):
                check_backoff(session, email=OWNER, client="192.0.2.1", now=t0)
            record_failure(session, email=OWNER, client="192.0.2.1", policy=POLICY, now=t0)
        with database.transaction(write=False) as session:
            counts = session.scalars(select(LoginFailure.failures)).all()
            assert sorted(counts) == [1, 3, 4]
            assert session.scalar(select(func.count()).select_from(LoginFailure)) == 3
    finally:
        other.dispose()


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    email=st.text(st.characters(exclude_categories=()), max_size=400),
    client=st.text(st.characters(exclude_categories=()), max_size=300),
)
def test_any_email_and_address_are_counted_and_checked_cleanly(
    database: Database, email: str, client: str
) -> None:
    # Any text a form or a proxy header can carry (lone surrogates included): counted, then
    # checked, with no error but the backoff's own refusal.
    with database.transaction() as session:
        record_failure(session, email=email, client=client, policy=POLICY)
    with database.transaction(write=False) as session, contextlib.suppress(RateLimited):
        check_backoff(session, email=email, client=client)
