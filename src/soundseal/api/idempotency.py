"""`Idempotency-Key` on POST, PUT, PATCH and DELETE.

The same key with the same request within the TTL replays the first response with
`Idempotency-Replayed: true`; the same key with a different request is refused
(`idempotency_key_reused`); a request arriving while the first is still running waits for
its result. Keys are scoped to the calling key's account and mode. 5xx and 429 responses
are not stored, so the client can retry them with the same key. Requests without a valid
API key pass straight through, to be refused by the endpoint.

Limits: the response is recorded in a transaction of its own right after the request's,
so a process that dies between the two leaves a claim that expires after
`ABANDONED_AFTER`, and a retry then runs the request again.
"""

from __future__ import annotations

import hashlib
import tempfile
from datetime import timedelta
from typing import Any

import anyio
from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from soundseal.api.auth import presented_key
from soundseal.api.middleware import send_error
from soundseal.db import Database
from soundseal.errors import Conflict, InvalidInput, PayloadTooLarge, Unauthorized
from soundseal.registry.idempotency.services import Claim, claim_key, complete_key, release_key
from soundseal.registry.keys.services import Principal, authenticate

__all__ = ["IdempotencyMiddleware"]

_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
# Headers that describe this request, not the stored result.
_NOT_STORED = {"x-request-id", "date", "server", "content-length"}
_WAIT_SECONDS = 10.0
_POLL_SECONDS = 0.05


class IdempotencyMiddleware:
    def __init__(self, app: ASGIApp, *, database: Any, ttl_hours: int) -> None:
        self.app = app
        # `database` is a callable returning the Database, because the app builds it in its
        # lifespan, after the middleware stack exists.
        self.database = database
        self.ttl = timedelta(hours=ttl_hours)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in _METHODS:
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        key = headers.get("idempotency-key")
        if key is None:
            await self.app(scope, receive, send)
            return
        if not key.strip() or len(key) > 255 or not key.isprintable():
            invalid = InvalidInput(
                "Idempotency-Key must be 1 to 255 printable characters", field="Idempotency-Key"
            )
            await send_error(scope, receive, send, invalid)
            return
        try:
            token = presented_key(headers)
        except Unauthorized:
            token = None  # the endpoint refuses it, with the rate limit charged
        database: Database = self.database()
        principal = await anyio.to_thread.run_sync(_authenticate, database, token)
        if principal is None:
            await self.app(scope, receive, send)
            return
        with tempfile.SpooledTemporaryFile(max_size=1024 * 1024) as body:
            try:
                request_hash = await _read_body(scope, receive, body)
            except PayloadTooLarge as exc:
                await send_error(scope, receive, send, exc)
                return
            claim = await self._claim(database, principal, key, request_hash)
            if claim.outcome == "mismatch":
                error = Conflict(
                    "This Idempotency-Key was already used with a different request",
                    code="idempotency_key_reused",
                )
                await send_error(scope, receive, send, error)
                return
            if claim.outcome == "in_progress":
                error = Conflict(
                    "A request with this Idempotency-Key is still in progress; retry later",
                    code="idempotency_key_in_use",
                )
                await send_error(scope, receive, send, error)
                return
            if claim.outcome == "replay":
                await _replay(claim, send)
                return
            await self._run_and_record(scope, body, send, database, claim.record_id)

    async def _claim(
        self, database: Database, principal: Principal, key: str, request_hash: str
    ) -> Claim:
        def attempt() -> Claim:
            with database.transaction(write=True) as session:
                return claim_key(
                    session,
                    account_id=principal.account_id,
                    mode=principal.mode,
                    key=key,
                    request_hash=request_hash,
                    ttl=self.ttl,
                )

        with anyio.move_on_after(_WAIT_SECONDS):
            while True:
                claim = await anyio.to_thread.run_sync(attempt)
                if claim.outcome != "in_progress":
                    return claim
                await anyio.sleep(_POLL_SECONDS)
        return claim

    async def _run_and_record(
        self, scope: Scope, body: Any, send: Send, database: Database, record_id: int
    ) -> None:
        body.seek(0)
        more = True

        async def replay_receive() -> Message:
            nonlocal more
            if not more:
                return {"type": "http.disconnect"}
            chunk = body.read(64 * 1024)
            more = bool(chunk)
            return {"type": "http.request", "body": chunk, "more_body": more}

        start: Message = {}
        chunks: list[bytes] = []

        async def capture(message: Message) -> None:
            nonlocal start
            if message["type"] == "http.response.start":
                start = message
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))

        try:
            await self.app(scope, replay_receive, capture)
        except BaseException:
            await anyio.to_thread.run_sync(_release, database, record_id)
            raise
        status = int(start["status"])
        raw_headers = [(k.decode("latin-1"), v.decode("latin-1")) for k, v in start["headers"]]
        content = b"".join(chunks)
        if status >= 500 or status == 429:
            await anyio.to_thread.run_sync(_release, database, record_id)
        else:
            stored = [[k, v] for k, v in raw_headers if k.lower() not in _NOT_STORED]
            await anyio.to_thread.run_sync(_complete, database, record_id, status, stored, content)
        await send(start)
        await send({"type": "http.response.body", "body": content})


def _authenticate(database: Database, token: str | None) -> Principal | None:
    if not token:
        return None
    with database.transaction(write=False) as session:
        return authenticate(session, token)


async def _read_body(scope: Scope, receive: Receive, sink: Any) -> str:
    digest = hashlib.sha256()
    digest.update(f"{scope['method']} {scope['path']}?".encode())
    digest.update(scope.get("query_string", b""))
    digest.update(b"\n")
    more = True
    while more:
        message = await receive()
        if message["type"] == "http.disconnect":
            break
        chunk = message.get("body", b"")
        digest.update(chunk)
        sink.write(chunk)
        more = message.get("more_body", False)
    return digest.hexdigest()


async def _replay(claim: Claim, send: Send) -> None:
    headers = [(str(k).encode("latin-1"), str(v).encode("latin-1")) for k, v in claim.headers or []]
    body = claim.body or b""
    headers.append((b"content-length", str(len(body)).encode()))
    headers.append((b"idempotency-replayed", b"true"))
    await send({"type": "http.response.start", "status": claim.status or 200, "headers": headers})
    await send({"type": "http.response.body", "body": body})


def _complete(
    database: Database, record_id: int, status: int, headers: list[Any], body: bytes
) -> None:
    with database.transaction(write=True) as session:
        complete_key(session, record_id, status=status, headers=headers, body=body)


def _release(database: Database, record_id: int) -> None:
    with database.transaction(write=True) as session:
        release_key(session, record_id)
