"""Which webhook URLs and addresses may be called (server-side request forgery rules).

A webhook makes the registry send requests wherever its owner says, so the destination must
be a public address: never loopback, private, link-local (which includes the cloud metadata
service at 169.254.169.254), carrier-grade NAT, multicast, reserved or unspecified. URLs are
checked when an endpoint is saved, and the address actually connected to is checked again at
every delivery (`soundseal.worker.transport`), because DNS can answer differently later.

`allow_private` (the `webhook_allow_private` setting) lifts both the address rule and the
https requirement, for development and tests against receivers on the same machine.
"""

from __future__ import annotations

import ipaddress
import re
import socket
from urllib.parse import urlsplit

from soundseal.errors import InvalidInput

__all__ = ["address_allowed", "check_url", "embedded_ipv4", "resolve"]

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

# Provider metadata services that are not link-local (Alibaba Cloud sits in CGNAT space and
# AWS's IPv6 one in unique-local space: both are refused anyway, listed for the reader).
_METADATA = {ipaddress.ip_address("100.100.100.200"), ipaddress.ip_address("fd00:ec2::254")}
# IPv6 ranges whose last 32 bits are an IPv4 address that a translator or the host itself
# reaches: NAT64's well-known prefix, and the deprecated IPv4-compatible addresses.
_LAST_32_BITS = (ipaddress.ip_network("64:ff9b::/96"), ipaddress.ip_network("::/96"))
_NAT64 = ipaddress.ip_network("64:ff9b::/96")
# Refused whatever they embed: NAT64 for local use (RFC 8215) translates into the operator's
# own networks, and site-local addresses (deprecated, RFC 3879) are private by intent even
# though Python's `is_private` no longer lists them.
_NEVER = (ipaddress.ip_network("64:ff9b:1::/48"), ipaddress.ip_network("fec0::/10"))


def embedded_ipv4(address: ipaddress.IPv6Address) -> list[ipaddress.IPv4Address]:
    """The IPv4 addresses a packet sent to `address` may be delivered to: IPv4-mapped,
    6to4 (bits 16-48), Teredo (its server, and its client with the bits inverted, which
    `ipaddress` undoes), NAT64 and IPv4-compatible (the last 32 bits)."""
    found = [v4 for v4 in (address.ipv4_mapped, address.sixtofour) if v4 is not None]
    if address.teredo is not None:
        found.extend(address.teredo)
    if any(address in network for network in _LAST_32_BITS):
        found.append(ipaddress.IPv4Address(int(address) & 0xFFFFFFFF))
    return found


def address_allowed(address: IPAddress) -> bool:
    """Whether `address` is an ordinary public unicast address, and so is every IPv4 address
    it embeds (the one `worker.transport` checks again at every connection)."""
    if isinstance(address, ipaddress.IPv6Address):
        if any(address in network for network in _NEVER):
            return False
        embedded = embedded_ipv4(address)
        if not all(address_allowed(v4) for v4 in embedded):
            return False
        # An IPv4 address dressed as IPv6 reaches the IPv4 host: that one was judged.
        if address.ipv4_mapped is not None or address in _NAT64:
            return True
    return not (
        address in _METADATA
        or address.is_loopback
        or address.is_private
        or address.is_link_local
        or address.is_multicast
        or address.is_reserved
        or address.is_unspecified
        or not address.is_global
    )


def resolve(host: str, port: int) -> list[IPAddress]:
    """Every address `host` resolves to now (an IP literal resolves to itself)."""
    try:
        return [ipaddress.ip_address(host.strip("[]"))]
    except ValueError:
        pass
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return [ipaddress.ip_address(info[4][0]) for info in infos]


_LABEL = re.compile(r"^(?!-)[A-Za-z0-9-]{1,63}(?<!-)$")


def _valid_host(host: str) -> bool:
    """An IP address, or a DNS name whose labels (after IDNA encoding) are well formed."""
    try:
        ipaddress.ip_address(host)
        return True
    except ValueError:
        pass
    try:
        ascii_host = host.encode("idna").decode()
    except UnicodeError:
        return False
    labels = ascii_host.rstrip(".").split(".")
    return len(ascii_host) <= 253 and all(_LABEL.match(label) for label in labels)


def check_url(url: str, *, allow_private: bool, field: str = "url") -> str:
    """The URL if it may be a webhook endpoint, else `InvalidInput` naming `field`.

    A host name that does not resolve now is accepted (it may be set up later); it cannot
    be called until it resolves to a public address, which every delivery checks.
    """
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise InvalidInput(f"Invalid URL: {exc}", field=field) from None
    if any(c.isspace() or not c.isprintable() for c in url):
        raise InvalidInput(
            "The webhook URL must not contain spaces or control characters", field=field
        )
    schemes = ("https", "http") if allow_private else ("https",)
    if parts.scheme not in schemes or not parts.hostname:
        raise InvalidInput("The webhook URL must be an absolute https:// URL", field=field)
    if parts.username or parts.password:
        raise InvalidInput("The webhook URL must not carry credentials", field=field)
    if not _valid_host(parts.hostname):
        raise InvalidInput(f"Invalid host name {parts.hostname!r}", field=field)
    if allow_private:
        return url
    default_port = 443 if parts.scheme == "https" else 80
    try:
        addresses = resolve(parts.hostname, port or default_port)
    except (OSError, UnicodeError):
        return url
    if not all(address_allowed(a) for a in addresses):
        raise InvalidInput(
            "The webhook URL must reach a public address (not loopback, private, link-local, "
            "shared, multicast or reserved)",
            field=field,
        )
    return url
