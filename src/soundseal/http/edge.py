"""The network edge: what a request meets before its route reads a byte of its body.

Each route declares, through the markers on its endpoint and dependencies, what it accepts:

- **Body limit.** Small by default (`max_json_body_bytes`); routes with form fields get
  `max_form_body_bytes` and only `application/x-www-form-urlencoded`; only routes marked
  `accepts_upload()` take multipart bodies up to `max_upload_bytes`. The route decides, never
  the client's Content-Type: a declared length over the limit is a 413 before anything is
  read, and a chunked body is cut off at the limit.
- **Checks before the body.** Dependencies marked `before_body` (API keys and scopes, the
  operator key, Stripe's signature header, the web forms' same-site and session-cookie
  checks) run here, before the body is read: FastAPI itself parses a route's body before
  running its dependencies, so an unauthenticated caller could otherwise make the server
  read and validate whatever it sent. FastAPI runs them again later, from the cache each
  keeps on the request.
- **No NUL in a path or query.** No database stores NUL in text: a path holding one names
  nothing (404), a query parameter holding one is a 400 naming it, for every route (JSON
  bodies are refused the same by their schemas).
- **CORS.** An operation a publishable key may call (`publishable` on its key check, derived
  from the scopes a publishable key can hold) answers preflights and sends
  `Access-Control-Allow-Origin: *`, never with credentials; every other operation sends no
  CORS header, so browsers refuse cross-origin calls to it.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any, Literal
from urllib.parse import parse_qsl

from fastapi import Depends, FastAPI, params
from fastapi.routing import APIRoute
from starlette.datastructures import Headers
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Match
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from soundseal.errors import InvalidInput, NotFound, PayloadTooLarge
from soundseal.http.headers import replace
from soundseal.http.middleware import send_error

__all__ = ["CORS_ALLOWED_HEADERS", "CORS_EXPOSED_HEADERS", "EdgeMiddleware", "accepts_upload"]

BodyKind = Literal["json", "form", "upload"]
Check = Callable[[Request], Any]

# What a browser client of the read-only endpoints sends, and what it needs to read back.
CORS_ALLOWED_HEADERS = "Authorization, X-API-Key, Content-Type"
CORS_EXPOSED_HEADERS = (
    "X-Request-Id, X-RateLimit-Limit, X-RateLimit-Remaining, X-RateLimit-Reset, Retry-After"
)
CORS_MAX_AGE = "600"

_FORM_TYPE = "application/x-www-form-urlencoded"
_NO_BODY = ("GET", "HEAD", "OPTIONS")


def accepts_upload() -> Any:
    """A route's marker: it takes an audio upload (multipart, up to `max_upload_bytes`)."""

    async def takes_upload() -> None:
        return None

    takes_upload.body = "upload"  # type: ignore[attr-defined]
    return Depends(takes_upload)


@dataclass(frozen=True)
class RoutePolicy:
    body: BodyKind
    checks: tuple[Check, ...]
    cors: bool


_DEFAULT = RoutePolicy(body="json", checks=(), cors=False)


def _dependency_calls(route: BaseRoute) -> Iterator[Any]:
    # Every sub-dependency FastAPI builds has a callable (a bare `Depends()` takes the
    # parameter's annotation), so none is skipped here.
    if isinstance(route, APIRoute):
        yield from (dependency.call for dependency in route.dependant.dependencies)


def _has_form_fields(route: BaseRoute) -> bool:
    if not isinstance(route, APIRoute):
        return False
    return any(isinstance(f.field_info, params.Form) for f in route.dependant.body_params)


def route_policy(route: BaseRoute) -> RoutePolicy:
    """What `route` accepts, read from its markers: the one place this is decided."""
    calls = list(_dependency_calls(route))
    markers = [*calls, getattr(route, "endpoint", None)]
    kinds = {getattr(m, "body", None) for m in markers}
    body: BodyKind = (
        "upload"
        if "upload" in kinds
        else "form"
        if "form" in kinds or _has_form_fields(route)
        else "json"
    )
    return RoutePolicy(
        body=body,
        checks=tuple(c for c in calls if getattr(c, "before_body", False)),
        cors=any(getattr(m, "publishable", False) for m in markers),
    )


def _find(routes: Iterable[BaseRoute], scope: Scope) -> BaseRoute | None:
    """The route that will answer: FastAPI keeps an included router as one entry that
    matches for all its routes, so look inside it for the route itself."""
    for route in routes:
        found, _ = route.matches(scope)
        if found is not Match.FULL:
            continue
        # The router hands the request to the first full match, included router or not.
        included = getattr(route, "original_router", None)
        return route if included is None else _find(included.routes, scope)
    return None


async def _no_body() -> Message:
    raise RuntimeError("the body is not read before the route's checks have passed")


