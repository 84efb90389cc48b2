"""Who is at the other end: the client address that per-IP limits and log-in throttles use.

`X-Forwarded-For` is only believed when the direct peer is a proxy the operator listed in
`SOUNDSEAL_TRUSTED_PROXIES`, and then read from the right: each trusted proxy appends the
address it received the request from, so the right-most address that is not itself a
trusted proxy is the first one no trusted party vouches for beyond. Everything left of it
was written by the client and could be anything. Nothing is trusted by default.

Per-IP limits count an IPv6 client by its /64 (`limit_key`): that is the smallest network
handed to one host or customer, and any address in it is that host's to pick, so counting
single addresses would give every client 2^64 budgets.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Sequence

__all__ = ["Network", "client_address", "limit_key", "parse_trusted_proxies"]

Network = ipaddress.IPv4Network | ipaddress.IPv6Network

# A header longer than any real chain of proxies is not worth parsing past its tail.
_MAX_HOPS = 32
# The network one IPv6 host can use every address of (RFC 4291's interface identifiers).
_IPV6_HOST_PREFIX = 64


def parse_trusted_proxies(raw: str) -> tuple[Network, ...]:
    """`"10.0.0.0/8, 127.0.0.1"` → networks; a bare address is a single-host network.

    Raises ValueError naming the entry that is not an address or CIDR."""
    networks: list[Network] = []
    for entry in raw.split(","):
        item = entry.strip()
        if not item:
            continue
        try:
            networks.append(ipaddress.ip_network(item, strict=False))
        except ValueError:
            raise ValueError(
                f"{item!r} is not an IP address or CIDR range (e.g. 10.0.0.0/8, 127.0.0.1)"
            ) from None
    return tuple(networks)


def _address(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    value = text.strip()
    # `[2001:db8::1]:443` and `203.0.113.9:51234` are sent by some proxies.
    if value.startswith("["):
        value = value[1:].partition("]")[0]
    elif value.count(":") == 1:
        value = value.partition(":")[0]
    try:
        address = ipaddress.ip_address(value)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def _trusted(
    address: ipaddress.IPv4Address | ipaddress.IPv6Address, proxies: Iterable[Network]
) -> bool:
    return any(address.version == net.version and address in net for net in proxies)


def client_address(
    peer: str | None, forwarded_for: Sequence[str], proxies: Sequence[Network]
) -> str:
    """The client's address: the peer's, unless the peer is a trusted proxy, in which case
    the right-most `X-Forwarded-For` entry that is not a trusted proxy.

    `forwarded_for` holds every `X-Forwarded-For` header value in arrival order. Never
    raises: an unreadable entry ends the walk there and the last address vouched for is
    the answer (the peer's own when nothing else is)."""
    fallback = peer or "unknown"
    if not proxies or peer is None:
        return fallback
    current = _address(peer)
    if current is None or not _trusted(current, proxies):
        return fallback
    hops = [hop for value in forwarded_for for hop in value.split(",")][-_MAX_HOPS:]
    for hop in reversed(hops):
        address = _address(hop)
        if address is None:
            # Garbage where an address should be: a trusted proxy would not write it, so
            # the last trusted hop is as far as anyone vouches.
            return str(current)
        current = address
        if not _trusted(address, proxies):
            return str(address)
    return str(current)


def limit_key(address: str) -> str:
    """What per-IP limits and throttles count `address` (a `client_address`) under: an IPv4
    address itself, an IPv6 one's /64; anything else (a test client's name) as it is."""
    found = _address(address)
    if found is None:
        return address
    if isinstance(found, ipaddress.IPv6Address):
        return str(ipaddress.IPv6Network((found, _IPV6_HOST_PREFIX), strict=False))
    return str(found)
