"""Pure ASGI middleware: request IDs and per-response headers (body limits, checks before
the body and CORS are `soundseal.http.edge`).

Pure ASGI rather than Starlette's BaseHTTPMiddleware: it costs a fraction as much per
request, and the status endpoint is a hot path.
"""

from __future__ import annotations

import time
from typing import Any

from starlette.datastructures import Headers
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from soundseal.errors import SoundsealError
from soundseal.http.errors import domain_error_parts, error_body
from soundseal.http.headers import replace
from soundseal.ids import REQUEST_ID_RE, new_request_id

__all__ = ["RequestContextMiddleware", "send_error"]


async def send_error(scope: Scope, receive: Receive, send: Send, exc: SoundsealError) -> None:
    """Answer from middleware, which sits outside FastAPI's exception handlers."""
    request_id = str(scope.get("state", {}).get("request_id", ""))
    message, code, extra = domain_error_parts(exc)
    response = JSONResponse(error_body(message, code, request_id, **extra), status_code=code.status)
    await response(scope, receive, send)


class RequestContextMiddleware:
    """Gives every request an ID and adds `X-Request-Id` (and rate-limit headers) to its
    response, whatever produced the response, with the time the server spent on it as
    `Server-Timing: app;dur=<ms>` (what benchmarks and browsers' dev tools read)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        incoming = Headers(scope=scope).get("x-request-id", "")
        request_id = incoming if REQUEST_ID_RE.match(incoming) else new_request_id()
        state: dict[str, Any] = scope.setdefault("state", {})
        state["request_id"] = request_id
        started = time.perf_counter()

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                elapsed_ms = (time.perf_counter() - started) * 1000
                added = {
                    "X-Request-Id": request_id,
                    "Server-Timing": f"app;dur={elapsed_ms:.2f}",
                    **state.get("response_headers", {}),
                }
                replace(message, added)
            await send(message)

        await self.app(scope, receive, send_with_headers)
