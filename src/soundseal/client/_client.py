"""`Client` and `AsyncClient`: sending calls, retrying, decoding errors, paginating."""

from __future__ import annotations

import asyncio
import os
import random
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Iterator
from typing import Any

import httpx

from soundseal.__about__ import __version__
from soundseal.client._errors import QUOTA_EXCEEDED, TransportError, error_for
from soundseal.client._operations import Call, Operations, checkpoint_call, tile_call

__all__ = ["AsyncClient", "Client"]

DEFAULT_BASE_URL = "http://127.0.0.1:8000"
DEFAULT_MAX_RETRY_WAIT = 60.0
_RETRY_STATUSES = {429, 500, 502, 503, 504}


def _error_code(response: httpx.Response) -> str | None:
    try:
        body: Any = response.json()
    except ValueError:
        return None
    code = body.get("code") if isinstance(body, dict) else None
    return code if isinstance(code, str) else None


class _Config:
    def __init__(
        self,
        api_key: str | None,
        base_url: str | None,
        max_retries: int,
        backoff: float,
        max_retry_wait: float = DEFAULT_MAX_RETRY_WAIT,
    ) -> None:
        key = api_key or os.environ.get("SOUNDSEAL_API_KEY")
        if not key:
            raise ValueError("an API key is needed: pass api_key= or set SOUNDSEAL_API_KEY")
        self.base_url = base_url or os.environ.get("SOUNDSEAL_API_URL") or DEFAULT_BASE_URL
        self.headers = {
            "Authorization": f"Bearer {key}",
            "User-Agent": f"soundseal-python/{__version__}",
        }
        self.max_retries = max_retries
        self.backoff = backoff
        self.max_retry_wait = max_retry_wait

    @staticmethod
    def headers_for(key: str | None) -> dict[str, str]:
        return {"Idempotency-Key": key} if key else {}

    def delay(self, attempt: int, response: httpx.Response | None) -> float | None:
        """Seconds to wait before retrying, or None when the call must not be retried."""
        if attempt >= self.max_retries:
            return None
        if response is not None:
            if response.status_code not in _RETRY_STATUSES:
                return None
            if response.status_code == 429 and _error_code(response) == QUOTA_EXCEEDED:
                # Its Retry-After is the start of next month: raise now, do not sleep on it.
                return None
            retry_after = response.headers.get("retry-after")
            if response.status_code == 429 and retry_after and retry_after.isdigit():
                # A server (or a proxy in front of it) may ask for any wait; a caller that
                # must wait longer than this gets the error and decides for itself.
                return min(float(retry_after), self.max_retry_wait)
        # Exponential backoff with full jitter, so many clients do not retry in step.
        wait = random.uniform(0, self.backoff * 2**attempt)  # noqa: S311
        return min(wait, self.max_retry_wait)


def _key(call: Call) -> str | None:
    if not call.is_write:
        return None
    return call.idempotency_key or f"sdk-{uuid.uuid4()}"


def _decode(response: httpx.Response) -> dict[str, Any]:
    try:
        body: Any = response.json()
    except ValueError:
        body = {
            "error": response.text[:500] or f"HTTP {response.status_code}",
            "code": "bad_response",
        }
    if not isinstance(body, dict):
        body = {"error": "unexpected response body", "code": "bad_response", "body": body}
    if response.is_success:
        decoded: dict[str, Any] = body
        return decoded
    retry_after = response.headers.get("retry-after", "0")
    raise error_for(
        response.status_code,
        body,
        response.headers.get("x-request-id"),
        float(retry_after) if retry_after.replace(".", "", 1).isdigit() else 0.0,
    )


def _body(response: httpx.Response) -> bytes:
    """The raw body of a successful response; an error is raised as `_decode` raises it."""
    if not response.is_success:
        _decode(response)
    return response.content


def _request_args(call: Call, headers: dict[str, str]) -> dict[str, Any]:
    args: dict[str, Any] = {"params": call.params, "headers": headers}
    if call.json is not None:
        args["json"] = call.json
    if call.form is not None:
        args["data"] = call.form
    return args


