"""The API's part of the application: `/api/v1`, mounted by `soundseal.app.create_app`."""

from __future__ import annotations

import logging

from fastapi import APIRouter, FastAPI

from soundseal.api.idempotency import IdempotencyMiddleware
from soundseal.api.openapi import describe
from soundseal.api.routes import (
    acoustic,
    billing,
    certificates,
    changes,
    claims,
    contributors,
    credits,
    deep_verify,
    log,
    public_status,
    signed,
    status,
    verify,
    webhooks,
)
from soundseal.http.routing import add_routes
from soundseal.settings import Settings

__all__ = ["DESCRIPTION", "install_api"]

# The polled operations come first: they are most of the traffic, and the router tries
# routes in order. The change feed's fixed path must be matched before
# `/certificates/{id_or_number}`.
ROUTERS: tuple[APIRouter, ...] = (
    status.router,
    verify.polled_router,
    changes.router,
    certificates.router,
    deep_verify.router,
    verify.router,
    acoustic.router,
    credits.router,
    billing.router,
    claims.router,
    contributors.router,
    webhooks.router,
    public_status.router,
    log.router,
    signed.router,
)

logger = logging.getLogger("soundseal")

DESCRIPTION = """\
soundseal is a provenance registry for recorded music.

**Authentication.** Send an API key as `Authorization: Bearer <key>` or `X-API-Key: <key>`.
Publishable keys (`ss_pk_…`) are read-only and browser-safe; secret keys (`ss_sk_…`) carry
scopes. Test-mode keys (`…_test_…`) see only test-mode data. Each operation names the scope
it needs; a key without it gets 403 `forbidden` with `required_scope`.

**Errors** are `{"error", "code", "request_id"}`. **Every response** carries `X-Request-Id`.
**Idempotency**: send `Idempotency-Key` on POST/PUT/PATCH/DELETE to make retries safe for 24 h.
A replay passes the operation's own key checks first; fields listed in an operation's
`x-secret-fields` are replayed as null and named in `Idempotency-Redacted`.
**Rate limits** per key per minute; see the `X-RateLimit-*` headers and `Retry-After`.
"""


def install_api(app: FastAPI, settings: Settings) -> None:
    """Add `/api/v1` to the app: its routes, the idempotency of its writes and its OpenAPI
    document. The request context, the edge and the error handlers are the app's own
    (`soundseal.app`), shared with the pages."""
    context = app.state.context
    app.add_middleware(
        IdempotencyMiddleware,
        database=lambda: context.database,
        ttl_hours=settings.idempotency_ttl_hours,
    )
    for router in ROUTERS:
        add_routes(app, router)
    app.openapi = lambda: describe(app, ROUTERS)  # type: ignore[method-assign]
