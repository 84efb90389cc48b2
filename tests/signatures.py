"""Webhook signature checks written from the outside: the vendor doc's Python and Node.js
verification functions, unchanged, Standard Webhooks from its specification, and the
official `standardwebhooks` library."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import subprocess
from pathlib import Path
from typing import Any

from standardwebhooks import Webhook
from standardwebhooks.webhooks import WebhookVerificationError

NODE_VERIFIER = Path(__file__).with_name("verify_vendor.mjs")


def verify_audiverify(raw_body: bytes, signature_header: str, secret: str) -> bool:
    # The vendor doc's Python verification function, unchanged.
    expected = hmac.new(secret.encode(), raw_body, hashlib.sha256).hexdigest()
    received = signature_header.replace("sha256=", "")
    return hmac.compare_digest(expected, received)


def verify_node(cases: list[tuple[bytes, str, str]]) -> list[bool]:
    lines = [
        json.dumps({"body_b64": base64.b64encode(b).decode(), "signature": s, "secret": k})
        for b, s, k in cases
    ]
    done = subprocess.run(
        ["node", str(NODE_VERIFIER)],
        input="\n".join(lines),
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    verdicts: list[bool] = json.loads(done.stdout)
    return verdicts


def verify_standard(headers: dict[str, str], body: bytes, secret: str) -> bool:
    """Standard Webhooks, from its specification: key = base64 after `whsec_`."""
    key = base64.b64decode(secret.split("_", 1)[1])
    signed = f"{headers['webhook-id']}.{headers['webhook-timestamp']}.".encode() + body
    expected = base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()
    offered = [s.split(",", 1)[1] for s in headers["webhook-signature"].split() if "," in s]
    return any(hmac.compare_digest(expected, o) for o in offered)


def verify_official(headers: dict[str, str], body: bytes, secret: str) -> Any:
    """The official Standard Webhooks library's check, as a receiver runs it: the secret as
    the registry shows it (`whsec_…`), the raw body and the headers as received. Returns the
    parsed payload; a delivery it refuses raises `WebhookVerificationError`."""
    return Webhook(secret).verify(body, headers)


def official_refuses(headers: dict[str, str], body: bytes, secret: str) -> bool:
    try:
        verify_official(headers, body, secret)
    except WebhookVerificationError:
        return True
    return False
