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

from soundseal.errors import ErrorCode, SoundsealError

__all__ = ["domain_error_parts", "error_body", "error_response", "install_error_handlers"]

logger = logging.getLogger("soundseal.api")

# Starlette raises `HTTPException` with only a status (unknown route, wrong method, a body
# it refused); these are the codes such answers carry. Any other status reads `bad_request`,
# and 5xx `internal_error`. Each code's own status is in `ErrorCode`.
_CODE_BY_STATUS: dict[int, ErrorCode] = {
    400: ErrorCode.BAD_REQUEST,
    401: ErrorCode.UNAUTHORIZED,
    402: ErrorCode.PAYMENT_REQUIRED,
    403: ErrorCode.FORBIDDEN,
    404: ErrorCode.NOT_FOUND,
    405: ErrorCode.METHOD_NOT_ALLOWED,
    409: ErrorCode.DUPLICATE,
    413: ErrorCode.PAYLOAD_TOO_LARGE,
    415: ErrorCode.UNSUPPORTED_MEDIA_TYPE,
    429: ErrorCode.RATE_LIMITED,
}


_METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE")


def request_id_of(request: Request) -> str:
    return str(getattr(request.state, "request_id", "") or "")


def error_body(message: str, code: ErrorCode, request_id: str, **extra: Any) -> dict[str, Any]:
    """The one error body. Extras never replace the three fields every error has."""
    body: dict[str, Any] = {"error": message, "code": str(code), "request_id": request_id}
    for key, value in extra.items():
        body.setdefault(key, value)
    return body


def error_response(
    request: Request,
    message: str,
    code: ErrorCode,
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
        status_code=status or code.status,
        headers=all_headers,
    )


def domain_error_parts(exc: SoundsealError) -> tuple[str, ErrorCode, dict[str, Any]]:
    """The message, code and extra fields a domain error is answered with.

    A code is an `ErrorCode` by type; one that is not (set past the type checker) has no
    status to answer with, so it is logged and answered as the 500 it is, never guessed.
    """
    if isinstance(exc.code, ErrorCode):
        return exc.message, exc.code, dict(exc.extra)
    logger.error("unregistered error code %r from %s", exc.code, type(exc).__name__)
    return "Internal server error", ErrorCode.INTERNAL_ERROR, {}


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
    message, code, extra = domain_error_parts(exc)
    if code is ErrorCode.PAYMENT_REQUIRED:
        # The domain knows the balance; where to buy more is this deployment's business.
        settings = request.app.state.context.settings
        extra.setdefault("purchase_url", settings.effective_purchase_url)
        extra.setdefault("docs", f"{settings.public_url}/api/v1/docs")
    return error_response(request, message, code, **extra)


async def _validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    message, field = _validation_message(exc)
    return error_response(request, message, ErrorCode.BAD_REQUEST, field=field)


async def _http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    if isinstance(exc.__cause__, SoundsealError):
        # FastAPI wraps whatever fails while it reads the body (here: the size limit).
        return await _domain_error(request, exc.__cause__)
    code = _CODE_BY_STATUS.get(exc.status_code, ErrorCode.BAD_REQUEST)
    if exc.status_code == 404:
        message = f"No route {request.method} {request.url.path}"
    elif exc.status_code == 405:
        message = f"Method {request.method} is not allowed on {request.url.path}"
    else:
        message = str(exc.detail)
    if exc.status_code >= 500:
        code, message = ErrorCode.INTERNAL_ERROR, "Internal server error"
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
    return error_response(request, "Internal server error", ErrorCode.INTERNAL_ERROR, status=500)


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(SoundsealError, _domain_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(Exception, _unexpected_error)
