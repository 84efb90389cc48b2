"""Per-IP limits over real HTTP (uvicorn started with the options `soundseal serve` uses):
a client cannot pick its own address with X-Forwarded-For."""

from __future__ import annotations

import re
from pathlib import Path

import httpx

from soundseal.app import create_app
from soundseal.db import Database
from tests.conftest import LiveServer, make_settings
from tests.web.conftest import web_settings


def _anonymous(server: LiveServer, forwarded: str) -> int:
    response = httpx.get(
        f"{server.url}/api/v1/certificates", headers={"X-Forwarded-For": forwarded}
    )
    return response.status_code


def test_rotating_x_forwarded_for_does_not_escape_the_anonymous_limit(
    database: Database, tmp_path: Path
) -> None:
    app = create_app(make_settings(database, tmp_path, rate_limit_anonymous=3), database)
    with LiveServer(app) as server:
        statuses = [_anonymous(server, f"198.51.100.{n}") for n in range(5)]
    assert statuses == [401, 401, 401, 429, 429]


def test_rotating_x_forwarded_for_does_not_escape_the_log_in_limit(
    database: Database, tmp_path: Path
) -> None:
    # Over plain http, so that the CSRF cookie is not Secure and comes back.
    settings = web_settings(database, tmp_path, public_url="http://127.0.0.1", rate_limit_login=2)
    app = create_app(settings, database)
    with LiveServer(app) as server, httpx.Client(base_url=server.url) as browser:
        page = browser.get("/login").text
        token = re.search(r'name="csrf_token" value="([^"]+)"', page)
        assert token
        statuses = [
            browser.post(
                "/login",
                data={
                    "csrf_token": token.group(1),
                    "email": f"nobody{n}@example.com",
                    "password": "wrong password",
                },
                headers={"X-Forwarded-For": f"198.51.100.{n}", "Origin": server.url},
            ).status_code
            for n in range(4)
        ]
    assert statuses == [401, 401, 429, 429]


def test_behind_a_trusted_proxy_the_right_most_untrusted_address_is_the_client(
    database: Database, tmp_path: Path
) -> None:
    settings = make_settings(
        database, tmp_path, rate_limit_anonymous=2, trusted_proxies="127.0.0.1, 10.0.0.0/8"
    )
    with LiveServer(create_app(settings, database)) as server:
        # The client forges a new left-most address each time; the proxies append its real
        # one (203.0.113.7) and their own.
        same_client = [_anonymous(server, f"192.0.2.{n}, 203.0.113.7, 10.0.0.5") for n in range(3)]
        another_client = _anonymous(server, "192.0.2.1, 203.0.113.8, 10.0.0.5")
    assert same_client == [401, 401, 429]
    assert another_client == 401


def test_rotating_ipv6_addresses_of_one_network_does_not_escape_the_anonymous_limit(
    database: Database, tmp_path: Path
) -> None:
    """One host holds a whole /64 (2^64 addresses): per-IP limits count IPv6 clients by it."""
    settings = make_settings(
        database, tmp_path, rate_limit_anonymous=2, trusted_proxies="127.0.0.1"
    )
    with LiveServer(create_app(settings, database)) as server:
        same_host = [_anonymous(server, f"2001:db8:1:2::{n:x}") for n in range(1, 4)]
        another_network = _anonymous(server, "2001:db8:1:3::1")
    assert same_host == [401, 401, 429]
    assert another_network == 401