class Client(Operations[dict[str, Any]]):
    """The registry's API, synchronously. Use as a context manager, or `close()` it.

    `max_retry_wait` caps each wait between retries (seconds), whatever `Retry-After` says."""

    def __init__(
        self,
        api_key: str | None = None,
        base_url: str | None = None,
        *,
        timeout: float = 30.0,
        max_retries: int = 3,
        backoff: float = 0.5,
        max_retry_wait: float = DEFAULT_MAX_RETRY_WAIT,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self._config = _Config(api_key, base_url, max_retries, backoff, max_retry_wait)
        self._http = httpx.Client(
            base_url=self._config.base_url,
            headers=self._config.headers,
            timeout=timeout,
            transport=transport,
        )

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._http.close()

    def _send(self, call: Call) -> dict[str, Any]:
        return _decode(self._response(call))

    def _response(self, call: Call) -> httpx.Response:
        key = _key(call)
        headers = self._config.headers_for(key)
        attempt = 0
        while True:
            response: httpx.Response | None = None
            try:
                args = _request_args(call, headers)
                if call.upload is not None:
                    with call.upload.open("rb") as handle:
                        args["files"] = {"file": (call.upload.name, handle)}
                        response = self._http.request(call.method, call.path, **args)
                else:
                    response = self._http.request(call.method, call.path, **args)
            except httpx.TransportError as exc:
                wait = self._config.delay(attempt, None)
                if wait is None:
                    raise TransportError(f"cannot reach {self._config.base_url}: {exc}") from exc
            else:
                wait = self._config.delay(attempt, response)
                if wait is None:
                    return response
            time.sleep(wait)
            attempt += 1

    def log_checkpoint(self, mode: str = "live") -> str:
        """The `mode` log's current signed checkpoint, as the note's text."""
        return _body(self._response(checkpoint_call(mode))).decode("utf-8", errors="replace")

    def log_tile(self, path: str, *, mode: str = "live") -> bytes:
        """A tile or entry bundle of the `mode` log: `path` is below the log's prefix, as
        `tile/entries/000` or `tile/0/x001/234.p/7`."""
        return _body(self._response(tile_call(path, mode)))

    def iter_certificates(
        self, *, status: str | None = None, artist: str | None = None, page_size: int = 100
    ) -> Iterator[dict[str, Any]]:
        """Every certificate of the workspace, newest first, following `next_cursor`."""
        cursor: str | None = None
        while True:
            page = self.list_certificates_page(
                limit=page_size, cursor=cursor, status=status, artist=artist
            )
            yield from page["certificates"]
            cursor = page["pagination"].get("next_cursor")
            if not cursor:
                return

    def iter_changes(
        self, *, since_sequence: int = 0, limit: int = 1000
    ) -> Iterator[dict[str, Any]]:
        """The change feed after `since_sequence`, page by page, until it is caught up."""
        while True:
            page = self.changes(since_sequence=since_sequence, limit=limit)
            yield from page["changes"]
            since_sequence = page["last_sequence"]
            if not page["has_more"]:
                return


class AsyncClient(Operations[Awaitable[dict[str, Any]]]):
    """The registry's API for asyncio. Use as an async context manager, or `aclose()` it."""

    def __init__(
        self,
        api_key: str | None = None,
        base_url: str | None = None,
        *,
        timeout: float = 30.0,
        max_retries: int = 3,
        backoff: float = 0.5,
        max_retry_wait: float = DEFAULT_MAX_RETRY_WAIT,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self._config = _Config(api_key, base_url, max_retries, backoff, max_retry_wait)
        self._http = httpx.AsyncClient(
            base_url=self._config.base_url,
            headers=self._config.headers,
            timeout=timeout,
            transport=transport,
        )

    async def __aenter__(self) -> AsyncClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._http.aclose()

    async def _send(self, call: Call) -> dict[str, Any]:
        return _decode(await self._response(call))

    async def _response(self, call: Call) -> httpx.Response:
        key = _key(call)
        headers = self._config.headers_for(key)
        attempt = 0
        while True:
            response: httpx.Response | None = None
            try:
                args = _request_args(call, headers)
                if call.upload is not None:
                    args["files"] = {"file": (call.upload.name, call.upload.read_bytes())}
                response = await self._http.request(call.method, call.path, **args)
            except httpx.TransportError as exc:
                wait = self._config.delay(attempt, None)
                if wait is None:
                    raise TransportError(f"cannot reach {self._config.base_url}: {exc}") from exc
            else:
                wait = self._config.delay(attempt, response)
                if wait is None:
                    return response
            await asyncio.sleep(wait)
            attempt += 1

    async def log_checkpoint(self, mode: str = "live") -> str:
        """The `mode` log's current signed checkpoint, as the note's text."""
        response = await self._response(checkpoint_call(mode))
        return _body(response).decode("utf-8", errors="replace")

    async def log_tile(self, path: str, *, mode: str = "live") -> bytes:
        """A tile or entry bundle of the `mode` log (`path` below the log's prefix)."""
        return _body(await self._response(tile_call(path, mode)))

    async def iter_certificates(
        self, *, status: str | None = None, artist: str | None = None, page_size: int = 100
    ) -> AsyncIterator[dict[str, Any]]:
        cursor: str | None = None
        while True:
            page = await self.list_certificates_page(
                limit=page_size, cursor=cursor, status=status, artist=artist
            )
            for item in page["certificates"]:
                yield item
            cursor = page["pagination"].get("next_cursor")
            if not cursor:
                return

    async def iter_changes(
        self, *, since_sequence: int = 0, limit: int = 1000
    ) -> AsyncIterator[dict[str, Any]]:
        while True:
            page = await self.changes(since_sequence=since_sequence, limit=limit)
            for item in page["changes"]:
                yield item
            since_sequence = page["last_sequence"]
            if not page["has_more"]:
                return
