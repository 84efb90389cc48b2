"""The client's exceptions.

    ClientError                     anything the client raises
    ├── TransportError              the registry could not be reached (after retries)
    └── APIError                    the registry answered with an error body
        ├── BadRequest              400 (`field` names the offending input)
        ├── AuthenticationError     401
        ├── PaymentRequired         402
        ├── PermissionDenied        403 (`required_scope`)
        ├── NotFound                404
        ├── Conflict                409 (a duplicate, an Idempotency-Key in use, …)
        ├── UnprocessableRequest    422 (an Idempotency-Key reused with another request)
        ├── RateLimited             429 (`retry_after`, after the client's own retries)
        │   └── QuotaExceeded       429 `monthly_quota_exceeded` (never retried)
        └── ServerError             5xx (after retries)

Every `APIError` carries `status`, `code`, `request_id` and the decoded `body`.
"""

from __future__ import annotations

from typing import Any

QUOTA_EXCEEDED = "monthly_quota_exceeded"

__all__ = [
    "APIError",
    "AuthenticationError",
    "BadRequest",
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
    "error_for",
]


class ClientError(Exception):
    pass


class TransportError(ClientError):
    pass


class APIError(ClientError):
    def __init__(self, status: int, body: dict[str, Any], request_id: str | None) -> None:
        self.status = status
        self.body = body
        self.code: str = str(body.get("code", "unknown"))
        self.request_id = request_id or body.get("request_id")
        self.message: str = str(body.get("error", f"HTTP {status}"))
        super().__init__(f"{self.message} ({self.code}, request {self.request_id})")

    @property
    def field(self) -> str | None:
        value = self.body.get("field")
        return str(value) if value is not None else None


class BadRequest(APIError):
    pass


class AuthenticationError(APIError):
    pass


class PaymentRequired(APIError):
    pass


class PermissionDenied(APIError):
    @property
    def required_scope(self) -> str | None:
        value = self.body.get("required_scope")
        return str(value) if value is not None else None


class NotFound(APIError):
    pass


class Conflict(APIError):
    pass


class UnprocessableRequest(APIError):
    pass


class RateLimited(APIError):
    def __init__(
        self, status: int, body: dict[str, Any], request_id: str | None, retry_after: float
    ) -> None:
        super().__init__(status, body, request_id)
        self.retry_after = retry_after


class QuotaExceeded(RateLimited):
    """The workspace has used its requests for the month: waiting minutes will not help
    (`retry_after` is the time until the next month), so the client does not retry."""


class ServerError(APIError):
    pass


_BY_STATUS: dict[int, type[APIError]] = {
    400: BadRequest,
    401: AuthenticationError,
    402: PaymentRequired,
    403: PermissionDenied,
    404: NotFound,
    409: Conflict,
    413: BadRequest,
    422: UnprocessableRequest,
}


def error_for(
    status: int, body: dict[str, Any], request_id: str | None, retry_after: float = 0.0
) -> APIError:
    if status == 429:
        kind = QuotaExceeded if body.get("code") == QUOTA_EXCEEDED else RateLimited
        return kind(status, body, request_id, retry_after)
    if status >= 500:
        return ServerError(status, body, request_id)
    return _BY_STATUS.get(status, APIError)(status, body, request_id)
