"""Content addressing, and verify-then-bind.

The platform fingerprints the file it actually serves (its own bytes, not the master's), asks
the registry whether that audio matches the certificate, and only when it matched under an
accepted policy re-checks the certificate's status fresh and writes a binding. The binding is
written in one transaction at the very end, so a failure anywhere before — a crash, a network
error, a refusal — leaves no binding at all.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import update
from sqlalchemy.orm import Session, sessionmaker

from soundseal.audio import encode_values, fingerprint_file, sha256_file
from soundseal.client import Client
from soundseal.db.base import utcnow
from soundseal.platform.models import Binding

__all__ = ["BindOutcome", "content_address", "verify_and_bind"]


def content_address(path: str | Path) -> str:
    """The SHA-256 of the exact bytes served."""
    return sha256_file(path)


@dataclass(frozen=True)
class BindOutcome:
    track_id: str
    bound: bool
    reasons: list[str]
    binding_id: int | None = None
    receipt: dict[str, Any] | None = None

    def as_dict(self) -> dict[str, object]:
        return {
            "track_id": self.track_id,
            "bound": self.bound,
            "reasons": self.reasons,
            "binding_id": self.binding_id,
            "receipt": self.receipt,
        }


def verify_and_bind(
    client: Client,
    sessions: sessionmaker[Session],
    *,
    track_id: str,
    served_file: str | Path,
    certificate_id: str,
) -> BindOutcome:
    served_sha256 = content_address(served_file)
    query = fingerprint_file(served_file)  # the first 120 s, as fpcalc does
    receipt = client.verify_audio(
        certificate_id, fingerprint=encode_values(query.values), duration_ms=query.duration_ms
    )
    if not receipt["matched"] or not receipt["policy_accepted"]:
        reasons = list(receipt.get("reasons", []))
        if not receipt["policy_accepted"]:
            reasons.append(f"policy {receipt['policy_version']} is not an accepted one")
        return BindOutcome(track_id, False, reasons or ["no match"], receipt=receipt)
    status = client.certificate_status(certificate_id, fresh=True)
    if status["status"] != "active":
        return BindOutcome(
            track_id, False, [f"the certificate is {status['status']}"], receipt=receipt
        )
    now = utcnow()
    with sessions() as session, session.begin():
        # The track's earlier bindings stay as written; they simply stop being current.
        session.execute(
            update(Binding)
            .where(Binding.track_id == track_id, Binding.state == "verified")
            .values(state="superseded", state_changed_at=now, state_reason="bound again")
        )
        binding = Binding(
            track_id=track_id,
            certificate_id=certificate_id,
            served_sha256=served_sha256,
            receipt_id=receipt["receipt_id"],
            policy_version=receipt["policy_version"],
            score=float(receipt["score"]),
            bound_at=now,
            state="verified",
        )
        session.add(binding)
        session.flush()
        binding_id = binding.id
    return BindOutcome(track_id, True, [], binding_id=binding_id, receipt=receipt)
