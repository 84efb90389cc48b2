"""Browser sessions and CSRF protection for the dashboard's forms.

The session cookie holds a random token; the server keeps its hash in `web_sessions`, so
logging out or changing the password ends the session for real. Cookies are HttpOnly and
SameSite=Lax, and Secure whenever `public_url` is https (a registry tried out over plain
http on loopback would otherwise never get its cookie back).

CSRF: a signed-in form echoes the session's own token (synchronizer pattern). The log-in and
sign-up forms, which have no session yet, echo a random token also set as a cookie
(double submit). Every POST is refused, too, when the browser says it comes from another
site (`Origin` / `Sec-Fetch-Site`).
"""

from __future__ import annotations

import hmac
import secrets
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

from fastapi import Depends, Request
from fastapi.responses import Response

from soundseal.errors import Forbidden
from soundseal.http.context import get_context
from soundseal.registry.logins.services import SignedIn, resolve_session

__all__ = [
    "CSRF_COOKIE",
    "NO_NUL",
    "SESSION_COOKIE",
    "LoginRequired",
    "check_csrf",
    "clear_session_cookie",
    "form_checks",
    "form_token",
    "require_user",
    "session_ttl",
    "set_session_cookie",
    "signed_in",
]

# Every text form field's `pattern`: PostgreSQL cannot store NUL in text (its driver raises)
# and SQLite cuts strings at it, so a field holding one is a 400, never a 500.
NO_NUL = r"^[^\x00]*$"

SESSION_COOKIE = "soundseal_session"
CSRF_COOKIE = "soundseal_csrf"


class LoginRequired(Exception):
    """Raised by pages that need a signed-in user; answered with a redirect to /login."""

    def __init__(self, next_path: str) -> None:
        super().__init__(next_path)
        self.next_path = next_path


class CsrfFailed(Forbidden):
    def __init__(self) -> None:
        super().__init__(
            "This form has expired or did not come from this site. Reload the page and try again."
        )


def _secure(request: Request) -> bool:
    return get_context(request).settings.public_url.startswith("https://")


def session_ttl(request: Request) -> timedelta:
    return timedelta(hours=get_context(request).settings.session_ttl_hours)


def signed_in(request: Request) -> SignedIn | None:
    """The signed-in user of this request, if any (looked up once per request)."""
    if hasattr(request.state, "signed_in"):
        cached: SignedIn | None = request.state.signed_in
        return cached
    user = None
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        with get_context(request).database.transaction(write=False) as session:
            user = resolve_session(session, token)
    request.state.signed_in = user
    return user


def require_user(request: Request) -> SignedIn:
    user = signed_in(request)
    if user is None:
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        raise LoginRequired(target)
    return user


def set_session_cookie(request: Request, response: Response, token: str) -> None:
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=int(session_ttl(request).total_seconds()),
        httponly=True,
        samesite="lax",
        secure=_secure(request),
        path="/",
    )


def clear_session_cookie(request: Request, response: Response) -> None:
    response.delete_cookie(
        SESSION_COOKIE, httponly=True, samesite="lax", secure=_secure(request), path="/"
    )


def form_token(request: Request) -> str:
    """The token this request's forms must send back."""
    user = signed_in(request)
    if user is not None:
        return user.csrf_token
    token = request.cookies.get(CSRF_COOKIE) or getattr(request.state, "new_csrf_cookie", None)
    if not token or len(token) > 100:
        token = secrets.token_urlsafe(32)
        request.state.new_csrf_cookie = token
    return token


def attach_csrf_cookie(request: Request, response: Response) -> None:
    token = getattr(request.state, "new_csrf_cookie", None)
    if token:
        response.set_cookie(
            CSRF_COOKIE, token, httponly=True, samesite="lax", secure=_secure(request), path="/"
        )


def _same_site(request: Request) -> bool:
    if request.headers.get("sec-fetch-site", "same-origin") not in ("same-origin", "none"):
        return False
    origin = request.headers.get("origin")
    if origin is None:
        return True
    public = urlsplit(get_context(request).settings.public_url)
    allowed = {f"{public.scheme}://{public.netloc}", f"{request.url.scheme}://{request.url.netloc}"}
    return origin in allowed


def check_csrf(request: Request, submitted: str) -> None:
    """Refuse a POST whose form token does not match, or that another site sent."""
    user = signed_in(request)
    expected = user.csrf_token if user is not None else request.cookies.get(CSRF_COOKIE, "")
    if (
        not expected
        or not submitted
        or not hmac.compare_digest(expected.encode(), submitted.encode())
        or not _same_site(request)
    ):
        raise CsrfFailed()


def form_checks(*, session: bool) -> Any:
    """A router's dependency for its forms: what can be refused before the form is parsed.

    Run by the edge (`soundseal.http.edge`) before any of the body is read: a POST from
    another site is refused, and, where the form is for signed-in users only, so is a POST
    without a session cookie (the session itself and the form token are checked by the
    route, which needs the body). The route's body limit is the small form limit."""

    async def checks(request: Request) -> None:
        if request.method in ("GET", "HEAD", "OPTIONS"):
            return
        if session and not request.cookies.get(SESSION_COOKIE):
            raise LoginRequired(request.url.path)
        if not _same_site(request):
            raise CsrfFailed()

    checks.before_body = True  # type: ignore[attr-defined]
    checks.body = "form"  # type: ignore[attr-defined]
    return Depends(checks)
