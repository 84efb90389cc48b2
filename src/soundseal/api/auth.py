"""Who is calling, what they may do, and how fast.

Keys come as `Authorization: Bearer KEY` or `X-API-Key: KEY`. The rate limit is charged
before the scope check, per key for valid keys and per client IP otherwise (so guessing
keys is throttled too).
"""

from __future__ import annotations

import hmac
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, TypeVar

from fastapi import Depends, Request
from starlette.datastructures import Headers

from soundseal.api.idempotency import admit
from soundseal.errors import Forbidden, QuotaExceeded, RateLimited, Unauthorized
from soundseal.http.context import client_ip, get_context, lookup
from soundseal.http.quota import seconds_until_next_month
from soundseal.ids import SANDBOX_CERTIFICATE_ID
from soundseal.registry.keys.scopes import PUBLISHABLE_SCOPES
from soundseal.registry.keys.services import Principal, authenticate

__all__ = [
    "OPERATOR",
    "checks_key",
    "mark_key_check",
    "optional_principal",
    "presented_key",
    "publishable_may_hold",
    "read_principal",
    "require_caller",
    "require_key",
    "require_operator",
    "require_scope",
]


def presented_key(headers: Headers) -> str | None:
    """The API key a request presents, if any; a malformed Authorization header is refused."""
    header = headers.get("authorization")
    if header:
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise Unauthorized("Authorization header must be 'Bearer <API key>'")
        return token.strip()
    key = headers.get("x-api-key")
    return key.strip() if key else None


def _charge(request: Request, bucket: str, per_minute: int) -> None:
    result = get_context(request).limiter.hit(bucket, per_minute)
    request.state.response_headers = result.headers()
    if not result.allowed:
        raise RateLimited(
            f"Rate limit of {per_minute} requests per minute exceeded; retry after "
            f"{result.headers()['Retry-After']} s",
            limit=per_minute,
        )


async def resolve_principal(request: Request) -> Principal | None:
    """The caller's principal (cached on the request), charging the rate limit once."""
    if hasattr(request.state, "principal"):
        cached: Principal | None = request.state.principal
        return cached
    context = get_context(request)
    settings = context.settings
    try:
        token = presented_key(request.headers)
    except Unauthorized:
        # Charged like a wrong key, so malformed headers cannot probe for free.
        _charge(request, f"ip:{client_ip(request)}", settings.rate_limit_anonymous)
        raise
    principal: Principal | None = None
    if token is not None:
        principal = await lookup(request, lambda reader: authenticate(reader, token))
    if principal is None:
        _charge(request, f"ip:{client_ip(request)}", settings.rate_limit_anonymous)
        if token is not None:
            raise Unauthorized("Invalid or revoked API key")
    else:
        per_minute = (
            settings.rate_limit_secret
            if principal.kind == "secret"
            else settings.rate_limit_publishable
        )
        _charge(request, f"key:{principal.key_id}", per_minute)
        # The path as routed (`request.url` would build a whole URL on every request).
        path: str = request.scope["path"]
        if settings.quotas_enabled and not path.startswith(_QUOTA_FREE_PATHS):
            _count_monthly(request, principal)
    request.state.principal = principal
    return principal


# A workspace over its quota must still be able to see its usage and upgrade.
_QUOTA_FREE_PATHS = ("/api/v1/billing/",)


def _count_monthly(request: Request, principal: Principal) -> None:
    context = get_context(request)
    used = context.quota.hit(principal.account_id)
    limit = context.catalogue.monthly_limit(principal.tier)
    if used > limit:
        retry_after = seconds_until_next_month(datetime.now(UTC))
        headers = getattr(request.state, "response_headers", {})
        request.state.response_headers = {**headers, "Retry-After": str(retry_after)}
        raise QuotaExceeded(
            f"This workspace has used its {limit:,} requests for this month on the "
            f"{principal.tier} tier; upgrade at POST /api/v1/billing/checkout or wait for "
            "the next month",
            current_tier=principal.tier,
            monthly_requests_limit=limit,
            monthly_requests_used=used,
        )


async def optional_principal(request: Request) -> Principal | None:
    return await resolve_principal(request)


def _missing_key() -> Unauthorized:
    return Unauthorized("Missing API key: send 'Authorization: Bearer <key>' or 'X-API-Key: <key>'")


def check_scope(
    principal: Principal | None, scope: str, *, secret_only: bool = False, or_scope: str = ""
) -> Principal:
    if principal is None:
        raise _missing_key()
    if secret_only and principal.kind != "secret":
        raise Forbidden(
            "This endpoint needs a secret key; publishable keys are read-only",
            required_scope=scope,
        )
    if scope not in principal.scopes and or_scope not in principal.scopes:
        raise Forbidden(f"This API key lacks the scope {scope}", required_scope=scope)
    return principal


