"""`Idempotency-Key` on POST, PUT, PATCH and DELETE.

The same key with the same request within the TTL replays the first response with
`Idempotency-Replayed: true`; the same key with a different request is refused
(`idempotency_key_reused`); a request arriving while the first is still running waits for
its result. Keys are scoped to the calling key's account and mode and the route's scope.
5xx and 429 responses are not stored, so the client can retry them with the same key.

Authorization comes first. The work is split in two:

- `IdempotencyMiddleware` checks the header, buffers the body (it must be hashed, and fed
  again to the route), and afterwards stores the response. It decides nothing about the
  caller. A request whose client disconnects before the body is whole is not run at all.
- `admit`, called by the route's own authorization dependency (`api.auth.require_scope`)
  once the key's kind and scope have passed, claims the key or replays the stored response.

So a replay is only ever sent to a caller the route itself would have let in, and nothing
is read from the store (or written to it) for any other: a key without the scope gets the
route's 403, and cannot claim a key in advance for its owner's later request either. The
record also keeps the key, kind and scope that made it and refuses callers that lack them.
Ownership inside routes is the account and mode, which records are filed under, with the
scope the route required: a key never meets the records of operations it cannot call. Endpoints
that do not authorize with an API key (the operator's, the payment provider's webhook, the
dashboard) never reach `admit` and run without idempotency.

Publishable keys never create records: they may only call reads (`POST /api/v1/verify` is
one), which are safe to repeat, and a browser-held key must not be able to occupy keys.
Their request runs as if no `Idempotency-Key` had been sent.

A route whose response shows a secret once (a webhook's signing secret, a contributor's
acknowledgement link) declares those fields with `secret_fields(...)`; they are removed
before the response is stored, and a replay returns them as null and lists them in
`Idempotency-Redacted`.

Limits: the response is recorded in a transaction of its own right after the request's,
so a process that dies between the two leaves a claim that expires after
`ABANDONED_AFTER`, and a retry then runs the request again.
"""

from __future__ import annotations

import hashlib
import json
import tempfile
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import anyio
from starlette.datastructures import Headers
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from soundseal.db import Database
from soundseal.errors import Conflict, ErrorCode, Forbidden, InvalidInput
from soundseal.http.context import get_context
from soundseal.http.middleware import send_error
from soundseal.registry.idempotency.services import (
    Caller,
    Claim,
    claim_key,
    complete_key,
    release_key,
)
from soundseal.registry.keys.services import Principal

__all__ = [
    "IdempotencyMiddleware",
    "Replay",
    "admit",
    "parse_idempotency_key",
    "secret_fields",
]

_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
# Headers that describe this request, not the stored result.
_NOT_STORED = {"x-request-id", "date", "server", "content-length"}
_WAIT_SECONDS = 10.0
_POLL_SECONDS = 0.05
_MAX_KEY = 255
# The OpenAPI extension a route declares its once-shown fields in (dotted JSON paths).
SECRET_FIELDS = "x-secret-fields"  # noqa: S105 - a name, not a secret


def secret_fields(*paths: str) -> dict[str, Any]:
    """`openapi_extra` for a route whose response shows secrets once, e.g.
    `secret_fields("webhook.secret")`: the spec lists them, and idempotency records keep
    the response without them."""
    return {SECRET_FIELDS: list(paths)}


def parse_idempotency_key(raw: str | None) -> str | None:
    """The header's key, None when absent; anything else than 1 to 255 printable characters
    is refused, naming the header."""
    if raw is None:
        return None
    if not raw.strip() or len(raw) > _MAX_KEY or not raw.isprintable():
        raise InvalidInput(
            f"Idempotency-Key must be 1 to {_MAX_KEY} printable characters",
            field="Idempotency-Key",
        )
    return raw


@dataclass
class _Pending:
    """An Idempotency-Key waiting for the route's authorization (in the request's state)."""

    key: str
    request_hash: str
    ttl: timedelta
    record_id: int | None = None
    secrets: tuple[str, ...] = ()


class Replay(Exception):
    """Not an error: carries the stored response up to the middleware, which sends it."""

    def __init__(self, claim: Claim) -> None:
        super().__init__("idempotent replay")
        self.claim = claim


async def admit(request: Request, principal: Principal, required_scope: str) -> None:
    """Called once the route has authorized `principal`: claim the request's key, or raise
    `Replay` with the stored response, or refuse (mismatch, in progress, lesser caller)."""
    pending: _Pending | None = getattr(request.state, "idempotency", None)
    if pending is None or pending.record_id is not None or principal.kind != "secret":
        return
    route = request.scope.get("route")
    pending.secrets = tuple((getattr(route, "openapi_extra", None) or {}).get(SECRET_FIELDS, ()))
    database = get_context(request).database
    caller = Caller(
        key_id=principal.key_id,
        kind=principal.kind,
        scopes=principal.scopes,
        required_scope=required_scope,
    )
    claim = await _claim(database, principal, caller, pending)
    if claim.outcome == "claimed":
        pending.record_id = claim.record_id
    elif claim.outcome == "replay":
        raise Replay(claim)
    elif claim.outcome == "forbidden":
        raise Forbidden(
            "This Idempotency-Key was used by a key with rights this key lacks",
            required_scope=claim.required_scope or required_scope,
        )
    elif claim.outcome == "mismatch":
        raise Conflict(
            "This Idempotency-Key was already used with a different request",
            code=ErrorCode.IDEMPOTENCY_KEY_REUSED,
        )
    else:
        raise Conflict(
            "A request with this Idempotency-Key is still in progress; retry later",
            code=ErrorCode.IDEMPOTENCY_KEY_IN_USE,
        )


