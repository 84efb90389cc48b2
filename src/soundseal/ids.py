"""Identifiers: certificate IDs, certificate numbers, key IDs and request IDs."""

from __future__ import annotations

import re
import secrets
import threading
from datetime import datetime

from ulid import ULID

__all__ = [
    "CERTIFICATE_ID_RE",
    "SANDBOX_CERTIFICATE_ID",
    "new_certificate_id",
    "new_certificate_number",
    "new_id",
    "new_request_id",
]

# Crockford base32 without I, L, O, U: what ULIDs use, and unambiguous when read aloud.
_CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"

SANDBOX_CERTIFICATE_ID = "cer_test_synthetic"
CERTIFICATE_ID_RE = re.compile(r"^cer_(test_)?[0-9A-HJKMNP-TV-Z]{26}$")
CERTIFICATE_NUMBER_RE = re.compile(r"^SS-\d{4}-[0-9A-HJKMNP-TV-Z]{8}$")
REQUEST_ID_RE = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")


_last_ulid = 0
_ulid_lock = threading.Lock()


def new_id(prefix: str) -> str:
    """`prefix_` + an uppercase ULID: sortable by creation time, unique without coordination.

    Monotonic within a process: a ULID's random part would put two IDs of one millisecond in
    either order, and events listed "oldest first" by ID must come out in the order they
    were written.
    """
    global _last_ulid
    with _ulid_lock:
        value = int(ULID())
        if value >> 80 == _last_ulid >> 80 and value <= _last_ulid:
            value = _last_ulid + 1
        _last_ulid = value
    return f"{prefix}_{ULID.from_int(value)}"


def new_certificate_id(*, test_mode: bool) -> str:
    return new_id("cer_test" if test_mode else "cer")


def new_certificate_number(issued_at: datetime) -> str:
    suffix = "".join(secrets.choice(_CROCKFORD) for _ in range(8))
    return f"SS-{issued_at.year:04d}-{suffix}"


def new_request_id() -> str:
    return f"req_{secrets.token_hex(12)}"


def is_certificate_id(value: str) -> bool:
    return value == SANDBOX_CERTIFICATE_ID or CERTIFICATE_ID_RE.match(value) is not None


def is_certificate_number(value: str) -> bool:
    return CERTIFICATE_NUMBER_RE.match(value) is not None
