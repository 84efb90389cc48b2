"""Request bodies. Shape only: the registry checks meaning (ISRC, SHA-256, …) itself, so the
CLI and the web pages get the same rules."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, WithJsonSchema, field_validator

from soundseal.errors import ErrorCode, InvalidInput
from soundseal.registry.acoustic.fingerprints import MAX_DURATION_MS

# Every integer the API accepts has bounds, stated in the OpenAPI and checked before any
# database sees it: a number past what a driver can bind (2**63 on SQLite) was a 500.
# Sequences and offsets are 32-bit columns or counts of rows, so the int32 range holds any
# real value.
MAX_INT32 = 2**31 - 1
MAX_OFFSET = MAX_INT32
MAX_SEQUENCE = MAX_INT32

# A fingerprint value: uint32, or the same bits as a signed int32 (some clients send those).
# The range is checked by the fingerprint codec, whose error names the encoding expected; the
# schema only states it.
FingerprintValue = Annotated[
    int, WithJsonSchema({"type": "integer", "minimum": -(2**31), "maximum": 2**32 - 1})
]
DurationMs = Annotated[
    int, Field(ge=1, le=MAX_DURATION_MS, description="The whole file's duration in ms")
]

# The registry checks these too (`registry/claims/services.py`); here they are documented.
ClaimType = Literal["ownership", "credit", "ai_use", "other"]
ClaimStatus = Literal["pending", "responded", "resolved", "expired"]


def _holds_nul(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, list | tuple):
        return any(_holds_nul(item) for item in value)
    if isinstance(value, dict):
        return any(_holds_nul(k) or _holds_nul(v) for k, v in value.items())
    return False


class _Body(BaseModel):
    # Unknown fields are refused rather than ignored: a typo should not pass silently.
    model_config = ConfigDict(extra="forbid")

    @field_validator("*", mode="after")
    @classmethod
    def _no_nul(cls, value: Any) -> Any:
        # PostgreSQL cannot store NUL in text and SQLite cuts strings at it: no field needs one.
        if _holds_nul(value):
            raise ValueError("text may not contain NUL (U+0000) characters")
        return value


class AiDisclosure(_Body):
    involvement: Literal["none", "assisted", "generated"]
    tools: list[str] = Field(default_factory=list, max_length=50)


class CertificateMetadata(_Body):
    """What describes a certificate, in the JSON body or as multipart form fields."""

    track_title: str = Field(min_length=1, max_length=500)
    artist_name: str = Field(min_length=1, max_length=500)
    isrc: str | None = Field(default=None, max_length=20, description="ISO 3901; auto-uppercased")
    type: Literal["sound_recording", "composition"] = "sound_recording"
    declaration_text: str = Field(default="Original Work", min_length=1, max_length=2000)
    audio_file_name: str | None = Field(default=None, max_length=500)
    ai_disclosure: AiDisclosure | None = None


class FingerprintFields(_Body):
    fingerprint: str | list[FingerprintValue] = Field(
        description="The raw Chromaprint fingerprint in `encoding` (`fpcalc -raw`)"
    )
    duration_ms: DurationMs = Field(
        description="The whole file's duration in ms, as fpcalc reports it"
    )
    algorithm: Literal["chromaprint"] = "chromaprint"
    encoding: str = Field(
        default="raw_le_base64",
        description="raw_le_base64 (base64 of little-endian uint32), int_array, or "
        "chromaprint_compressed (fpcalc's default output)",
    )


class CertificateCreate(CertificateMetadata):
    sha256_fingerprint: str = Field(
        min_length=64, max_length=64, description="64-char hex SHA-256 of the audio file's bytes"
    )
    fingerprint: str | list[FingerprintValue] | None = Field(
        default=None,
        description="Optional: the master's whole-length raw Chromaprint fingerprint, computed "
        "by the client (`soundseal fingerprint --length 0`); enables acoustic matching",
    )
    duration_ms: DurationMs | None = Field(default=None, description="Required with `fingerprint`")
    encoding: str | None = None
    algorithm: Literal["chromaprint"] | None = None


class VerifyAudioRequest(FingerprintFields):
    pass


class IdentifyRequest(FingerprintFields):
    limit: int = Field(default=5, ge=1, le=50)


class RevokeRequest(_Body):
    reason: str = Field(min_length=1, max_length=2000)


class Claimant(_Body):
    name: str = Field(max_length=200)
    email: str = Field(max_length=320)


class ClaimCreate(_Body):
    """The claimant as a claim is returned (`claimant: {name, email}`) or as flat fields."""

    certificate: str = Field(
        min_length=1, max_length=64, description="The certificate's ID (cer_…) or number (SS-…)"
    )
    type: ClaimType
    description: str = Field(max_length=5000)
    claimant: Claimant | None = Field(
        default=None, description="Who claims, as claims are returned; or the flat fields"
    )
    claimant_name: str | None = Field(default=None, max_length=200)
    claimant_email: str | None = Field(default=None, max_length=320)

    def claimant_fields(self) -> tuple[str, str]:
        """(name, email) from whichever form was sent; both forms must agree."""
        nested = self.claimant
        name = _one_of(nested.name if nested else None, self.claimant_name, "name")
        email = _one_of(nested.email if nested else None, self.claimant_email, "email")
        return name, email


def _one_of(nested: str | None, flat: str | None, part: str) -> str:
    if nested is None and flat is None:
        raise InvalidInput(
            f"Missing required fields: claimant_{part} (or claimant.{part})",
            field=f"claimant_{part}",
        )
    if nested is not None and flat is not None:
        # Emails compare as the registry stores them (case-insensitively); names as written.
        fold = str.lower if part == "email" else str
        if fold(nested.strip()) != fold(flat.strip()):
            raise InvalidInput(
                f"claimant.{part} and claimant_{part} disagree: send one of them",
                field="claimant",
            )
    return nested if nested is not None else str(flat)


class ClaimResponse(_Body):
    response: str = Field(
        max_length=5000,
        # Documented only: the registry refuses a blank answer with its own message.
        json_schema_extra={"pattern": r"\S"},
        description="The owner's answer to the claimant (not blank)",
    )


class ClaimResolution(_Body):
    outcome: str = Field(
        max_length=16, description="upheld (the certificate is revoked) or dismissed"
    )
    note: str = Field(max_length=2000, description="Why; kept in the certificate's history")


class ContributorInvite(_Body):
    name: str = Field(max_length=200)
    role: str = Field(max_length=100, description="e.g. Producer, Songwriter, Performer")
    email: str = Field(max_length=320)


class VerifyRequest(_Body):
    sha256: str | None = None
    certificate_number: str | None = None
    isrc: str | None = None


class WebhookCreate(_Body):
    url: str = Field(min_length=1, max_length=2048, description="https URL to receive events")
    events: list[str] | None = Field(
        default=None, max_length=50, description="Event types (default: certificate.created)"
    )
    description: str | None = Field(default=None, max_length=500)


class WebhookUpdate(_Body):
    rotate_secret: bool = Field(
        default=False, description="A new secret (the old one stops working at once)"
    )
    url: str | None = Field(default=None, min_length=1, max_length=2048)
    is_active: bool | None = Field(
        default=None, description="true re-enables (and re-queues dead-lettered deliveries)"
    )
    events: list[str] | None = Field(default=None, max_length=50)
    description: str | None = Field(default=None, max_length=500)


class ErrorBody(BaseModel):
    error: str
    code: str
    request_id: str
    model_config = ConfigDict(extra="allow")


# What an error status means to a caller; the codes it carries are the registry's
# (`ErrorCode`), so the document names every code a status can have and no other.
_MEANINGS = {
    400: "a missing or invalid field (named in `field`), unusable audio, no billing "
    "configured, or a webhook signature that does not match",
    401: "missing, unknown or revoked API key",
    402: "not enough credits",
    403: "the key lacks `required_scope`",
    404: "no such resource",
    409: "the resource's state forbids it, or an Idempotency-Key is still in use",
    413: "the body is over the endpoint's limit",
    422: "the Idempotency-Key was used with another request",
    429: "too many requests (see Retry-After)",
    502: "the payment provider failed or refused",
    503: "the server's signing key was retired; it signs again once restarted",
}


def _description(status: int) -> str:
    codes = [code for code in ErrorCode if code.status == status]
    if not codes:
        raise ValueError(f"no error code answers with status {status}")
    return f"{', '.join(codes)}: {_MEANINGS[status]}"


def error_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI `responses` entries in the one error shape."""
    return {s: {"model": ErrorBody, "description": _description(s)} for s in statuses}


class _Redirects(_Body):
    success_url: str | None = Field(
        default=None,
        max_length=2000,
        description="Where Stripe sends the buyer after paying (default: the dashboard's "
        "billing page)",
    )
    cancel_url: str | None = Field(
        default=None, max_length=2000, description="Where Stripe sends a buyer who cancels"
    )


class TierCheckoutRequest(_Redirects):
    tier: str = Field(description='"starter" or "pro"')


class CreditsCheckoutRequest(_Redirects):
    packs: int = Field(default=1, ge=1, le=100, description="How many credit packs to buy")
