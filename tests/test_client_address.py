"""The client address behind proxies: the right-most untrusted X-Forwarded-For hop, read
only from a trusted peer; and the settings that configure it."""

from __future__ import annotations

import ipaddress

import pytest
from hypothesis import given
from hypothesis import strategies as st

from soundseal.client_address import client_address, limit_key, parse_trusted_proxies
from soundseal.settings import load_settings

PROXIES = parse_trusted_proxies("10.0.0.0/8, 127.0.0.1, fd00::/8")


@pytest.mark.parametrize(
    ("peer", "forwarded", "expected"),
    [
        # An untrusted peer's header is ignored too.
        ("198.51.100.4", ["6.6.6.6"], "198.51.100.4"),
        # The right-most untrusted hop; the client's own (left) entries do not count.
        ("127.0.0.1", ["6.6.6.6, 203.0.113.7"], "203.0.113.7"),
        ("127.0.0.1", ["6.6.6.6, 203.0.113.7, 10.1.2.3"], "203.0.113.7"),
        ("127.0.0.1", ["6.6.6.6", "203.0.113.7, 10.1.2.3"], "203.0.113.7"),
        # Garbage where an address should be: the last trusted hop.
        ("127.0.0.1", ["6.6.6.6, nonsense, 10.1.2.3"], "10.1.2.3"),
        ("127.0.0.1", ["nonsense"], "127.0.0.1"),
        ("127.0.0.1", [], "127.0.0.1"),
        # Ports, brackets and IPv4-mapped IPv6 as some proxies write them.
        ("127.0.0.1", ["203.0.113.7:5123"], "203.0.113.7"),
        ("127.0.0.1", ["[2001:db8::1]:443"], "2001:db8::1"),
        ("::ffff:127.0.0.1", ["2001:db8::2"], "2001:db8::2"),
        ("fd00::5", ["2001:db8::3, fd00::9"], "2001:db8::3"),
        # Every hop trusted: the furthest one.
        ("127.0.0.1", ["10.0.0.2, 10.0.0.3"], "10.0.0.2"),
        (None, ["6.6.6.6"], "unknown"),
    ],
)
def test_the_client_is_the_right_most_untrusted_hop(
    peer: str | None, forwarded: list[str], expected: str
) -> None:
    assert client_address(peer, forwarded, PROXIES) == expected


def test_nothing_is_trusted_by_default() -> None:
    assert client_address("127.0.0.1", ["6.6.6.6"], ()) == "127.0.0.1"


@given(peer=st.text(max_size=50), forwarded=st.lists(st.text(max_size=200), max_size=4))
def test_any_header_gives_an_address_or_the_peer(peer: str, forwarded: list[str]) -> None:
    found = client_address(peer, forwarded, PROXIES)
    if found not in (peer, "unknown"):
        ipaddress.ip_address(found)  # only ever an address read from the header


@given(
    hops=st.lists(st.ip_addresses().map(str), min_size=1, max_size=6),
    spoofed=st.lists(st.text(max_size=30), max_size=3),
)
def test_entries_left_of_the_client_never_matter(hops: list[str], spoofed: list[str]) -> None:
    header = ", ".join(hops)
    honest = client_address("127.0.0.1", [header], PROXIES)
    forged = client_address("127.0.0.1", [", ".join([*spoofed, header])], PROXIES)
    if any(not _trusted(h) for h in hops):
        assert forged == honest


def _trusted(hop: str) -> bool:
    address = ipaddress.ip_address(hop)
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return any(address.version == n.version and address in n for n in PROXIES)


@given(st.text(max_size=100))
def test_any_proxy_list_parses_or_names_the_bad_entry(raw: str) -> None:
    try:
        networks = parse_trusted_proxies(raw)
    except ValueError as exc:
        refused = str(exc)
        assert_names_entry = "is not an IP address or CIDR range" in refused
        assert assert_names_entry, refused
        return
    assert len(networks) <= raw.count(",") + 1


def test_the_setting_is_checked_at_start_up(monkeypatch: pytest.MonkeyPatch) -> None:
    assert load_settings().trusted_proxy_networks == ()
    settings = load_settings(trusted_proxies="10.0.0.0/8,127.0.0.1")
    assert [str(n) for n in settings.trusted_proxy_networks] == ["10.0.0.0/8", "127.0.0.1/32"]
    with pytest.raises(ValueError, match=r"'10\.0\.0\.0/33' is not an IP address or CIDR"):
        load_settings(trusted_proxies="10.0.0.0/33")
    monkeypatch.setenv("SOUNDSEAL_TRUST_PROXY_HEADERS", "true")
    with pytest.raises(ValueError, match="SOUNDSEAL_TRUSTED_PROXIES"):
        load_settings()


@pytest.mark.parametrize(
    ("address", "key"),
    [
        ("203.0.113.7", "203.0.113.7"),
        ("2001:db8:1:2::1", "2001:db8:1:2::/64"),
        ("2001:db8:1:2:ffff:ffff:ffff:ffff", "2001:db8:1:2::/64"),
        ("::ffff:203.0.113.7", "203.0.113.7"),
        ("unknown", "unknown"),
        ("testclient", "testclient"),
    ],
)
def test_per_ip_limits_count_an_ipv6_client_by_its_64(address: str, key: str) -> None:
    assert limit_key(address) == key
