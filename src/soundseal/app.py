"""The application factory: one ASGI app with the API (`soundseal.api`) and the pages
(`soundseal.web`) mounted side by side on the shared plumbing (`soundseal.http`).

Neither part imports the other; this module is the one place that knows both.
"""

from __future__ import annotations

import gc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from soundseal.__about__ import __version__
from soundseal.api.app import DESCRIPTION, install_api
from soundseal.db import Database, create_database, upgrade
from soundseal.http.context import AppContext
from soundseal.http.edge import EdgeMiddleware
from soundseal.http.errors import install_error_handlers
from soundseal.http.middleware import RequestContextMiddleware
from soundseal.http.quota import MonthlyQuota
from soundseal.http.ratelimit import RateLimiter
from soundseal.payments.catalogue import Catalogue
from soundseal.payments.checkout import StripeCheckout
from soundseal.registry.acoustic.index import AcousticIndex
from soundseal.registry.log.rebuild import start_notary
from soundseal.settings import Settings, load_settings
from soundseal.web.app import install_web

__all__ = ["create_app", "create_server_app"]


def create_app(settings: Settings | None = None, database: Database | None = None) -> FastAPI:
    settings = settings or load_settings()
    owns_database = database is None
    database = database or create_database(settings.effective_database_url)
    if owns_database and settings.is_embedded:
        # The embedded default migrates itself; a scaled deployment runs `soundseal db upgrade`.
        upgrade(database.engine)
    storage = settings.redis_url.get_secret_value() if settings.redis_url else "memory://"
    limiter = RateLimiter(storage)
    with database.transaction() as session:
        # The key is published, and any log behind its feed rebuilt, before a request is
        # served: every change from here on is signed and logged as it is recorded.
        notary = start_notary(session, settings)
    context = AppContext(
        settings=settings,
        database=database,
        limiter=limiter,
        acoustic=AcousticIndex(),
        quota=MonthlyQuota(limiter.storage),
        catalogue=Catalogue.from_settings(settings),
        checkout=_checkout(settings),
        notary=notary,
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
    # Middleware order matters: the last added runs first. The request ID must exist before
    # anything can fail; the edge checks the caller and applies the route's body limit before
    # the API's idempotency layer reads a body; the pages' security headers (added by
    # `install_web`, last) see every response, the edge's refusals included.
    install_api(app, settings)
    app.add_middleware(
        EdgeMiddleware,
        owner=app,
        json_limit=settings.max_json_body_bytes,
        form_limit=settings.max_form_body_bytes,
        upload_limit=settings.max_upload_bytes,
    )
    app.add_middleware(RequestContextMiddleware)
    install_web(app, settings)
    return app


def create_server_app() -> FastAPI:
    """The application as `soundseal serve` runs it: one per server process, from the
    environment's settings.

    Everything built by then (modules, routes and their models, settings, the fingerprint
    index) lives as long as the process. `gc.freeze` moves it out of the collector's
    generations, so full collections stop walking it: they showed as a periodic stall of
    about 20 % on the polled reads (`benchmarks/bench_api.py`).
    """
    app = create_app()
    gc.freeze()
    return app


def _checkout(settings: Settings) -> StripeCheckout | None:
    if settings.stripe_secret_key is None or settings.stripe_webhook_secret is None:
        return None
    return StripeCheckout(
        settings.stripe_secret_key.get_secret_value(),
        settings.stripe_webhook_secret.get_secret_value(),
        settings.stripe_api_base,
    )
