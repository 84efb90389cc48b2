"""Counting embed opens. Functions take a session and never commit."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from soundseal.db.base import utcnow
from soundseal.registry.certificates.models import Certificate
from soundseal.registry.embeds.models import EmbedOpen, EmbedSalt, EmbedViewer

__all__ = ["daily_opens", "opens_by_certificate", "record_open", "record_view"]


def _insert(session: Session) -> Callable[..., Any]:
    """The dialect's INSERT, for its ON CONFLICT clauses."""
    dialect = session.get_bind().dialect.name
    return postgresql.insert if dialect == "postgresql" else sqlite.insert


def _salt(session: Session, hour: datetime) -> str:
    """This hour's salt, made by whichever open of the hour comes first."""
    made = session.execute(
        _insert(session)(EmbedSalt)
        .values(hour=hour, salt=secrets.token_hex(32))
        .on_conflict_do_nothing(index_elements=[EmbedSalt.hour])
        .returning(EmbedSalt.hour)
    ).first()
    if made is not None:
        # The one transaction that made the hour's salt sweeps the past hours: viewers are
        # only compared within an hour, and old salts must not outlive their hour.
        session.execute(delete(EmbedViewer).where(EmbedViewer.hour < hour))
        session.execute(delete(EmbedSalt).where(EmbedSalt.hour < hour))
    salt = session.scalar(select(EmbedSalt.salt).where(EmbedSalt.hour == hour))
    assert salt is not None  # inserted just above, or by a concurrent open
    return salt


def record_view(
    session: Session,
    certificate_id: str,
    *,
    client: str,
    user_agent: str,
    now: datetime | None = None,
) -> bool:
    """Count an open of the certificate's embed unless this viewer (client address and user
    agent) already opened it this hour; True when it was counted."""
    now = now or utcnow()
    hour = now.replace(minute=0, second=0, microsecond=0)
    seen = f"{_salt(session, hour)}|{client[:200]}|{user_agent[:500]}"
    viewer = hashlib.sha256(seen.encode(errors="surrogatepass")).hexdigest()
    # RETURNING says whether the row is new (rowcount is not reliable for ON CONFLICT on
    # every driver).
    new = session.execute(
        _insert(session)(EmbedViewer)
        .values(certificate_id=certificate_id, hour=hour, viewer=viewer)
        .on_conflict_do_nothing(
            index_elements=[EmbedViewer.certificate_id, EmbedViewer.hour, EmbedViewer.viewer]
        )
        .returning(EmbedViewer.viewer)
    ).first()
    if new is None:
        return False
    record_open(session, certificate_id, now.date())
    return True


def record_open(session: Session, certificate_id: str, day: date | None = None) -> None:
    """Add one open to today's counter. An upsert, so concurrent opens of one certificate
    never collide on the first insert of the day."""
    day = day or utcnow().date()
    statement = _insert(session)(EmbedOpen).values(certificate_id=certificate_id, day=day, opens=1)
    statement = statement.on_conflict_do_update(
        index_elements=[EmbedOpen.certificate_id, EmbedOpen.day],
        set_={"opens": EmbedOpen.opens + 1},
    )
    session.execute(statement)


def opens_by_certificate(session: Session, *, account_id: str, mode: str) -> dict[str, int]:
    """All-time opens of each of a workspace's certificates that has any."""
    rows = session.execute(
        select(EmbedOpen.certificate_id, func.sum(EmbedOpen.opens))
        .join(Certificate, Certificate.id == EmbedOpen.certificate_id)
        .where(Certificate.account_id == account_id, Certificate.mode == mode)
        .group_by(EmbedOpen.certificate_id)
    )
    return {cert_id: int(total) for cert_id, total in rows}


def daily_opens(session: Session, certificate_id: str, *, days: int = 30) -> list[tuple[date, int]]:
    """Opens per day over the last `days` days, newest first, days without opens left out."""
    since = utcnow().date() - timedelta(days=days - 1)
    rows = session.execute(
        select(EmbedOpen.day, EmbedOpen.opens)
        .where(EmbedOpen.certificate_id == certificate_id, EmbedOpen.day >= since)
        .order_by(EmbedOpen.day.desc())
    )
    return [(day, int(opens)) for day, opens in rows]
