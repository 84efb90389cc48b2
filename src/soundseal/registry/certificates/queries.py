"""Read-only certificate queries for the web pages: dashboard search and public status."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from soundseal.errors import InvalidInput
from soundseal.ids import is_certificate_id
from soundseal.registry.certificates.models import Certificate

__all__ = ["MAX_STATUS_IDS", "count_certificates", "public_statuses", "search_certificates"]

MAX_STATUS_IDS = 100


def _like(text: str) -> str:
    escaped = text.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def search_certificates(
    session: Session,
    *,
    account_id: str,
    mode: str,
    query: str = "",
    status: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> tuple[list[Certificate], int]:
    """A workspace's certificates, newest first, whose title, artist, number, ID or ISRC
    contains `query` (case-insensitive); with the total count of matches."""
    if status is not None and status not in ("active", "revoked"):
        raise InvalidInput("status must be 'active' or 'revoked'", field="status")
    where = [Certificate.account_id == account_id, Certificate.mode == mode]
    if status is not None:
        where.append(Certificate.status == status)
    query = query.strip()
    if query:
        pattern = _like(query)
        compact = _like(query.replace("-", "").upper())
        where.append(
            or_(
                *(
                    func.lower(column).like(pattern, escape="\\")
                    for column in (
                        Certificate.track_title,
                        Certificate.artist_name,
                        Certificate.certificate_number,
                        Certificate.id,
                    )
                ),
                # ISRCs are stored without dashes; people type them with.
                func.lower(func.coalesce(Certificate.isrc, "")).like(compact, escape="\\"),
            )
        )
    total = session.scalar(select(func.count()).select_from(Certificate).where(*where)) or 0
    rows = session.scalars(
        select(Certificate)
        .where(*where)
        .order_by(Certificate.issued_at.desc(), Certificate.id.desc())
        .offset(offset)
        .limit(limit)
    )
    return list(rows), int(total)


def public_statuses(session: Session, ids: Iterable[str]) -> dict[str, str]:
    """The status of each known certificate among `ids` (unknown ones are left out).

    Certificate IDs are public identifiers and the status is what any proof page shows, so
    this needs no key; it is what the seal widget reads.
    """
    wanted = sorted({i for i in ids if is_certificate_id(i)})
    if len(wanted) > MAX_STATUS_IDS:
        raise InvalidInput(f"At most {MAX_STATUS_IDS} IDs per request", field="ids")
    if not wanted:
        return {}
    rows = session.execute(
        select(Certificate.id, Certificate.status).where(Certificate.id.in_(wanted))
    )
    return {row.id: row.status for row in rows}


def count_certificates(session: Session, *, account_id: str, mode: str) -> dict[str, int]:
    """How many of a workspace's certificates are in each status."""
    rows = session.execute(
        select(Certificate.status, func.count())
        .where(Certificate.account_id == account_id, Certificate.mode == mode)
        .group_by(Certificate.status)
    )
    counts = {"active": 0, "revoked": 0}
    counts.update({status: int(n) for status, n in rows})
    return counts
