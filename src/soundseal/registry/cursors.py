"""Opaque page cursors for the lists that page newest first by ID.

A cursor carries the last ID of the page it ends; callers treat it as opaque, so the format
can change without breaking them. Whatever a client sends back is checked to be one this API
could have written, else `InvalidInput` naming `cursor`.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable

from soundseal.errors import InvalidInput

__all__ = ["decode_cursor", "encode_cursor"]


def encode_cursor(last_id: str) -> str:
    return base64.urlsafe_b64encode(json.dumps({"after": last_id}).encode()).decode().rstrip("=")


def decode_cursor(cursor: str, *, valid: Callable[[str], bool]) -> str:
    """The ID a cursor continues after; `valid` says which IDs this list holds."""
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        value = json.loads(base64.urlsafe_b64decode(padded.encode()))
        after = value["after"]
        if not isinstance(after, str) or not valid(after):
            raise ValueError(after)
    except (ValueError, KeyError, TypeError, IndexError, binascii.Error) as exc:
        raise InvalidInput("cursor is not a cursor this API returned", field="cursor") from exc
    return after
