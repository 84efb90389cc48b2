"""The domain's exception tree.

The registry raises these; it knows nothing about HTTP. The API layer maps each `code` to a
status and renders the one error body (`soundseal.api.errors`).

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
    └── RateLimited                rate_limited
        └── QuotaExceeded          monthly_quota_exceeded (the tier's requests per month)
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "BillingDisabled",
    "Conflict",
    "DuplicateCertificate",
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
    "SoundsealError",
    "Unauthorized",
]


class SoundsealError(Exception):
    code = "internal_error"

    def __init__(self, message: str, **extra: Any) -> None:
        super().__init__(message)
        self.message = message
        # Extra fields are merged into the error body (e.g. `required_scope`).
        self.extra: dict[str, Any] = extra


class InvalidInput(SoundsealError):
    code = "bad_request"

    def __init__(self, message: str, *, field: str | None = None, **extra: Any) -> None:
        if field is not None:
            extra["field"] = field
        super().__init__(message, **extra)
        self.field = field


class InvalidSignature(InvalidInput):
    code = "invalid_signature"


class NotFound(SoundsealError):
    code = "not_found"


class Unauthorized(SoundsealError):
    code = "unauthorized"


class Forbidden(SoundsealError):
    code = "forbidden"


class PaymentRequired(SoundsealError):
    code = "payment_required"


class BillingDisabled(SoundsealError):
    code = "billing_disabled"


class PaymentProviderError(SoundsealError):
    code = "payment_provider_error"


class Conflict(SoundsealError):
    def __init__(self, message: str, *, code: str, **extra: Any) -> None:
        super().__init__(message, **extra)
        self.code = code


class DuplicateCertificate(Conflict):
    def __init__(self, message: str, **extra: Any) -> None:
        super().__init__(message, code="duplicate", **extra)


class RateLimited(SoundsealError):
    code = "rate_limited"


class QuotaExceeded(RateLimited):
    code = "monthly_quota_exceeded"


class PayloadTooLarge(SoundsealError):
    code = "payload_too_large"


class InvalidAudio(SoundsealError):
    """Audio that cannot be decoded, or carries too little to certify or match."""

    def __init__(self, message: str, *, code: str, **extra: Any) -> None:
        super().__init__(message, **extra)
        self.code = code
