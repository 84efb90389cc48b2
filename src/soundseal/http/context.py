"""What a request handler reaches through `request.app.state`: built once at start-up."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TypeVar

from fastapi import Request
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from soundseal.client_address import client_address, limit_key
from soundseal.db import Database
from soundseal.db.fastread import FastReader
from soundseal.http.quota import MonthlyQuota
from soundseal.http.ratelimit import RateLimiter
from soundseal.payments.catalogue import Catalogue
from soundseal.payments.checkout import StripeCheckout
from soundseal.registry.acoustic.index import AcousticIndex
from soundseal.registry.log.notary import Notary
from soundseal.settings import Settings

__all__ = ["AppContext", "client_ip", "get_context", "lookup", "read", "transaction"]

T = TypeVar("T")


@dataclass
class AppContext:
    settings: Settings
    database: Database
    limiter: RateLimiter
    acoustic: AcousticIndex
    quota: MonthlyQuota
    catalogue: Catalogue
    # None when Stripe is not configured: billing endpoints answer `billing_disabled`.
    checkout: StripeCheckout | None
    # The registry's signing key, loaded and published at start-up: it signs every change's
    # statement (the transparency log's leaves) and the logs' checkpoints.
    notary: Notary


def get_context(request: Request) -> AppContext:
    context: AppContext = request.app.state.context
    return context


@contextlib.contextmanager
def transaction(request: Request, *, write: bool) -> Iterator[Session]:
    """The request's one unit of work: committed before the response is built."""
    with get_context(request).database.transaction(write=write) as session:
        yield session


async def read(request: Request, fn: Callable[[Session], T]) -> T:
    """Run a read-only unit of work for an async handler.

    On SQLite a read is a call into a local, cached file that takes tens of microseconds,
    less than handing it to a worker thread and back, so it runs inline. On a networked
    database it waits on a round trip and goes to the thread pool.
    """
    database = get_context(request).database

    def unit() -> T:
        with database.transaction(write=False) as session:
            return fn(session)

    if database.is_sqlite:
        return unit()
    return await run_in_threadpool(unit)


async def lookup(request: Request, fn: Callable[[FastReader], T]) -> T:
    """Like `read`, for single-row lookups by prebuilt statements (`soundseal.db.fastread`)."""
    database = get_context(request).database
    if database.is_sqlite:
        return fn(database.fast)
    return await run_in_threadpool(fn, database.fast)


def client_ip(request: Request) -> str:
    """The client's address, for every per-IP limit: the one place it is worked out (the
    server runs uvicorn with `proxy_headers=False`, so `request.client` is the peer). An
    IPv6 client is counted by its /64, whose every address it may use (`limit_key`)."""
    cached = getattr(request.state, "client_ip", None)
    if isinstance(cached, str):
        return cached
    peer = request.client.host if request.client else None
    proxies = get_context(request).settings.trusted_proxy_networks
    address = client_address(peer, request.headers.getlist("x-forwarded-for"), proxies)
    request.state.client_ip = key = limit_key(address)
    return key
