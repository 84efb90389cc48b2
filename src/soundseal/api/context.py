"""What a request handler reaches through `request.app.state`: built once at start-up."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass

from fastapi import Request
from sqlalchemy.orm import Session

from soundseal.api.ratelimit import RateLimiter
from soundseal.db import Database
from soundseal.settings import Settings

__all__ = ["AppContext", "get_context", "transaction"]


@dataclass
class AppContext:
    settings: Settings
    database: Database
    limiter: RateLimiter


def get_context(request: Request) -> AppContext:
    context: AppContext = request.app.state.context
    return context


@contextlib.contextmanager
def transaction(request: Request, *, write: bool) -> Iterator[Session]:
    """The request's one unit of work: committed before the response is built."""
    with get_context(request).database.transaction(write=write) as session:
        yield session
