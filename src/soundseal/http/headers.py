"""Adding headers to a response as it starts, in one pass over the ones it has.

Every response passes three layers that add headers (request IDs and timing, CORS, the pages'
security headers). Starlette's `MutableHeaders` scans the whole list for each header set,
which on the polled reads cost more than their database lookup; these functions rebuild the
list once per layer.
"""

from __future__ import annotations

from collections.abc import Mapping

from starlette.types import Message

__all__ = ["add_absent", "replace"]


def replace(message: Message, values: Mapping[str, str]) -> None:
    """Set `values` on an `http.response.start` message, replacing headers of the same
    names (case-insensitive)."""
    encoded = {
        name.lower().encode("latin-1"): value.encode("latin-1") for name, value in values.items()
    }
    kept = [(name, value) for name, value in message["headers"] if name.lower() not in encoded]
    kept.extend(encoded.items())
    message["headers"] = kept


def add_absent(message: Message, defaults: Mapping[str, str]) -> dict[str, str]:
    """Add each of `defaults` the message does not have yet; return the value every one of
    those names ends up with (the response's own where it set one)."""
    wanted = {name.lower().encode("latin-1"): name for name in defaults}
    found: dict[str, str] = {}
    headers = list(message["headers"])
    for name, value in headers:
        key = wanted.get(name.lower())
        if key is not None and key not in found:
            found[key] = value.decode("latin-1")
    for name, value in defaults.items():
        if name not in found:
            headers.append((name.lower().encode("latin-1"), value.encode("latin-1")))
            found[name] = value
    message["headers"] = headers
    return found
