"""The webhook address guard against IPv6 forms that carry an IPv4 address: whatever the
wrapping, a private, loopback or link-local IPv4 inside is refused."""

from __future__ import annotations

import ipaddress

import pytest
from hypothesis import given
from hypothesis import strategies as st

from soundseal.registry.webhooks.addresses import address_allowed, embedded_ipv4

_PRIVATE_V4 = [
    ipaddress.ip_network(n)
    for n in (
        "0.0.0.0/8",
        "10.0.0.0/8",
        "100.64.0.0/10",
        "127.0.0.0/8",
        "169.254.0.0/16",
        "172.16.0.0/12",
        "192.168.0.0/16",
        "224.0.0.0/4",
        "240.0.0.0/4",
    )
]


@st.composite
def private_ipv4(draw: st.DrawFn) -> ipaddress.IPv4Address:
    network = draw(st.sampled_from(_PRIVATE_V4))
    offset = draw(st.integers(0, network.num_addresses - 1))
    return ipaddress.IPv4Address(int(network.network_address) + offset)


def _v6(value: int) -> ipaddress.IPv6Address:
    return ipaddress.IPv6Address(value)


def wrappings(v4: ipaddress.IPv4Address, low: int) -> dict[str, ipaddress.IPv6Address]:
    """`v4` inside every IPv6 form that delivers to it; `low` fills the free bits."""
    n = int(v4)
    return {
        "ipv4-mapped": _v6(0xFFFF << 32 | n),
        "ipv4-compatible": _v6(n),
        "6to4": _v6(0x2002 << 112 | n << 80 | low & (2**80 - 1)),
        # Teredo: server at bits 32-64, the client inverted in the last 32 bits.
        "teredo": _v6(0x20010000 << 96 | (low & 0xFFFFFFFF) << 64 | n ^ 0xFFFFFFFF),
        "nat64": _v6(int(ipaddress.IPv6Address("64:ff9b::")) | n),
        "nat64-local": _v6(int(ipaddress.IPv6Address("64:ff9b:1::")) | n),
    }


@given(private_ipv4(), st.integers(0, 2**80 - 1))
def test_every_wrapping_of_a_private_ipv4_is_refused(v4: ipaddress.IPv4Address, low: int) -> None:
    assert address_allowed(v4) is False
    for form, address in wrappings(v4, low).items():
        assert address_allowed(address) is False, (form, address, v4)


@given(st.ip_addresses())
def test_any_address_is_judged_without_an_exception(
    address: ipaddress.IPv4Address | ipaddress.IPv6Address,
) -> None:
    allowed = address_allowed(address)
    assert isinstance(allowed, bool)
    if isinstance(address, ipaddress.IPv6Address) and allowed:
        assert all(address_allowed(v4) for v4 in embedded_ipv4(address))


@given(st.integers(0, 2**118 - 1))
def test_the_old_site_local_range_is_refused(low: int) -> None:
    assert address_allowed(_v6(0xFEC0 << 112 | low)) is False


@pytest.mark.parametrize(
    ("address", "allowed"),
    [
        ("fec0::1", False),
        ("feff:ffff::1", False),
        ("2002:7f00:1::1", False),  # 6to4 of 127.0.0.1
        ("2002:c0a8:101::1", False),  # 6to4 of 192.168.1.1
        ("2002:a9fe:a9fe::1", False),  # 6to4 of the metadata service
        ("2002:808:808::1", True),  # 6to4 of a public address
        ("2001:0:4136:e378:8000:63bf:f57f:fffe", False),  # Teredo, client 10.128.0.1
        ("::127.0.0.1", False),
        ("::10.0.0.1", False),
        ("64:ff9b::7f00:1", False),
        ("64:ff9b::808:808", True),
        ("64:ff9b:1::808:808", False),  # local-use NAT64: the operator's own networks
        ("::ffff:169.254.169.254", False),
        ("2606:4700:4700::1111", True),
    ],
)
def test_embedded_address_examples(address: str, allowed: bool) -> None:
    assert address_allowed(ipaddress.ip_address(address)) is allowed


def test_embedded_ipv4_unwraps_each_form() -> None:
    v4 = ipaddress.IPv4Address("192.168.1.1")
    for form, address in wrappings(v4, 0).items():
        if form != "nat64-local":
            assert v4 in embedded_ipv4(address), form
