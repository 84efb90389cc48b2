"""The shape of Stripe's `Stripe-Signature` header, checked before the webhook's body is
read: a request that cannot possibly be genuine costs a header, not a body."""

from __future__ import annotations

import re

from soundseal.errors import InvalidInput, InvalidSignature

__all__ = ["check_stripe_signature_header"]

# `t=<unix time>,v1=<hex HMAC-SHA256>[,v1=…][,v0=…]`; several v1 while a secret is rolled.
_MAX_LENGTH = 2048
_TIMESTAMP = re.compile(r"[0-9]{1,12}")
_V1 = re.compile(r"[0-9a-fA-F]{64}")


def check_stripe_signature_header(header: str | None) -> None:
    """Refuse a missing or malformed header (what Stripe's library would refuse anyway,
    after the body); the signature itself is verified against the body later."""
    if not header:
        raise InvalidInput("Missing Stripe-Signature header", field="Stripe-Signature")
    malformed = InvalidSignature(
        "Stripe-Signature is not of the form t=<timestamp>,v1=<signature>",
        field="Stripe-Signature",
    )
    if len(header) > _MAX_LENGTH:
        raise malformed
    timestamps: list[str] = []
    signatures: list[str] = []
    for item in header.split(","):
        key, sep, value = item.strip().partition("=")
        if not sep:
            raise malformed
        if key == "t":
            timestamps.append(value)
        elif key == "v1":
            signatures.append(value)
    if len(timestamps) != 1 or not _TIMESTAMP.fullmatch(timestamps[0]):
        raise malformed
    if not signatures or not all(_V1.fullmatch(v) for v in signatures):
        raise malformed
