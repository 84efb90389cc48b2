"""The API's one error shape, and the handlers that turn every failure into it.

    {"error": "<what went wrong, for a person>", "code": "<machine code>",
     "request_id": "req_…", ...extra fields such as "field" or "required_scope"}

Every path to an error response — domain errors, validation failures, unknown routes,
wrong methods, oversized bodies and unexpected exceptions — goes through `error_body`.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import JSONResponse
from starlette.routing import Match

from soundseal.errors import SoundsealError

__all__ = ["STATUS_BY_CODE", "error_body", "error_response", "install_error_handlers"]

logger = logging.getLogger("soundseal.api")

STATUS_BY_CODE: dict[str, int] = {
    "bad_request": 400,
    "unsupported_media": 400,
    "insufficient_audio": 400,
    "audio_too_long": 400,
    "unauthorized": 401,
    "payment_required": 402,
    "billing_disabled": 400,
    "invalid_signature": 400,
    "payment_provider_error": 502,
    "monthly_quota_exceeded": 429,
    "forbidden": 403,
    "not_found": 404,
    "method_not_allowed": 405,
    "duplicate": 409,
    "already_revoked": 409,
    "claim_closed": 409,
    "link_used": 409,
    "account_exists": 409,
    "idempotency_key_in_use": 409,
    "webhook_disabled": 409,
    "idempotency_key_reused": 422,
    "payload_too_large": 413,
    "unsupported_media_type": 415,
    "rate_limited": 429,
    "internal_error": 500,
}

_CODE_BY_STATUS = {
    400: "bad_request",
    401: "unauthorized",
    402: "payment_required",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "duplicate",
    413: "payload_too_large",
    415: "unsupported_media_type",
    429: "rate_limited",
}


_METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE")


def request_id_of(request: Request) -> str:
    return str(getattr(request.state, "request_id", "") or "")


def error_body(message: str, code: str, request_id: str, **extra: Any) -> dict[str, Any]:
    body: dict[str, Any] = {"error": message, "code": code, "request_id": request_id}
    for key, value in extra.items():
        body.setdefault(key, value)
    return body


def error_response(
    request: Request,
    message: str,
    code: str,
    *,
    status: int | None = None,
    headers: dict[str, str] | None = None,
    **extra: Any,
) -> JSONResponse:
    request_id = request_id_of(request)
    all_headers = {"X-Request-Id": request_id} if request_id else {}
    all_headers.update(headers or {})
    return JSONResponse(
        error_body(message, code, request_id, **extra),
        status_code=status or STATUS_BY_CODE.get(code, 400),
        headers=all_headers,
    )


def _field_name(loc: tuple[Any, ...]) -> str:
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "header")]
    return ".".join(parts) or "body"


def _validation_message(exc: RequestValidationError) -> tuple[str, str]:
    errors = exc.errors()
    missing = [_field_name(e["loc"]) for e in errors if e.get("type") == "missing"]
    if missing:
        return f"Missing required fields: {', '.join(missing)}", missing[0]
    first = errors[0]
    field = _field_name(first["loc"])
    if first.get("type") == "json_invalid":
        return "Request body is not valid JSON", "body"
    if field == "body" and first.get("type") in ("model_attributes_type", "dict_type"):
        return "Request body must be a JSON object", "body"
    message = str(first.get("msg", "is invalid")).removeprefix("Value error, ")
    return f"Invalid field '{field}': {message}", field


async def _domain_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, SoundsealError)
    extra = dict(exc.extra)
    if exc.code == "payment_required":
        # The domain knows the balance; where to buy more is this deployment's business.
        settings = request.app.state.context.settings
        extra.setdefault("purchase_url", settings.effective_purchase_url)
        extra.setdefault("docs", f"{settings.public_url}/api/v1/docs")
    return error_response(request, exc.message, exc.code, **extra)


async def _validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    message, field = _validation_message(exc)
    return error_response(request, message, "bad_request", field=field)


async def _http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    if isinstance(exc.__cause__, SoundsealError):
        # FastAPI wraps whatever fails while it reads the body (here: the size limit).
        return await _domain_error(request, exc.__cause__)
    code = _CODE_BY_STATUS.get(exc.status_code, "bad_request")
    if exc.status_code == 404:
        message = f"No route {request.method} {request.url.path}"
    elif exc.status_code == 405:
        message = f"Method {request.method} is not allowed on {request.url.path}"
    else:
        message = str(exc.detail)
    if exc.status_code >= 500:
        code, message = "internal_error", "Internal server error"
    headers = dict(exc.headers or {})
    if exc.status_code == 405:
        headers["Allow"] = ", ".join(allowed_methods(request))
    return error_response(request, message, code, status=exc.status_code, headers=headers)


def allowed_methods(request: Request) -> list[str]:
    """Every method some route serves at this path.

    Starlette's `Allow` names only the methods of the first route whose path matched; a path
    served by several routes (GET and POST as two functions) needs them all (RFC 9110 §15.5.6).
    Each method is tried on a clean scope, as the router would see a request made with it.
    """
    allowed = []
    for method in _METHODS:
        scope = {
            "type": "http",
            "method": method,
            "path": request.scope["path"],
            "root_path": request.scope.get("root_path", ""),
            "headers": [],
        }
        if any(route.matches(scope)[0] == Match.FULL for route in request.app.router.routes):
            allowed.append(method)
    return allowed


async def _unexpected_error(request: Request, exc: Exception) -> JSONResponse:
    # Logged with the request ID so an operator can find it; the caller gets no trace.
    logger.exception("unhandled error (request_id=%s)", request_id_of(request))
    return error_response(request, "Internal server error", "internal_error", status=500)


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(SoundsealError, _domain_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(Exception, _unexpected_error)
