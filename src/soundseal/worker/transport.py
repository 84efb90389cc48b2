"""The network backend every webhook request connects through.

It resolves the host once, keeps only addresses the SSRF rules allow
(`soundseal.registry.webhooks.addresses`), and connects to one of those IP addresses
itself, so a DNS answer that changes between the check and the connection (DNS rebinding)
cannot redirect the request. httpcore still uses the URL's host name for TLS (SNI and
certificate checks) and the Host header. No redirects are followed and no proxy variables
are read: httpcore does neither.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from collections.abc import Iterable

import httpcore

from soundseal.registry.webhooks.addresses import address_allowed

__all__ = ["GuardedBackend", "new_pool"]


class GuardedBackend(httpcore.AsyncNetworkBackend):
    def __init__(self, *, allow_private: bool) -> None:
        self._inner = httpcore.AnyIOBackend()
        self._allow_private = allow_private

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        loop = asyncio.get_running_loop()
        try:
            infos = await asyncio.wait_for(
                loop.getaddrinfo(host, port, type=socket.SOCK_STREAM), timeout
            )
        except (OSError, TimeoutError) as exc:
            raise httpcore.ConnectError(f"cannot resolve {host!r}: {exc}") from exc
        addresses = list(dict.fromkeys(ipaddress.ip_address(i[4][0]) for i in infos))
        allowed = [a for a in addresses if self._allow_private or address_allowed(a)]
        if not allowed:
            raise httpcore.ConnectError(
                f"refused: {host!r} resolves only to non-public addresses "
                f"({', '.join(map(str, addresses))})"
            )
        error: Exception | None = None
        for address in allowed:
            try:
                return await self._inner.connect_tcp(
                    str(address), port, timeout, local_address, socket_options
                )
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                error = exc
        assert error is not None
        raise error

    async def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        raise httpcore.ConnectError("webhooks are never sent over Unix sockets")

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)


# httpcore asks `sniffio` which event loop runs on every request; when sniffio is missing
# (recent anyio no longer installs it) each request pays for a failed import that searches
# sys.path, which cost a third of the worker's time. It is a declared dependency for this.


def new_pool(*, allow_private: bool, max_connections: int) -> httpcore.AsyncConnectionPool:
    """One pool per worker: keep-alive connections are reused across deliveries."""
    return httpcore.AsyncConnectionPool(
        network_backend=GuardedBackend(allow_private=allow_private),
        max_connections=max_connections,
        keepalive_expiry=30.0,
        retries=0,
    )
