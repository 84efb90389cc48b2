"""Webhook secrets and the two signature schemes every delivery carries.

One secret serves both schemes: `whsec_` + base64 of 32 random bytes, the Standard Webhooks
format.

- `X-Soundseal-Signature: sha256=<hex>` is HMAC-SHA256 keyed with the whole secret string
  as UTF-8 (`whsec_…` included) over the raw body: exactly what the Audiverify-style
  verification snippets compute when handed the secret as a string.
- `webhook-signature: v1,<base64>` is Standard Webhooks: HMAC-SHA256 keyed with the
  base64-decoded bytes after `whsec_`, over `{webhook-id}.{webhook-timestamp}.{body}`.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from datetime import datetime

from soundseal.__about__ import __version__

__all__ = ["SECRET_PREFIX", "USER_AGENT", "delivery_headers", "new_secret"]

SECRET_PREFIX = "whsec_"  # noqa: S105 (a prefix, not a secret)
USER_AGENT = f"Soundseal-Webhooks/{__version__}"


def new_secret() -> str:
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(32)).decode()


def hex_signature(secret: str, body: bytes) -> str:
    return hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def standard_signature(secret: str, message_id: str, timestamp: int, body: bytes) -> str:
    key = base64.b64decode(secret.removeprefix(SECRET_PREFIX))
    signed = f"{message_id}.{timestamp}.".encode() + body
    return base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()


def delivery_headers(
    *, secret: str, body: bytes, event_type: str, event_id: str, delivery_id: str, at: datetime
) -> dict[str, str]:
    """Every header of one attempt. `webhook-id` is the event's ID, the same on every retry
    and redelivery, so a receiver can drop duplicates (delivery is at least once)."""
    timestamp = int(at.timestamp())
    return {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        "X-Soundseal-Signature": f"sha256={hex_signature(secret, body)}",
        "X-Soundseal-Event": event_type,
        "X-Soundseal-Delivery": delivery_id,
        "X-Soundseal-Timestamp": at.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
        "webhook-id": event_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": f"v1,{standard_signature(secret, event_id, timestamp, body)}",
    }
