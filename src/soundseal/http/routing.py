"""Adding a feature's routes to an application without rebuilding them.

A route is built once, when its module is imported: `@router.get(…)` makes a complete
`APIRoute` (its parameters, body and response models resolved). FastAPI's
`include_router` does not hand those routes to the application: it records the router and,
on the application's first request, rebuilds every route of it for that application (about
75 ms for soundseal's routes, and more under a tracer). Every server process pays that on
its first request, and the test suite, which builds an application per test, paid it about
1,500 times. An application here takes the routes as they were built; nothing about them
depends on the application (no router adds a prefix, tags or dependencies at inclusion,
and soundseal overrides no dependencies).
"""

from __future__ import annotations

from fastapi import APIRouter, FastAPI

__all__ = ["add_routes"]


def add_routes(app: FastAPI, router: APIRouter) -> None:
    """Append `router`'s routes, as built, to the application's own."""
    app.router.routes.extend(router.routes)