async def read_principal(request: Request, ident: str) -> Principal | None:
    """The caller reading certificate `ident`: reads need `certificates:read`, except of the
    sandbox certificate, which needs no key (a key given is still checked)."""
    principal = await optional_principal(request)
    if principal is not None or ident != SANDBOX_CERTIFICATE_ID:
        check_scope(principal, "certificates:read")
    return principal


def require_scope(scope: str, *, secret_only: bool = False, or_scope: str = "") -> Any:
    """A dependency: the principal, if its key holds `scope` (the OpenAPI spec lists it), or
    `or_scope` where a vendor doc asks for another scope than soundseal's own rule would."""

    async def dependency(request: Request) -> Principal:
        principal = check_scope(
            await resolve_principal(request), scope, secret_only=secret_only, or_scope=or_scope
        )
        # Only now, with the key's kind and scope checked, may an Idempotency-Key be
        # claimed or its stored response replayed.
        await admit(request, principal, scope)
        return principal

    dependency.__name__ = f"require_{scope.replace(':', '_')}"
    publishable = not secret_only and (
        publishable_may_hold(scope) or publishable_may_hold(or_scope)
    )
    mark_key_check(dependency, scope, publishable=publishable)
    return Depends(dependency)


def publishable_may_hold(scope: str) -> bool:
    """Whether a publishable key can hold `scope`: what decides which operations a browser
    may call across origins (`soundseal.http.edge`)."""
    return scope in PUBLISHABLE_SCOPES


def mark_key_check(call: Any, scope: str, *, publishable: bool) -> Any:
    """Record on an endpoint or dependency what its caller must present.

    `required_scope` is read back by the OpenAPI generator, so the spec names every
    operation's scope; `publishable` decides CORS; `before_body` has the edge run the check
    before any of the request body is read (`soundseal.http.edge`)."""
    call.required_scope = scope
    call.publishable = publishable
    call.before_body = True
    return call


_Endpoint = TypeVar("_Endpoint", bound=Callable[..., Any])


def checks_key(scope: str, *, publishable: bool) -> Callable[[_Endpoint], _Endpoint]:
    """A decorator for endpoints that check their key themselves (a read that needs no key
    for the sandbox certificate, the polled reads): declares what the check needs."""

    def mark(endpoint: _Endpoint) -> _Endpoint:
        mark_key_check(endpoint, scope, publishable=publishable)
        return endpoint

    return mark


async def _any_key(request: Request) -> Principal:
    principal = await resolve_principal(request)
    if principal is None:
        raise _missing_key()
    await admit(request, principal, "")  # no scope to hold
    return principal


mark_key_check(_any_key, "any valid key", publishable=True)


def require_caller(name: str, bucket: str) -> Any:
    """A dependency for endpoints called without an API key (a payment provider's webhook):
    throttled per client IP in a bucket of their own; the spec shows `name` as their auth."""

    async def dependency(request: Request) -> None:
        # Run by the edge before the body is read and again by FastAPI: charged once.
        if getattr(request.state, "caller_charged", False):
            return
        request.state.caller_charged = True
        settings = get_context(request).settings
        _charge(request, f"{bucket}:{client_ip(request)}", settings.rate_limit_anonymous)

    mark_key_check(dependency, name, publishable=False)
    return Depends(dependency)


def require_key() -> Any:
    """A dependency: any valid key, whatever its scopes (the change feed)."""
    return Depends(_any_key)


OPERATOR = "operator"


async def _operator(request: Request) -> str:
    """The registry's operator, by `operator_key`; workspace keys are refused (403).

    Checked before workspace keys, so the operator's credential is never looked up (or
    charged) as an API key; anything else goes through the usual key checks and limits."""
    configured = get_context(request).settings.operator_key
    token = presented_key(request.headers)
    if (
        token is not None
        and configured is not None
        and hmac.compare_digest(token.encode(), configured.get_secret_value().encode())
    ):
        return OPERATOR
    if await resolve_principal(request) is None:
        raise _missing_key()
    raise Forbidden("Only the registry's operator can do this", required_scope=OPERATOR)


mark_key_check(_operator, "operator key (SOUNDSEAL_OPERATOR_KEY)", publishable=False)


def require_operator() -> Any:
    """A dependency: the operator's credential (see `Settings.operator_key`)."""
    return Depends(_operator)
