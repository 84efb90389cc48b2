"""Response bodies, and the one way a route renders one.

Each model is both what the OpenAPI document says an operation answers (`response_model=`)
and what the answer is made of: `render` validates the view against the model and writes
the model's JSON, so the document and the answers cannot drift apart. Only the members a
view set are written (`exclude_unset`): an answer without a revocation has no `message`,
and the owner's fields appear only for the owner, as the descriptions say.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field
from starlette.responses import Response

from soundseal.api.schemas import MAX_INT32

__all__ = [
    "CertificateAnswer",
    "CertificateOut",
    "CertificatePageOut",
    "CertificateStatus",
    "ChangesOut",
    "Count",
    "PublicCertificate",
    "PublicStatusesOut",
    "SignedInt",
    "Timestamp",
    "Verification",
    "VersionsOut",
    "render",
]

Timestamp = Annotated[str, Field(json_schema_extra={"format": "date-time"})]
# A count, sequence, size or offset: never negative, and within a 32-bit integer.
Count = Annotated[int, Field(ge=0, le=MAX_INT32)]
# A signed quantity (a ledger amount, an alignment offset that may fall before the start).
SignedInt = Annotated[int, Field(ge=-MAX_INT32, le=MAX_INT32)]


class _Out(BaseModel):
    # A view with a member the model does not declare is a bug: refused, never dropped.
    model_config = ConfigDict(extra="forbid")


def render(
    model: type[BaseModel],
    view: dict[str, Any],
    *,
    status_code: int = 200,
    headers: dict[str, str] | None = None,
) -> Response:
    """`view` as `model`'s JSON."""
    body = model.model_validate(view).model_dump_json(exclude_unset=True)
    return Response(body, status_code, headers, media_type="application/json")


class CertificateStatus(_Out):
    id: str
    status: str = Field(description="active or revoked")
    updated_at: Timestamp
    sequence: Count = Field(description="the change feed sequence of the last change")


class PublicCertificate(_Out):
    """What a public verification shows of a certificate."""

    id: str
    certificate_number: str
    track_title: str
    artist_name: str
    status: str
    isrc: str | None
    sha256_fingerprint: str
    declaration: str
    issued_at: Timestamp
    revoked_at: Timestamp | None


class Verification(_Out):
    """`verified` only for an active certificate. When nothing matched, `message` says so and
    the value looked up is echoed under its own name."""

    verified: bool
    certificate: PublicCertificate | None = None
    verification_url: str | None = None
    message: str | None = None
    certificate_number: str | None = None
    sha256: str | None = None
    isrc: str | None = None


class CertificateOut(PublicCertificate):
    """A certificate; the last five members only for the owning workspace's secret keys."""

    type: str
    ai_disclosure: dict[str, Any] | None
    has_acoustic_fingerprint: bool
    duration_ms: Count | None
    revocation_reason: str | None
    livemode: bool
    verification_url: str
    proof_url: str
    audio_file_name: str | None = None
    updated_at: Timestamp | None = None
    version: Count | None = None
    sequence: Count | None = None
    account_id: str | None = None


class CertificateAnswer(_Out):
    success: bool
    certificate: CertificateOut


class Pagination(_Out):
    total: Count
    limit: Count
    offset: Count
    has_more: bool
    next_cursor: str | None


class CertificatePageOut(_Out):
    certificates: list[CertificateOut]
    pagination: Pagination


class VersionOut(_Out):
    version: Count
    change: str
    actor: str | None
    changed_at: Timestamp
    snapshot: dict[str, Any]


class VersionsOut(_Out):
    certificate_id: str
    versions: list[VersionOut]


class ChangeOut(_Out):
    sequence: Count
    type: str
    certificate_id: str
    status: str
    occurred_at: Timestamp


class ChangesOut(_Out):
    changes: list[ChangeOut]
    last_sequence: Count = Field(description="pass it as `since_sequence` next time")
    has_more: bool
    server_time: Timestamp


class PublicStatus(_Out):
    id: str
    status: str


class PublicStatusesOut(_Out):
    """The known IDs among those asked for; unknown ones are left out."""

    data: list[PublicStatus]
