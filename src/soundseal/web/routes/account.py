"""Sign-up, log-in, log-out and password change."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from soundseal.errors import Conflict, InvalidInput, RateLimited, Unauthorized
from soundseal.http.context import client_ip, get_context, transaction
from soundseal.registry.logins.backoff import (
    Backoff,
    check_backoff,
    clear_failures,
    record_failure,
)
from soundseal.registry.logins.services import (
    MIN_PASSWORD_LENGTH,
    authenticate_password,
    change_password,
    end_session,
    purge_expired_sessions,
    sign_up,
    start_session,
    upgrade_hash,
)
from soundseal.web.rendering import error_page, render
from soundseal.web.sessions import (
    NO_NUL,
    check_csrf,
    clear_session_cookie,
    form_checks,
    require_user,
    session_ttl,
    set_session_cookie,
    signed_in,
)

router = APIRouter(include_in_schema=False, dependencies=[form_checks(session=False)])

FormText = Annotated[str, Form(max_length=2000, pattern=NO_NUL)]
_NO_STORE = {"Cache-Control": "no-store"}


def _safe_next(target: str) -> str:
    """Only a path on this site: never `//evil.example` or an absolute URL."""
    if target.startswith("/") and not target.startswith(("//", "/\\")):
        return target
    return "/dashboard"


def _throttle(request: Request, *buckets: str) -> None:
    context = get_context(request)
    limit = context.settings.rate_limit_login
    for bucket in buckets:
        result = context.limiter.hit(f"login:{bucket}", limit)
        if not result.allowed:
            request.state.response_headers = result.headers()
            raise RateLimited("Too many attempts. Wait a minute before trying again.", limit=limit)


def _backoff(request: Request) -> Backoff:
    settings = get_context(request).settings
    return Backoff(
        free_failures=settings.login_backoff_free_failures,
        max_seconds=settings.login_backoff_max_seconds,
    )


def _signed_in_redirect(request: Request, token: str, target: str) -> RedirectResponse:
    response = RedirectResponse(_safe_next(target), status_code=303)
    set_session_cookie(request, response, token)
    return response


@router.get("/signup")
def signup_form(request: Request) -> Response:
    if not get_context(request).settings.signup_enabled:
        return error_page(request, 404, "Sign-up is closed", "Ask this registry's operator.")
    return render(
        request, "signup.html", forms=True, min_length=MIN_PASSWORD_LENGTH, headers=_NO_STORE
    )


@router.post("/signup")
def signup(
    request: Request,
    csrf_token: FormText = "",
    email: FormText = "",
    workspace: FormText = "",
    password: FormText = "",
) -> Response:
    check_csrf(request, csrf_token)
    if not get_context(request).settings.signup_enabled:
        return error_page(request, 404, "Sign-up is closed", "Ask this registry's operator.")
    _throttle(request, f"ip:{client_ip(request)}")
    try:
        with transaction(request, write=True) as session:
            sign_up(
                session,
                email=email,
                password=password,
                workspace=workspace or email.strip(),
                signup_credits=get_context(request).settings.effective_signup_credits,
            )
    except Conflict:
        # A taken email gets the very answer a new one gets (and `sign_up` has spent the
        # same hashing time), so sign-up does not tell who has a workspace here. Nothing
        # is changed for the existing workspace; its owner logs in with their own password.
        pass
    except InvalidInput as exc:
        return render(
            request,
            "signup.html",
            status_code=exc.code.status,
            forms=True,
            error=exc.message,
            email=email,
            workspace=workspace,
            min_length=MIN_PASSWORD_LENGTH,
            headers=_NO_STORE,
        )
    # Not signed in at once: a session cookie here would tell a new email from a taken one.
    return RedirectResponse("/login?done=signup", status_code=303)


@router.get("/login")
def login_form(request: Request, next: str = "/dashboard", done: str | None = None) -> Response:
    if signed_in(request) is not None:
        return RedirectResponse(_safe_next(next), status_code=303)
    return render(
        request,
        "login.html",
        forms=True,
        next=_safe_next(next),
        signed_up=done == "signup",
        headers=_NO_STORE,
    )


@router.post("/login")
def login(
    request: Request,
    csrf_token: FormText = "",
    email: FormText = "",
    password: FormText = "",
    next: FormText = "/dashboard",
) -> Response:
    check_csrf(request, csrf_token)
    _throttle(request, f"ip:{client_ip(request)}", f"email:{email.strip().lower()[:320]}")
    client = client_ip(request)
    try:
        with transaction(request, write=False) as session:
            try:
                check_backoff(session, email=email, client=client)
            except RateLimited as exc:
                request.state.response_headers = {"Retry-After": str(exc.extra["retry_after"])}
                raise
            user = authenticate_password(session, email=email, password=password)
        with transaction(request, write=True) as session:
            clear_failures(session, email=email)
            upgrade_hash(session, user_id=user.id, password=password)
            # Expired sessions are swept here, so the table needs no scheduled job.
            purge_expired_sessions(session)
            token = start_session(session, user, ttl=session_ttl(request))
    except Unauthorized as exc:
        with transaction(request, write=True) as session:
            record_failure(session, email=email, client=client, policy=_backoff(request))
        return render(
            request,
            "login.html",
            status_code=exc.code.status,
            forms=True,
            error=exc.message,
            email=email,
            next=_safe_next(next),
            headers=_NO_STORE,
        )
    return _signed_in_redirect(request, token, next)


@router.post("/logout")
def logout(request: Request, csrf_token: FormText = "") -> Response:
    user = signed_in(request)
    if user is not None:
        check_csrf(request, csrf_token)
        with transaction(request, write=True) as session:
            end_session(session, user.session_id)
    response = RedirectResponse("/", status_code=303)
    clear_session_cookie(request, response)
    return response


@router.get("/account/password")
def password_form(request: Request, done: str | None = None) -> Response:
    user = require_user(request)
    return render(
        request,
        "password.html",
        forms=True,
        user=user,
        done=done == "1",
        min_length=MIN_PASSWORD_LENGTH,
        headers=_NO_STORE,
    )


@router.post("/account/password")
def password_change(
    request: Request,
    csrf_token: FormText = "",
    current_password: FormText = "",
    new_password: FormText = "",
    confirm_password: FormText = "",
) -> Response:
    user = require_user(request)
    check_csrf(request, csrf_token)
    _throttle(request, f"ip:{client_ip(request)}", f"email:{user.email}")
    try:
        if new_password != confirm_password:
            raise InvalidInput("The new passwords do not match", field="confirm_password")
        with transaction(request, write=True) as session:
            token = change_password(
                session,
                user_id=user.user_id,
                current=current_password,
                new=new_password,
                ttl=session_ttl(request),
            )
    except InvalidInput as exc:
        return render(
            request,
            "password.html",
            status_code=exc.code.status,
            forms=True,
            user=user,
            error=exc.message,
            min_length=MIN_PASSWORD_LENGTH,
            headers=_NO_STORE,
        )
    return _signed_in_redirect(request, token, "/account/password?done=1")
