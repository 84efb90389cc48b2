"""The address check at connection time: the address actually connected to must be public."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

import httpcore
import pytest

from soundseal.worker.transport import GuardedBackend
from tests.receiver import Receiver

T = TypeVar("T")


def run(coroutine: Coroutine[Any, Any, T]) -> T:
    """Run on a loop of its own thread: other tests (the browser's) may leave one running
    in this thread."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


@pytest.mark.parametrize(
    "host",
    [
        "127.0.0.1",
        "10.0.0.1",
        "169.254.169.254",
        "::1",
        "localhost",
        "0.0.0.0",
        # IPv6 forms that deliver to a private IPv4 address, and the old site-local range.
        "2002:7f00:1::1",
        "2002:a9fe:a9fe::1",
        "64:ff9b::a00:1",
        "fec0::1",
    ],
)
def test_non_public_addresses_are_refused_before_connecting(host: str) -> None:
    backend = GuardedBackend(allow_private=False)
    with pytest.raises(httpcore.ConnectError, match="non-public"):
        run(backend.connect_tcp(host, 443, timeout=2))


def test_allow_private_reaches_a_loopback_receiver() -> None:
    async def post(url: str) -> int:
        backend = GuardedBackend(allow_private=True)
        async with httpcore.AsyncConnectionPool(network_backend=backend) as pool:
            response = await pool.request("POST", url, content=b"{}")
            return response.status

    with Receiver() as receiver:
        assert run(post(f"http://localhost:{receiver.port}/hooks")) == 200
        assert len(receiver.received) == 1


def test_unresolvable_hosts_fail_as_connection_errors() -> None:
    backend = GuardedBackend(allow_private=False)
    with pytest.raises(httpcore.ConnectError, match="cannot resolve"):
        run(backend.connect_tcp("no-such-host.invalid", 443, timeout=2))
