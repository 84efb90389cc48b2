"""Acoustic duplicates at issuance, verify-audio with receipts, and 1:N identification.

Functions take a session and never commit.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from soundseal.audio import Fingerprint
from soundseal.db.base import utcnow
from soundseal.errors import DuplicateCertificate, NotFound
from soundseal.ids import new_id
from soundseal.matching import CURRENT_POLICY, Decision, MatchPolicy, compare, decide
from soundseal.registry.acoustic.fingerprints import (
    fingerprint_from_bytes,
    query_digest,
    require_sufficient,
)
from soundseal.registry.acoustic.index import AcousticIndex
from soundseal.registry.acoustic.models import VerificationReceipt
from soundseal.registry.certificates.models import Certificate
from soundseal.registry.certificates.records import CertificateRecord, record_of
from soundseal.registry.changes.services import lock_feed
from soundseal.urls import verify_url

__all__ = [
    "Evaluation",
    "Identification",
    "check_acoustic_duplicate",
    "duplicate_work_scan",
    "evaluate",
    "get_receipt",
    "identify",
    "record_receipt",
    "verify_audio",
]

# Candidates verified per search: duplicates and identification need only the best few.
_CANDIDATES = 10


def check_acoustic_duplicate(
    session: Session,
    index: AcousticIndex,
    *,
    mode: str,
    fingerprint: Fingerprint,
    base_url: str,
    policy: MatchPolicy = CURRENT_POLICY,
) -> None:
    """Refuse audio that matches an active certificate in this mode.

    Takes the mode's feed lock first, so that two processes issuing re-encodes of the same
    master at once cannot both miss each other: the second waits, then sees the first.
    """
    require_sufficient(fingerprint, policy)
    lock_feed(session, mode)
    for hit in index.search(session, mode, fingerprint, _CANDIDATES):
        master = session.get(Certificate, hit.key)
        if master is None or master.status != "active" or master.fingerprint is None:
            continue
        decision = decide(hit.comparison, fingerprint.duration_ms, master.duration_ms or 0, policy)
        if decision.matched:
            raise DuplicateCertificate(
                "This audio matches an existing certificate's master",
                match_type="acoustic",
                score=round(decision.score, 4),
                offset_ms=decision.offset_ms,
                policy_version=decision.policy_version,
                existing_certificate_id=master.id,
                existing_certificate_number=master.certificate_number,
                verification_url=verify_url(base_url, master.certificate_number),
            )


def duplicate_work_scan(
    session: Session,
    index: AcousticIndex,
    certificate: Certificate,
    *,
    base_url: str,
    policy: MatchPolicy = CURRENT_POLICY,
) -> dict[str, Any]:
    """Deep verification's duplicate-work scan: the *other* active certificates in the
    certificate's mode whose masters contain its audio under the policy.

    `dwd_status` is `clean`, `matches_found`, or `not_fingerprinted` for a certificate issued
    by SHA-256 alone (there is nothing acoustic to compare, which is not the same as clean).
    """
    scan: dict[str, Any] = {"policy_version": policy.version}
    if certificate.fingerprint is None:
        return {"dwd_status": "not_fingerprinted", "dwd_matches": [], **scan}
    master = fingerprint_from_bytes(certificate.fingerprint, certificate.duration_ms or 0)
    matches: list[dict[str, Any]] = []
    for hit in index.search(session, certificate.mode, master, _CANDIDATES + 1):
        if hit.key == certificate.id:
            continue
        other = session.get(Certificate, hit.key)
        if other is None or other.status != "active":
            continue
        decision = decide(hit.comparison, master.duration_ms, other.duration_ms or 0, policy)
        if decision.matched:
            matches.append(
                {
                    "certificate_id": other.id,
                    "certificate_number": other.certificate_number,
                    "score": round(decision.score, 4),
                    "offset_ms": decision.offset_ms,
                    "issued_at": other.issued_at.isoformat(timespec="milliseconds").replace(
                        "+00:00", "Z"
                    ),
                    "verification_url": verify_url(base_url, other.certificate_number),
                }
            )
    status = "matches_found" if matches else "clean"
    return {"dwd_status": status, "dwd_matches": matches, **scan}


@dataclass(frozen=True)
class Evaluation:
    """How a query compares with a certificate's master, before anything is written."""

    certificate_id: str
    cert_status: str
    matched: bool
    score: float
    offset_ms: int
    coverage: float
    reasons: list[str]
    query_duration_ms: int
    query_sha256: str


