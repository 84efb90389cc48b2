"""Response bodies of claims."""

from __future__ import annotations

from pydantic import Field

from soundseal.api.responses import Count, Timestamp, _Out

__all__ = ["ClaimAnswer", "ClaimOnly", "ClaimPageOut"]


class Claimant(_Out):
    name: str
    email: str


class ClaimedCertificate(_Out):
    id: str
    certificate_number: str
    track_title: str
    artist_name: str
    status: str


class ClaimResponseOut(_Out):
    text: str
    responded_at: Timestamp | None


class ClaimResolutionOut(_Out):
    outcome: str = Field(description="upheld or dismissed")
    note: str | None
    resolved_at: Timestamp | None


class ClaimOut(_Out):
    """A claim; `response` and `resolution` are null until there is one."""

    id: str
    type: str
    status: str = Field(description="pending, responded, resolved or expired")
    description: str
    claimant: Claimant
    certificate: ClaimedCertificate
    response_deadline: Timestamp
    response: ClaimResponseOut | None
    resolution: ClaimResolutionOut | None
    livemode: bool
    created_at: Timestamp


class ClaimAnswer(_Out):
    success: bool
    claim: ClaimOut


class ClaimOnly(_Out):
    claim: ClaimOut


class ClaimPagination(_Out):
    total: Count
    limit: Count
    offset: Count
    has_more: bool
    next_cursor: str | None
    next_starting_after: str | None


class ClaimPageOut(_Out):
    claims: list[ClaimOut]
    pagination: ClaimPagination
