"""A typed client for the soundseal API, sync and async, on httpx.

    from soundseal.client import Client

    with Client() as registry:              # SOUNDSEAL_API_KEY, SOUNDSEAL_API_URL
        status = registry.certificate_status("cer_…", fresh=True)

Writes carry an automatic Idempotency-Key, reused across retries; 429 (honouring
Retry-After up to `max_retry_wait`, 60 s by default), 5xx and connection failures are
retried with exponential backoff and jitter, but never `monthly_quota_exceeded`;
errors are raised as the exceptions of `soundseal.client._errors` (documented there).
Importing this package needs only httpx: none of the server's dependencies.
"""

from soundseal.client._client import AsyncClient, Client
from soundseal.client._errors import (
    APIError,
    AuthenticationError,
    BadRequest,
    ClientError,
    Conflict,
    NotFound,
    PaymentRequired,
    PermissionDenied,
    QuotaExceeded,
    RateLimited,
    ServerError,
    TransportError,
    UnprocessableRequest,
)

__all__ = [
    "APIError",
    "AsyncClient",
    "AuthenticationError",
    "BadRequest",
    "Client",
    "ClientError",
    "Conflict",
    "NotFound",
    "PaymentRequired",
    "PermissionDenied",
    "QuotaExceeded",
    "RateLimited",
    "ServerError",
    "TransportError",
    "UnprocessableRequest",
]