def evaluate(
    certificate: CertificateRecord,
    fingerprint: bytes | None,
    query: Fingerprint,
    policy: MatchPolicy = CURRENT_POLICY,
) -> Evaluation:
    """Compare a served file's fingerprint with the certificate's master (`fingerprint`,
    its stored values). Pure: the comparison runs outside any transaction."""
    require_sufficient(query, policy)
    decision: Decision | None = None
    coverage = 0.0
    if fingerprint is None:
        reasons = ["the certificate has no acoustic fingerprint (it was issued by SHA-256 only)"]
    else:
        master = fingerprint_from_bytes(fingerprint, certificate.duration_ms or 0)
        comparison = compare(query, master)
        coverage = comparison.coverage
        decision = decide(comparison, query.duration_ms, master.duration_ms, policy)
        reasons = list(decision.reasons)
    active = certificate.status == "active"
    if not active:
        reasons.append(f"the certificate is {certificate.status}")
    return Evaluation(
        certificate_id=certificate.id,
        cert_status=certificate.status,
        matched=decision is not None and decision.matched and active,
        score=round(decision.score, 4) if decision else 0.0,
        offset_ms=decision.offset_ms if decision else 0,
        coverage=round(coverage, 4),
        reasons=reasons,
        query_duration_ms=query.duration_ms,
        query_sha256=query_digest(query),
    )


def record_receipt(
    session: Session,
    evaluation: Evaluation,
    *,
    account_id: str,
    key_id: str,
    mode: str,
    policy: MatchPolicy = CURRENT_POLICY,
) -> VerificationReceipt:
    """Keep the receipt of a verification (one Core INSERT: this is a hot write)."""
    receipt = VerificationReceipt(
        id=new_id("vrc"),
        account_id=account_id,
        key_id=key_id,
        mode=mode,
        certificate_id=evaluation.certificate_id,
        cert_status=evaluation.cert_status,
        matched=evaluation.matched,
        policy_accepted=policy.calibrated,
        policy_version=policy.version,
        score=evaluation.score,
        offset_ms=evaluation.offset_ms,
        coverage=evaluation.coverage,
        query_duration_ms=evaluation.query_duration_ms,
        query_sha256=evaluation.query_sha256,
        reasons=evaluation.reasons,
        verified_at=utcnow(),
    )
    columns = VerificationReceipt.__table__.columns.keys()
    session.execute(
        insert(VerificationReceipt), [{name: getattr(receipt, name) for name in columns}]
    )
    return receipt


def verify_audio(
    session: Session,
    *,
    certificate: Certificate,
    query: Fingerprint,
    account_id: str,
    key_id: str,
    mode: str,
    policy: MatchPolicy = CURRENT_POLICY,
) -> VerificationReceipt:
    """Compare a served file's fingerprint with the certificate's master; keep a receipt."""
    evaluation = evaluate(record_of(certificate), certificate.fingerprint, query, policy)
    return record_receipt(
        session, evaluation, account_id=account_id, key_id=key_id, mode=mode, policy=policy
    )


def get_receipt(
    session: Session, receipt_id: str, *, account_id: str, mode: str
) -> VerificationReceipt:
    """A receipt of this workspace's verifications in `mode`: a test key never reads what
    live verifications found, as with certificates (the other mode's are not found)."""
    receipt = session.get(VerificationReceipt, receipt_id)
    if receipt is None or receipt.account_id != account_id or receipt.mode != mode:
        raise NotFound(f"No verification receipt {receipt_id!r}")
    return receipt


@dataclass(frozen=True)
class Identification:
    certificate: Certificate
    decision: Decision
    coverage: float


def identify(
    session: Session,
    index: AcousticIndex,
    *,
    mode: str,
    query: Fingerprint,
    limit: int,
    policy: MatchPolicy = CURRENT_POLICY,
) -> list[Identification]:
    """The active certificates whose masters contain this audio, best score first."""
    require_sufficient(query, policy)
    hits = index.search(session, mode, query, max(limit, _CANDIDATES))
    if not hits:
        return []
    certs = {
        c.id: c
        for c in session.scalars(
            select(Certificate).where(Certificate.id.in_([h.key for h in hits]))
        )
    }
    found: list[Identification] = []
    for hit in hits:
        cert = certs.get(str(hit.key))
        if cert is None or cert.status != "active":
            continue
        decision = decide(hit.comparison, query.duration_ms, cert.duration_ms or 0, policy)
        found.append(Identification(cert, decision, hit.comparison.coverage))
    found.sort(key=lambda i: (not i.decision.matched, -i.decision.score))
    return found[:limit]


def receipt_view(receipt: VerificationReceipt) -> dict[str, Any]:
    from soundseal.registry.certificates.views import iso

    return {
        "receipt_id": receipt.id,
        "certificate_id": receipt.certificate_id,
        "matched": receipt.matched,
        "policy_accepted": receipt.policy_accepted,
        "score": receipt.score,
        "cert_status": receipt.cert_status,
        "offset_ms": receipt.offset_ms,
        "coverage": receipt.coverage,
        "policy_version": receipt.policy_version,
        "query_duration_ms": receipt.query_duration_ms,
        "query_sha256": receipt.query_sha256,
        "reasons": receipt.reasons,
        "verified_at": iso(receipt.verified_at),
        "livemode": receipt.mode == "live",
    }
