"""History entries for what happens *around* a certificate: claims and contributors.

These steps do not change the certificate's status (so they are not in the change feed),
but its version history is where anyone auditing the certificate looks, so each step is a
new version there: the certificate's state as it was, plus the step's details.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from soundseal.registry.certificates.models import Certificate, CertificateVersion
from soundseal.registry.certificates.views import snapshot
from soundseal.registry.events.services import emit

__all__ = ["lock_certificate", "record_step"]


def lock_certificate(session: Session, certificate_id: str) -> Certificate:
    """The certificate, re-read under a row lock (PostgreSQL; SQLite writers hold the whole
    database), so two concurrent steps cannot take the same version number."""
    return session.scalars(
        select(Certificate)
        .where(Certificate.id == certificate_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one()


def record_step(
    session: Session,
    cert: Certificate,
    *,
    change: str,
    actor: str | None,
    at: datetime,
    detail: dict[str, Any],
    event_data: dict[str, Any],
) -> CertificateVersion:
    """Append `change` (e.g. `claim.filed`) to the history, `detail` under its own key, and
    emit the event of the same name to the certificate's workspace, in one transaction."""
    cert = lock_certificate(session, cert.id)
    cert.version += 1
    version = CertificateVersion(
        certificate_id=cert.id,
        version=cert.version,
        change=change,
        actor=actor,
        snapshot={**snapshot(cert), change.split(".")[0]: detail},
        changed_at=at,
    )
    session.add(version)
    emit(session, account_id=cert.account_id, mode=cert.mode, type=change, data=event_data)
    session.flush()
    return version
