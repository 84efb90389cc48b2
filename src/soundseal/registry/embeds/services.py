"""Counting embed opens. Functions take a session and never commit."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from soundseal.db.base import utcnow
from soundseal.registry.certificates.models import Certificate
from soundseal.registry.embeds.models import EmbedOpen

__all__ = ["daily_opens", "opens_by_certificate", "record_open"]


def record_open(session: Session, certificate_id: str, day: date | None = None) -> None:
    """Add one open to today's counter. An upsert, so concurrent opens of one certificate
    never collide on the first insert of the day."""
    day = day or utcnow().date()
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = insert(EmbedOpen).values(certificate_id=certificate_id, day=day, opens=1)
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
