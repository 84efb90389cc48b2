"""Log-in backoff: each wrong password makes the next attempt wait longer.

Counted twice, per email and per client address, so neither many guesses at one account
from many addresses nor one address guessing at many accounts goes fast. The first
`free_failures` wrong passwords cost nothing (typos); after that each failure doubles the
wait, from 2 s up to `max_seconds`. The owner is never locked out: the wait is capped, only
wrong passwords count (an attempt refused by the backoff is not a failure), and the right
password resets the email's count. A success does not reset the address's count, or an
attacker could clear it by logging in to an account of their own between guesses.
Counts older than `FORGET_AFTER` start again from zero.

Functions take a session and never commit.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from soundseal.db.base import utcnow
from soundseal.errors import InvalidInput, RateLimited
from soundseal.registry.accounts.services import normalize_email
from soundseal.registry.logins.models import LoginFailure

__all__ = [
    "FORGET_AFTER",
    "Backoff",
    "check_backoff",
    "clear_failures",
    "record_failure",
]

FORGET_AFTER = timedelta(days=1)


@dataclass(frozen=True)
class Backoff:
    """How hard wrong passwords are punished (settings `login_backoff_*`)."""

    free_failures: int = 5
    max_seconds: int = 300

    def wait(self, failures: int) -> timedelta:
        extra = failures - self.free_failures
        if extra <= 0:
            return timedelta(0)
        # The exponent is bounded before it is raised: no huge integers from huge counts.
        return timedelta(seconds=min(2 ** min(extra, 32), self.max_seconds))


def _keys(*, email: str, client: str) -> list[str]:
    try:
        email = normalize_email(email)
    except InvalidInput:
        email = email.strip().lower()[:320]
    return [
        hashlib.sha256(f"{scope}:{value}".encode(errors="surrogatepass")).hexdigest()
        for scope, value in (("email", email), ("client", client[:200]))
    ]


def check_backoff(
    session: Session, *, email: str, client: str, now: datetime | None = None
) -> None:
    """`RateLimited` (with `retry_after`, seconds) while this email or address must wait."""
    now = now or utcnow()
    until = session.scalar(
        select(LoginFailure.blocked_until)
        .where(
            LoginFailure.key.in_(_keys(email=email, client=client)),
            LoginFailure.blocked_until > now,
        )
        .order_by(LoginFailure.blocked_until.desc())
        .limit(1)
    )
    if until is not None:
        seconds = max(1, math.ceil((until - now).total_seconds()))
        raise RateLimited(
            f"Too many wrong passwords. Wait {seconds} s before trying again.",
            retry_after=seconds,
        )


def record_failure(
    session: Session,
    *,
    email: str,
    client: str,
    policy: Backoff,
    now: datetime | None = None,
) -> timedelta:
    """Count a wrong password for this email and this address; the wait it now imposes."""
    now = now or utcnow()
    stale = now - FORGET_AFTER
    # Counts nobody has added to for a day are forgotten: the table stays small.
    session.execute(delete(LoginFailure).where(LoginFailure.last_failed_at < stale))
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    longest = timedelta(0)
    for key in _keys(email=email, client=client):
        # An upsert adding one in the database, so concurrent failures are all counted.
        statement = insert(LoginFailure).values(
            key=key, failures=1, last_failed_at=now, blocked_until=now
        )
        statement = statement.on_conflict_do_update(
            index_elements=[LoginFailure.key],
            set_={"failures": LoginFailure.failures + 1, "last_failed_at": now},
        )
        session.execute(statement)
        failures = session.scalar(select(LoginFailure.failures).where(LoginFailure.key == key))
        wait = policy.wait(int(failures or 0))
        session.execute(
            update(LoginFailure).where(LoginFailure.key == key).values(blocked_until=now + wait)
        )
        longest = max(longest, wait)
    return longest


def clear_failures(session: Session, *, email: str) -> None:
    """The right password for this email: its count starts again (the address's does not)."""
    email_key = _keys(email=email, client="")[0]
    session.execute(delete(LoginFailure).where(LoginFailure.key == email_key))