class EdgeMiddleware:
    def __init__(
        self,
        app: ASGIApp,
        *,
        owner: FastAPI,
        json_limit: int,
        form_limit: int,
        upload_limit: int,
    ) -> None:
        self.app = app
        self.owner = owner
        self.json_limit = json_limit
        self.form_limit = form_limit
        self.upload_limit = upload_limit
        # Keyed by the id of the route (or endpoint): they are created once and live as long
        # as the app.
        self._policies: dict[int, RoutePolicy] = {}

    def policy(self, route: BaseRoute | None) -> RoutePolicy:
        if route is None:
            return _DEFAULT
        policy = self._policies.get(id(route))
        if policy is None:
            policy = self._policies[id(route)] = route_policy(route)
        return policy

    def _answered_by(self, scope: Scope) -> RoutePolicy:
        """The policy of the route the router picked: FastAPI records its routes as
        `route`, Starlette's plain routes only their `endpoint`."""
        route = scope.get("route")
        if route is not None:
            return self.policy(route)
        endpoint = scope.get("endpoint")
        if endpoint is None:
            return _DEFAULT
        policy = self._policies.get(id(endpoint))
        if policy is None:
            cors = bool(getattr(endpoint, "publishable", False))
            policy = self._policies[id(endpoint)] = RoutePolicy("json", (), cors)
        return policy

    def match(self, scope: Scope) -> BaseRoute | None:
        return _find(self.owner.router.routes, scope)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        method = scope["method"]
        headers = Headers(scope=scope)
        if "\x00" in scope["path"]:
            # No ID or page has one, and no database could look it up.
            await self._refuse(scope, send, NotFound("No resource has a NUL in its path"))
            return
        nul = _nul_parameter(scope.get("query_string", b""))
        if nul is not None:
            refused = InvalidInput(
                f"Invalid field '{nul}': text may not contain NUL (%00) characters", field=nul
            )
            await self._refuse(scope, send, refused)
            return
        if method == "OPTIONS" and "access-control-request-method" in headers:
            await self._preflight(scope, receive, send, headers)
            return
        if method in _NO_BODY:
            # The router records the route it picked in the scope: read it as the answer
            # starts, so reads cost no second route match.
            await self.app(scope, receive, _cors(send, lambda: self._answered_by(scope)))
            return
        policy = self.policy(self.match(scope))
        send = _cors(send, lambda: policy)
        content_type = headers.get("content-type", "")
        if policy.body == "upload" and content_type.startswith("multipart/form-data"):
            limit, what = self.upload_limit, "Upload"
        elif policy.body == "form":
            limit, what = self.form_limit, "Form body"
        else:
            limit, what = self.json_limit, "Request body"
        too_large = PayloadTooLarge(
            f"{what} larger than the limit of {limit} bytes", limit_bytes=limit
        )
        declared = headers.get("content-length", "")
        if declared.isdigit() and int(declared) > limit:
            await send_error(scope, receive, send, too_large)
            return
        if policy.body == "form" and content_type.split(";")[0].strip() not in ("", _FORM_TYPE):
            refused = InvalidInput(
                f"This form takes {_FORM_TYPE}, not {content_type.split(';')[0].strip()}",
                field="Content-Type",
            )
            await self._refuse(scope, send, refused)
            return
        for check in policy.checks:
            try:
                result = check(Request(scope, _no_body))
                if inspect.isawaitable(result):
                    await result
            except Exception as exc:
                if not await self._refuse(scope, send, exc):
                    raise
                return
        await self._forward(scope, receive, send, limit, too_large)

    async def _forward(
        self, scope: Scope, receive: Receive, send: Send, limit: int, too_large: PayloadTooLarge
    ) -> None:
        received = 0

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise too_large
            return message

        try:
            await self.app(scope, limited_receive, send)
        except PayloadTooLarge as exc:
            # Raised where no exception handler sits: the idempotency middleware reads the
            # whole body before anything answers. (Inside the app, the exception handlers
            # answer it, or turn it into another error once an answer has started.)
            await send_error(scope, receive, send, exc)

    async def _refuse(self, scope: Scope, send: Send, exc: Exception) -> bool:
        """Answer as the app's own exception handlers would (JSON for the API, an HTML
        page or a log-in redirect for the web pages); False if none handles `exc`."""
        for kind in type(exc).__mro__:
            handler = self.owner.exception_handlers.get(kind)
            if handler is not None and kind is not Exception:
                response = handler(Request(scope, _no_body), exc)
                if inspect.isawaitable(response):
                    response = await response
                assert isinstance(response, Response)
                await response(scope, _no_body, send)
                return True
        return False

    async def _preflight(
        self, scope: Scope, receive: Receive, send: Send, headers: Headers
    ) -> None:
        requested = headers["access-control-request-method"].upper()
        route = self.match({**scope, "method": requested})
        if not self.policy(route).cors:
            # Not for browsers on other origins: the app's own answer, without CORS headers.
            await self.app(scope, receive, send)
            return
        response = Response(
            status_code=204,
            headers={
                "Access-Control-Allow-Origin": "*",
                "Access-Control-Allow-Methods": requested,
                "Access-Control-Allow-Headers": CORS_ALLOWED_HEADERS,
                "Access-Control-Max-Age": CORS_MAX_AGE,
            },
        )
        await response(scope, receive, send)


def _nul_parameter(query: bytes) -> str | None:
    """The name of the first query parameter holding a NUL (no database stores one in text:
    PostgreSQL's driver raises, SQLite cuts the string), or None."""
    if b"%00" not in query:
        return None
    # Every "%00" decodes to a NUL in the name or the value of some parameter.
    pairs = parse_qsl(query.decode("latin-1"), keep_blank_values=True)
    name = next((name for name, value in pairs if "\x00" in name or "\x00" in value), "")
    return name.replace("\x00", "")[:64] or "query"


def _cors(send: Send, policy: Callable[[], RoutePolicy]) -> Send:
    async def send_with_cors(message: Message) -> None:
        if message["type"] == "http.response.start" and policy().cors:
            replace(
                message,
                {
                    "Access-Control-Allow-Origin": "*",
                    "Access-Control-Expose-Headers": CORS_EXPOSED_HEADERS,
                },
            )
        await send(message)

    return send_with_cors
