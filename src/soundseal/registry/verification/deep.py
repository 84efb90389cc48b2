"""Deep verification: the full certificate, the duplicate-work scan and the history, for one
credit of the caller's workspace.

What a caller sees depends on whether the certificate is theirs. The owner sees everything;
anyone else sees the public record without what only the owner should know: the master's
file name, who made each change, who filed a claim, and whom the owner invited before they
confirmed. A lookup that finds nothing is free.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from soundseal.registry.acoustic.index import AcousticIndex
from soundseal.registry.acoustic.services import duplicate_work_scan
from soundseal.registry.certificates.lookups import list_versions
from soundseal.registry.certificates.models import Certificate
from soundseal.registry.certificates.records import record_of
from soundseal.registry.certificates.views import certificate_view, version_view
from soundseal.registry.contributors.services import list_contributors
from soundseal.registry.contributors.views import contributor_view
from soundseal.registry.credits.services import balance, spend_credit
from soundseal.registry.verification.public import find_named, not_found

__all__ = ["deep_verification", "redacted_version"]


def deep_verification(
    session: Session,
    *,
    account_id: str,
    mode: str,
    actor: str | None,
    certificate_number: str | None,
    sha256: str | None,
    isrc: str | None,
    base_url: str,
    acoustic_index: AcousticIndex,
    credits_enabled: bool,
) -> dict[str, Any]:
    """The deep verification answer for a key of `account_id` in `mode`, charging one credit
    (live mode, credits enabled) when a certificate is found."""
    (name, value), found = find_named(
        session, mode=mode, certificate_number=certificate_number, sha256=sha256, isrc=isrc
    )
    if found is None:
        # Deep verification names the field itself ("this sha256"), as it always has.
        return {
            **not_found(name, value, what=name),
            "credits_remaining": _remaining(session, account_id, credits_enabled),
        }
    remaining = spend_credit(
        session,
        account_id=account_id,
        mode=mode,
        reason="deep_verification",
        reference=found.id,
        actor=actor,
        enabled=credits_enabled,
    )
    cert = session.get(Certificate, found.id)
    assert cert is not None
    owner = cert.account_id == account_id
    body: dict[str, Any] = {
        "verified": cert.status == "active",
        "certificate": certificate_view(record_of(cert), base_url=base_url, owner=owner),
        "ai_disclosure": cert.ai_disclosure,
        "deep_scan": {
            **duplicate_work_scan(session, acoustic_index, cert, base_url=base_url),
            "ai_detection_status": "not_run",
        },
        # The owner sees every invitation; others only the credits confirmed by the
        # contributors themselves, without their emails.
        "contributors": [
            contributor_view(c, owner=owner)
            for c in list_contributors(session, cert.id, acknowledged_only=not owner)
        ],
        "version_history": [
            redacted_version(version_view(v), owner=owner) for v in list_versions(session, cert.id)
        ],
        "credits_remaining": (
            remaining if remaining is not None else _remaining(session, account_id, credits_enabled)
        ),
    }
    if cert.status != "active":
        body["message"] = f"Certificate {cert.certificate_number} has been revoked"
    return body


def redacted_version(view: dict[str, Any], *, owner: bool) -> dict[str, Any]:
    """A history entry; others' entries without the owner-only fields (who, the file name)."""
    if owner:
        return view
    snapshot = {k: v for k, v in view["snapshot"].items() if k != "audio_file_name"}
    # Who filed a claim, and whom the owner invited before they confirmed, are the owner's.
    if "claim" in snapshot:
        snapshot["claim"] = {k: v for k, v in snapshot["claim"].items() if k != "claimant_name"}
    if "contributor" in snapshot and view["change"] != "contributor.acknowledged":
        snapshot["contributor"] = {
            k: v for k, v in snapshot["contributor"].items() if k not in ("name", "role")
        }
    return {**{k: v for k, v in view.items() if k != "actor"}, "snapshot": snapshot}


def _remaining(session: Session, account_id: str, enabled: bool) -> int | None:
    return balance(session, account_id) if enabled else None