async def _claim(
    database: Database, principal: Principal, caller: Caller, pending: _Pending
) -> Claim:
    def attempt() -> Claim:
        with database.transaction(write=True) as session:
            return claim_key(
                session,
                account_id=principal.account_id,
                mode=principal.mode,
                key=pending.key,
                request_hash=pending.request_hash,
                caller=caller,
                ttl=pending.ttl,
            )

    # A deadline checked between attempts rather than a cancel scope: an attempt in its
    # thread cannot be cancelled anyway, and on Python 3.11 a coroutine resumed by a
    # cancellation escapes coverage's tracer, which hid the caller's 409 from the figures.
    deadline = anyio.current_time() + _WAIT_SECONDS
    while True:
        claim = await anyio.to_thread.run_sync(attempt)
        if claim.outcome != "in_progress" or anyio.current_time() >= deadline:
            return claim
        await anyio.sleep(_POLL_SECONDS)


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
        try:
            key = parse_idempotency_key(Headers(scope=scope).get("idempotency-key"))
        except InvalidInput as exc:
            await send_error(scope, receive, send, exc)
            return
        if key is None:
            await self.app(scope, receive, send)
            return
        with tempfile.SpooledTemporaryFile(max_size=1024 * 1024) as body:
            # A body over the route's limit raises here, and the edge answers it.
            request_hash = await _read_body(scope, receive, body)
            if request_hash is None:
                # The client went away before its request was whole: there is no request to
                # run, nor anyone to answer; a retry with the whole body runs as the first.
                return
            pending = _Pending(key=key, request_hash=request_hash, ttl=self.ttl)
            scope.setdefault("state", {})["idempotency"] = pending
            await self._run(scope, body, receive, send, pending)

    async def _run(
        self, scope: Scope, body: Any, receive: Receive, send: Send, pending: _Pending
    ) -> None:
        body.seek(0)
        more = True

        async def replay_receive() -> Message:
            nonlocal more
            if not more:
                # Past the body, the server's own receive tells whether the client is gone.
                return await receive()
            chunk = body.read(64 * 1024)
            more = bool(chunk)
            return {"type": "http.request", "body": chunk, "more_body": more}

        start: Message = {}
        chunks: list[bytes] = []

        async def capture(message: Message) -> None:
            nonlocal start
            if pending.record_id is None:
                # Nothing claimed (no API key, a publishable key, a refusal): pass through.
                await send(message)
            elif message["type"] == "http.response.start":
                start = message
            else:
                # The rest of a route's answer is its body: the server offers routes neither
                # trailers nor zero-copy sends.
                chunks.append(message.get("body", b""))

        try:
            await self.app(scope, replay_receive, capture)
        except Replay as replay:
            await _replay(replay.claim, send)
            return
        except BaseException:
            if pending.record_id is not None:
                await anyio.to_thread.run_sync(_release, self.database(), pending.record_id)
            raise
        if pending.record_id is None:
            return
        await self._record(pending, start, b"".join(chunks))
        await send(start)
        await send({"type": "http.response.body", "body": b"".join(chunks)})

    async def _record(self, pending: _Pending, start: Message, content: bytes) -> None:
        database: Database = self.database()
        record_id = pending.record_id
        assert record_id is not None
        status = int(start["status"])
        stored_body, redacted = _without_secrets(content, pending.secrets)
        if status >= 500 or status == 429 or stored_body is None:
            # Worth retrying, or a response with secrets we cannot take out: not replayable.
            await anyio.to_thread.run_sync(_release, database, record_id)
            return
        raw_headers = [(k.decode("latin-1"), v.decode("latin-1")) for k, v in start["headers"]]
        stored = [[k, v] for k, v in raw_headers if k.lower() not in _NOT_STORED]
        await anyio.to_thread.run_sync(
            _complete, database, record_id, status, stored, stored_body, redacted
        )


def _without_secrets(content: bytes, paths: tuple[str, ...]) -> tuple[bytes | None, str | None]:
    """The body to store and the fields taken out of it; (None, None) if the route declared
    secrets and the body cannot be read to remove them."""
    if not paths:
        return content, None
    try:
        document = json.loads(content)
    except ValueError:
        return None, None
    removed = [path for path in paths if _null_out(document, path.split("."))]
    if not removed:
        return content, None
    return json.dumps(document, separators=(",", ":")).encode(), ",".join(removed)


def _null_out(document: Any, path: list[str]) -> bool:
    node = document
    for name in path[:-1]:
        node = node.get(name) if isinstance(node, dict) else None
    if not isinstance(node, dict) or node.get(path[-1]) is None:
        return False
    node[path[-1]] = None
    return True


async def _read_body(scope: Scope, receive: Receive, sink: Any) -> str | None:
    """The request's hash, its body written to `sink`; None if the client disconnected
    before sending all of it."""
    digest = hashlib.sha256()
    digest.update(f"{scope['method']} {scope['path']}?".encode())
    digest.update(scope.get("query_string", b""))
    digest.update(b"\n")
    more = True
    while more:
        message = await receive()
        if message["type"] == "http.disconnect":
            return None
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
    if claim.redacted:
        headers.append((b"idempotency-redacted", claim.redacted.encode("latin-1")))
    await send({"type": "http.response.start", "status": claim.status or 200, "headers": headers})
    await send({"type": "http.response.body", "body": body})


def _complete(
    database: Database,
    record_id: int,
    status: int,
    headers: list[Any],
    body: bytes,
    redacted: str | None,
) -> None:
    with database.transaction(write=True) as session:
        complete_key(
            session, record_id, status=status, headers=headers, body=body, redacted=redacted
        )


def _release(database: Database, record_id: int) -> None:
    with database.transaction(write=True) as session:
        release_key(session, record_id)
