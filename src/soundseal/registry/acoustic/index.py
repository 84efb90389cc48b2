"""The registry's 1:N acoustic index: every active certificate's fingerprint, per mode.

It lives in each server process's memory (`soundseal.matching.FingerprintIndex`) and is kept
in step with the database through the change feed: before every search it applies the
changes committed since the last one it applied, so a certificate issued or revoked by any
process is seen by all of them. The first use in a mode loads the active certificates
directly, after noting the feed's position, and applying a change twice is harmless (an
issue replaces, a revocation removes), so nothing can slip between the load and the feed.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from soundseal.audio import Fingerprint
from soundseal.matching import FingerprintIndex, SearchHit
from soundseal.registry.acoustic.fingerprints import fingerprint_from_bytes
from soundseal.registry.certificates.models import Certificate
from soundseal.registry.changes.services import last_sequence, list_changes

__all__ = ["AcousticIndex"]

_PAGE = 1000


@dataclass
class _ModeIndex:
    index: FingerprintIndex = field(default_factory=FingerprintIndex)
    applied: int = -1  # -1: not loaded yet


class AcousticIndex:
    def __init__(self) -> None:
        self._modes: dict[str, _ModeIndex] = {}
        # Searches run on worker threads; the index and its feed position change together.
        self._lock = threading.Lock()

    def search(
        self, session: Session, mode: str, query: Fingerprint, limit: int
    ) -> list[SearchHit]:
        with self._lock:
            state = self._sync(session, mode)
            return state.index.search(query, limit=limit)

    def size(self, mode: str) -> int:
        state = self._modes.get(mode)
        return len(state.index) if state else 0

    def _sync(self, session: Session, mode: str) -> _ModeIndex:
        state = self._modes.setdefault(mode, _ModeIndex())
        if state.applied < 0:
            state.applied = last_sequence(session, mode)
            rows = session.execute(
                select(Certificate.id, Certificate.fingerprint, Certificate.duration_ms).where(
                    Certificate.mode == mode,
                    Certificate.status == "active",
                    Certificate.fingerprint.is_not(None),
                )
            )
            for cert_id, raw, duration_ms in rows:
                if raw is not None:
                    state.index.add(cert_id, fingerprint_from_bytes(raw, duration_ms or 0))
        while True:
            changes = list_changes(session, mode=mode, since=state.applied, limit=_PAGE)
            if not changes:
                return state
            ids = {c.certificate_id for c in changes}
            current = {
                row.id: row
                for row in session.execute(
                    select(
                        Certificate.id,
                        Certificate.status,
                        Certificate.fingerprint,
                        Certificate.duration_ms,
                    ).where(Certificate.id.in_(ids))
                )
            }
            for cert_id in ids:
                row = current.get(cert_id)
                if cert_id in state.index:
                    state.index.remove(cert_id)
                if row is not None and row.status == "active" and row.fingerprint is not None:
                    state.index.add(
                        cert_id, fingerprint_from_bytes(row.fingerprint, row.duration_ms or 0)
                    )
            state.applied = changes[-1].sequence
