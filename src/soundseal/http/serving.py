"""How the server is run: the uvicorn options `soundseal serve` uses (tests start uvicorn
with the same ones, so what they check is what operators run)."""

from __future__ import annotations

from typing import Any

__all__ = ["UVICORN_OPTIONS"]

UVICORN_OPTIONS: dict[str, Any] = {
    # uvicorn would otherwise rewrite the client address from X-Forwarded-For for any peer
    # in `forwarded_allow_ips` (127.0.0.1 by default); soundseal works the address out
    # itself, in `soundseal.api.auth.client_ip`, from SOUNDSEAL_TRUSTED_PROXIES only.
    "proxy_headers": False,
}
