"""Response bodies of contributors and of deep verification, which lists them."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from soundseal.api.responses import CertificateOut, Count, SignedInt, Timestamp, _Out

__all__ = ["ContributorInvitation", "ContributorList", "DeepVerification"]


class ContributorOut(_Out):
    """A contributor; `email` and `invited_by` only for the certificate's owner."""

    id: str
    name: str
    role: str
    status: str
    invited_at: Timestamp
    acknowledged_at: Timestamp | None
    email: str | None = None
    invited_by: str | None = None


class InvitedContributor(ContributorOut):
    acknowledgement_url: str | None = Field(
        description="shown only in this answer; null in an Idempotency-Key replay"
    )


class ContributorInvitation(_Out):
    success: bool
    contributor: InvitedContributor
    message: str


class ContributorList(_Out):
    certificate_id: str
    contributors: list[ContributorOut]


class DuplicateMatch(_Out):
    certificate_id: str
    certificate_number: str
    score: float
    offset_ms: SignedInt
    issued_at: Timestamp
    verification_url: str


class DeepScan(_Out):
    dwd_status: str = Field(description="clean, matches_found or not_fingerprinted")
    dwd_matches: list[DuplicateMatch]
    policy_version: str
    ai_detection_status: str = Field(description="not_run: no AI-audio detector is configured")


class HistoryEntry(_Out):
    """A version of the certificate; `actor` only for the owner."""

    version: Count
    change: str
    changed_at: Timestamp
    snapshot: dict[str, Any]
    actor: str | None = None


class DeepVerification(_Out):
    """When nothing matched: `verified` false, `message`, the value looked up under its own
    name, and `credits_remaining` (nothing is charged). Otherwise the full answer; `message`
    only for a revoked certificate."""

    verified: bool
    credits_remaining: Count | None = Field(description="null when credits are not enabled")
    message: str | None = None
    certificate_number: str | None = None
    sha256: str | None = None
    isrc: str | None = None
    certificate: CertificateOut | None = None
    ai_disclosure: dict[str, Any] | None = None
    deep_scan: DeepScan | None = None
    contributors: list[ContributorOut] | None = None
    version_history: list[HistoryEntry] | None = None
