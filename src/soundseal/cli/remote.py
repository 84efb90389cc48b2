"""How the artist commands reach a running registry: through `soundseal.client`, whose
retries and Idempotency-Keys they share with every other caller, and the one place where the
client's errors become the CLI's JSON error output."""

from __future__ import annotations

import json
from typing import Any, NoReturn

import typer

from soundseal.client import APIError, Client, ClientError

__all__ = ["connect", "error_body", "exit_with"]

# A whole master's fingerprint is posted in one request: give a slow registry time.
TIMEOUT_SECONDS = 60.0


def connect(api_url: str, api_key: str) -> Client:
    if not api_key:
        raise typer.BadParameter("set --api-key or SOUNDSEAL_API_KEY", param_hint="--api-key")
    return Client(api_key, api_url, timeout=TIMEOUT_SECONDS)


def error_body(exc: ClientError) -> dict[str, Any]:
    """The registry's own error body (`error`, `code`, `request_id`, …) when it answered,
    or `unreachable` when it could not be reached even after the client's retries."""
    if isinstance(exc, APIError):
        # A proxy in front of the registry may answer without the API's shape: the client
        # has already put a message and a code on the exception.
        return {**exc.body, "error": exc.message, "code": exc.code}
    return {"error": str(exc), "code": "unreachable"}


def exit_with(exc: ClientError) -> NoReturn:
    typer.echo(json.dumps(error_body(exc), indent=2), err=True)
    raise typer.Exit(1)
