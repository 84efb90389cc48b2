"""The domain's exception tree, and the one registry of error codes.

The registry raises these; it knows nothing about HTTP. Every error carries a machine `code`,
a member of `ErrorCode`, and each member states the HTTP status it is answered with: the API
(`soundseal.http.errors`) and the dashboard (`soundseal.web`) both take the status from there.

    SoundsealError                 code
    ├── InvalidInput               bad_request        (names the offending `field`)
    │   └── InvalidSignature       invalid_signature  (a webhook's signature does not match)
    ├── InvalidAudio               unsupported_media | insufficient_audio | audio_too_long
    ├── NotFound                   not_found
    ├── Unauthorized               unauthorized
    ├── Forbidden                  forbidden          (`required_scope` when a scope is missing)
    ├── PaymentRequired            payment_required   (`credits_remaining`)
    ├── BillingDisabled            billing_disabled   (no payment provider configured)
    ├── PaymentProviderError       payment_provider_error (the provider failed or refused)
    ├── Conflict                   (a `code` of its own: idempotency_key_reused, …)
    │   └── DuplicateCertificate   duplicate          (the existing certificate)
    ├── PayloadTooLarge            payload_too_large
    ├── SigningUnavailable         signing_key_retired (restart to sign with the current key)
    └── RateLimited                rate_limited
        └── QuotaExceeded          monthly_quota_exceeded (the tier's requests per month)
"""

from __future__ import annotations

from enum import StrEnum, unique
from typing import Any

__all__ = [
    "BillingDisabled",
    "Conflict",
    "DuplicateCertificate",
    "ErrorCode",
    "Forbidden",
    "InvalidAudio",
    "InvalidInput",
    "InvalidSignature",
    "NotFound",
    "PayloadTooLarge",
    "PaymentProviderError",
    "PaymentRequired",
    "QuotaExceeded",
    "RateLimited",
    "SigningUnavailable",
    "SoundsealError",
    "Unauthorized",
]


@unique  # two names for one code would be two statuses for it
class ErrorCode(StrEnum):
    """Every machine code an error response can carry, each with its HTTP status.

    The status is written on the member, not in a map beside it: a code and its status are
    one fact of the public contract, and a separate map could miss a code and fall back to a
    guess at run time. Here a code without a status cannot be written, and passing anything
    but a member where a code is expected is a type error. The number is all the domain
    knows of HTTP; it never builds a response. A member is a `str`, so it compares equal to,
    and serializes as, its code.
    """

    status: int

    def __new__(cls, code: str, status: int) -> ErrorCode:
        member = str.__new__(cls, code)
        member._value_ = code
        member.status = status
        return member

    BAD_REQUEST = "bad_request", 400
    UNSUPPORTED_MEDIA = "unsupported_media", 400
    INSUFFICIENT_AUDIO = "insufficient_audio", 400
    AUDIO_TOO_LONG = "audio_too_long", 400
    BILLING_DISABLED = "billing_disabled", 400
    INVALID_SIGNATURE = "invalid_signature", 400
    UNAUTHORIZED = "unauthorized", 401
    PAYMENT_REQUIRED = "payment_required", 402
    FORBIDDEN = "forbidden", 403
    NOT_FOUND = "not_found", 404
    METHOD_NOT_ALLOWED = "method_not_allowed", 405
    DUPLICATE = "duplicate", 409
    ALREADY_REVOKED = "already_revoked", 409
    CLAIM_CLOSED = "claim_closed", 409
    LINK_USED = "link_used", 409
    ACCOUNT_EXISTS = "account_exists", 409
    IDEMPOTENCY_KEY_IN_USE = "idempotency_key_in_use", 409
    WEBHOOK_DISABLED = "webhook_disabled", 409
    TEST_MODE_FULL = "test_mode_full", 409
    CHECKPOINT_MISMATCH = "checkpoint_mismatch", 409
    PAYLOAD_TOO_LARGE = "payload_too_large", 413
    UNSUPPORTED_MEDIA_TYPE = "unsupported_media_type", 415
    IDEMPOTENCY_KEY_REUSED = "idempotency_key_reused", 422
    RATE_LIMITED = "rate_limited", 429
    MONTHLY_QUOTA_EXCEEDED = "monthly_quota_exceeded", 429
    INTERNAL_ERROR = "internal_error", 500
    PAYMENT_PROVIDER_ERROR = "payment_provider_error", 502
    SIGNING_KEY_RETIRED = "signing_key_retired", 503


class SoundsealError(Exception):
    code: ErrorCode = ErrorCode.INTERNAL_ERROR

    def __init__(self, message: str, **extra: Any) -> None:
        super().__init__(message)
        self.message = message
        # Extra fields are merged into the error body (e.g. `required_scope`).
        self.extra: dict[str, Any] = extra


class InvalidInput(SoundsealError):
    code = ErrorCode.BAD_REQUEST

    def __init__(self, message: str, *, field: str | None = None, **extra: Any) -> None:
        if field is not None:
            extra["field"] = field
        super().__init__(message, **extra)
        self.field = field


class InvalidSignature(InvalidInput):
    code = ErrorCode.INVALID_SIGNATURE


class NotFound(SoundsealError):
    code = ErrorCode.NOT_FOUND


class Unauthorized(SoundsealError):
    code = ErrorCode.UNAUTHORIZED


class Forbidden(SoundsealError):
    code = ErrorCode.FORBIDDEN


class PaymentRequired(SoundsealError):
    code = ErrorCode.PAYMENT_REQUIRED


class BillingDisabled(SoundsealError):
    code = ErrorCode.BILLING_DISABLED


class PaymentProviderError(SoundsealError):
    code = ErrorCode.PAYMENT_PROVIDER_ERROR


class Conflict(SoundsealError):
    def __init__(self, message: str, *, code: ErrorCode, **extra: Any) -> None:
        super().__init__(message, **extra)
        self.code = code


class DuplicateCertificate(Conflict):
    def __init__(self, message: str, **extra: Any) -> None:
        super().__init__(message, code=ErrorCode.DUPLICATE, **extra)


class RateLimited(SoundsealError):
    code = ErrorCode.RATE_LIMITED


class QuotaExceeded(RateLimited):
    code = ErrorCode.MONTHLY_QUOTA_EXCEEDED


class SigningUnavailable(SoundsealError):
    """The process's signing key was retired (rotated away) since it started: it can sign
    nothing, so nothing that must be signed and logged can be recorded until it restarts."""

    code = ErrorCode.SIGNING_KEY_RETIRED


class PayloadTooLarge(SoundsealError):
    code = ErrorCode.PAYLOAD_TOO_LARGE


class InvalidAudio(SoundsealError):
    """Audio that cannot be decoded, or carries too little to certify or match."""

    def __init__(self, message: str, *, code: ErrorCode, **extra: Any) -> None:
        super().__init__(message, **extra)
        self.code = code
