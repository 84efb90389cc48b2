"""Response bodies of acoustic verification: verify-audio receipts and identification."""

from __future__ import annotations

from pydantic import Field

from soundseal.api.responses import Count, SignedInt, Timestamp, _Out

__all__ = ["Identification", "IdentifiedMatch", "ReceiptOut"]

_OFFSET = "where the query starts in the master, in ms (negative: before its start)"


class ReceiptOut(_Out):
    """A verify-audio receipt: what was compared, under which policy, and the verdict."""

    receipt_id: str
    certificate_id: str
    matched: bool
    policy_accepted: bool = Field(description="true while the served policy is calibrated")
    score: float
    cert_status: str = Field(description="the certificate's status when it was compared")
    offset_ms: SignedInt = Field(description=_OFFSET)
    coverage: float
    policy_version: str
    query_duration_ms: Count
    query_sha256: str
    reasons: list[str]
    verified_at: Timestamp
    livemode: bool


class IdentifiedMatch(_Out):
    certificate_id: str
    certificate_number: str
    track_title: str
    artist_name: str
    status: str
    issued_at: Timestamp
    matched: bool
    score: float
    offset_ms: SignedInt = Field(description=_OFFSET)
    coverage: float
    reasons: list[str]
    verification_url: str


class Identification(_Out):
    matches: list[IdentifiedMatch]
    policy_version: str
    policy_accepted: bool
