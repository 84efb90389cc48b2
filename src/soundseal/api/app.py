"""The ASGI application factory."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import APIRouter, FastAPI

from soundseal.__about__ import __version__
from soundseal.api.context import AppContext
from soundseal.api.edge import EdgeMiddleware
from soundseal.api.errors import install_error_handlers
from soundseal.api.idempotency import IdempotencyMiddleware
from soundseal.api.middleware import RequestContextMiddleware
from soundseal.api.openapi import describe
from soundseal.api.quota import MonthlyQuota
from soundseal.api.ratelimit import RateLimiter
from soundseal.api.routes import (
    acoustic,
    billing,
    certificates,
    changes,
    claims,
    contributors,
    credits,
    deep_verify,
    hot,
    verify,
    webhooks,
)
from soundseal.db import Database, create_database, upgrade
from soundseal.payments.catalogue import Catalogue
from soundseal.payments.checkout import StripeCheckout
from soundseal.registry.acoustic.index import AcousticIndex
from soundseal.settings import Settings, load_settings

__all__ = ["create_app"]

# The change feed's fixed path must be matched before `/certificates/{id_or_number}`.
ROUTERS: tuple[APIRouter, ...] = (
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


def create_app(settings: Settings | None = None, database: Database | None = None) -> FastAPI:
    settings = settings or load_settings()
    owns_database = database is None
    database = database or create_database(settings.effective_database_url)
    if owns_database and settings.is_embedded:
        # The embedded default migrates itself; a scaled deployment runs `soundseal db upgrade`.
        upgrade(database.engine)
    storage = settings.redis_url.get_secret_value() if settings.redis_url else "memory://"
    limiter = RateLimiter(storage)
    context = AppContext(
        settings=settings,
        database=database,
        limiter=limiter,
        acoustic=AcousticIndex(),
        quota=MonthlyQuota(limiter.storage),
        catalogue=Catalogue.from_settings(settings),
        checkout=_checkout(settings),
    )

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        embedded = sweeper = None
        if settings.webhook_worker == "embedded":
            from soundseal.worker.embedded import EmbeddedWorker
            from soundseal.worker.sweeper import Sweeper

            embedded = EmbeddedWorker(database, settings)
            embedded.start()
            # Background work goes with webhook delivery: with external workers, they sweep.
            sweeper = Sweeper(database, settings.purge_interval_seconds)
            sweeper.start()
        try:
            yield
        finally:
            if sweeper is not None:
                sweeper.stop()
            if embedded is not None:
                embedded.stop()
            if owns_database:
                database.dispose()

    app = FastAPI(
        title="soundseal API",
        version=__version__,
        description=DESCRIPTION,
        openapi_url="/api/v1/openapi.json",
        docs_url="/api/v1/docs",
        redoc_url=None,
        lifespan=lifespan,
    )
    app.state.context = context
    install_error_handlers(app)
    # Order matters: the last added runs first. The request ID must exist before anything
    # can fail, and idempotency sees the body only after the edge has checked the caller
    # and applied the route's body limit.
    app.add_middleware(
        IdempotencyMiddleware,
        database=lambda: context.database,
        ttl_hours=settings.idempotency_ttl_hours,
    )
    app.add_middleware(
        EdgeMiddleware,
        owner=app,
        json_limit=settings.max_json_body_bytes,
        form_limit=settings.max_form_body_bytes,
        upload_limit=settings.max_upload_bytes,
    )
    app.add_middleware(RequestContextMiddleware)
    for router in ROUTERS:
        app.include_router(router)
    # Matched first: see `soundseal.api.routes.hot`.
    app.router.routes[0:0] = hot.ROUTES
    # Imported here: the web package builds on the API's modules, which import this one.
    from soundseal.web.app import install_web

    install_web(app, settings)
    app.openapi = lambda: describe(app, ROUTERS)  # type: ignore[method-assign]
    return app


def _checkout(settings: Settings) -> StripeCheckout | None:
    if settings.stripe_secret_key is None or settings.stripe_webhook_secret is None:
        return None
    return StripeCheckout(
        settings.stripe_secret_key.get_secret_value(),
        settings.stripe_webhook_secret.get_secret_value(),
        settings.stripe_api_base,
    )
