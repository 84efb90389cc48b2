"""Mounting the web pages on the app."""

from __future__ import annotations

from fastapi import FastAPI

from soundseal.http.routing import add_routes
from soundseal.settings import Settings
from soundseal.web.rendering import install_html_errors
from soundseal.web.routes import (
    account,
    billing,
    claim_form,
    contributors,
    dashboard,
    dashboard_claims,
    embed,
    public,
    webhooks,
)
from soundseal.web.security import SecurityHeadersMiddleware

__all__ = ["install_web"]

ROUTERS = (
    public.router,
    embed.router,
    account.router,
    dashboard.router,
    billing.router,
    dashboard_claims.router,
    claim_form.router,
    contributors.router,
    webhooks.router,
)


def install_web(app: FastAPI, settings: Settings) -> None:
    """Add the pages, their error pages and the security headers to the app."""
    for router in ROUTERS:
        add_routes(app, router)
    install_html_errors(app)
    # Added last, so it runs first and sees every response, errors included.
    app.add_middleware(
        SecurityHeadersMiddleware,
        https=settings.public_url.startswith("https://"),
        docs_path=app.docs_url,
    )
