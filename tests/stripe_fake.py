"""A stand-in for Stripe's API at its HTTP boundary, on loopback.

Stripe cannot be reached from the test machines, so the official `stripe` library talks to
this server instead: it answers `POST /v1/checkout/sessions` the way Stripe documents it and
records what it was sent. Only Stripe is faked; soundseal's own code runs unchanged.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl

__all__ = ["FakeStripe", "fake_stripe", "signed_event"]


@dataclass
class FakeStripe:
    url: str = ""
    # Each call: (path, Authorization header, the form fields as a flat dict).
    calls: list[tuple[str, str, dict[str, str]]] = field(default_factory=list)
    # Set to an HTTP status to answer every call with a Stripe error instead.
    fail_with: int | None = None


@contextmanager
def fake_stripe() -> Iterator[FakeStripe]:
    state = FakeStripe()

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

        def do_POST(self) -> None:
            length = int(self.headers.get("content-length") or 0)
            form = dict(parse_qsl(self.rfile.read(length).decode()))
            state.calls.append((self.path, self.headers.get("authorization", ""), form))
            if state.fail_with is not None:
                body = {
                    "error": {
                        "type": "invalid_request_error",
                        "message": "Your account cannot currently make live charges.",
                    }
                }
                self._answer(state.fail_with, body)
            elif self.path == "/v1/checkout/sessions":
                number = len(state.calls)
                session_id = f"cs_test_{number:04d}"
                self._answer(
                    200,
                    {
                        "id": session_id,
                        "object": "checkout.session",
                        "mode": form.get("mode"),
                        "url": f"https://checkout.stripe.com/c/pay/{session_id}",
                        "metadata": {
                            k[len("metadata[") : -1]: v
                            for k, v in form.items()
                            if k.startswith("metadata[")
                        },
                    },
                )
            else:
                self._answer(404, {"error": {"type": "invalid_request_error", "message": "?"}})

        def _answer(self, status: int, body: object) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("content-type", "application/json")
            self.send_header("content-length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()


def signed_event(
    secret: str, event: dict[str, object], *, timestamp: int | None = None
) -> tuple[bytes, str]:
    """An event body and its `Stripe-Signature` header, signed as Stripe documents:
    `t=<unix>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>`."""
    body = json.dumps(event).encode()
    t = int(time.time()) if timestamp is None else timestamp
    mac = hmac.new(secret.encode(), f"{t}.".encode() + body, hashlib.sha256).hexdigest()
    return body, f"t={t},v1={mac}"
