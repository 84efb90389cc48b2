"""Server-rendered pages: one Jinja2 environment with autoescaping, and HTML error pages."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from datetime import date, datetime
from typing import Any, cast

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup
from starlette.exceptions import HTTPException as StarletteHTTPException

from soundseal.__about__ import __version__
from soundseal.errors import SoundsealError
from soundseal.http.errors import domain_error_parts
from soundseal.urls import badge_path, proof_path, verify_path
from soundseal.web.assets import asset_url
from soundseal.web.sessions import LoginRequired, attach_csrf_cookie, form_token

__all__ = ["install_html_errors", "json_script", "render", "render_text"]

_env = Environment(
    loader=PackageLoader("soundseal.web", "templates"),
    autoescape=select_autoescape(default=True, default_for_string=True),
    trim_blocks=True,
    lstrip_blocks=True,
    auto_reload=False,
)


def _day(value: datetime | date | None) -> str:
    return value.strftime("%d %B %Y").lstrip("0") if value else ""


def _moment(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%d %H:%M UTC") if value else ""


def json_script(value: Any) -> Markup:
    """JSON safe inside a <script> element: no `</script>` or comment can be formed."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    for raw, escaped in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026")):
        text = text.replace(raw, escaped)
    text = text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
    return Markup(text)  # noqa: S704 - escaped above for the script context


_env.filters["day"] = _day
_env.filters["moment"] = _moment
_env.globals["asset_url"] = asset_url
_env.globals["version"] = __version__
# Links between the registry's own pages, built where every other address is.
_env.globals["proof_path"] = proof_path
_env.globals["verify_path"] = verify_path
_env.globals["badge_path"] = badge_path


def render_text(template: str, **context: Any) -> str:
    return _env.get_template(template).render(**context)


def render(
    request: Request,
    template: str,
    *,
    status_code: int = 200,
    headers: dict[str, str] | None = None,
    forms: bool = False,
    **context: Any,
) -> HTMLResponse:
    """Render a page. `forms=True` adds the CSRF token (and its cookie when needed)."""
    if forms:
        context["csrf_token"] = form_token(request)
    html = _env.get_template(template).render(request=request, **context)
    response = HTMLResponse(html, status_code=status_code, headers=headers)
    if forms:
        attach_csrf_cookie(request, response)
    return response


def error_page(request: Request, status: int, title: str, message: str) -> HTMLResponse:
    return render(
        request,
        "error.html",
        status_code=status,
        code=status,
        title=title,
        message=message,
        headers={"Cache-Control": "no-store"},
    )


_TITLES = {
    400: "Something in the request is not right",
    401: "Not signed in",
    403: "Not allowed",
    404: "Page not found",
    405: "Not allowed",
    409: "Conflict",
    413: "Too large",
    429: "Too many attempts",
}


def _wants_html(request: Request) -> bool:
    """Browsers asking for a page outside the API get HTML errors; everything else keeps
    the API's JSON error body."""
    return not request.url.path.startswith("/api/") and "text/html" in request.headers.get(
        "accept", ""
    )


Handler = Callable[[Request, Exception], Awaitable[Response]]


def install_html_errors(app: FastAPI) -> None:
    """Wrap the API's error handlers so that browsers get an HTML page on web paths."""
    json_domain = cast(Handler, app.exception_handlers[SoundsealError])
    json_http = cast(Handler, app.exception_handlers[StarletteHTTPException])

    async def domain_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, SoundsealError)
        if not _wants_html(request):
            return await json_domain(request, exc)
        # The status is the code's own (`ErrorCode`), the one the API answers with.
        message, code, _ = domain_error_parts(exc)
        return error_page(request, code.status, _TITLES.get(code.status, "Error"), message)

    async def http_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, StarletteHTTPException)
        if not _wants_html(request) or exc.status_code >= 500:
            return await json_http(request, exc)
        if exc.status_code == 404:
            message = "There is no page at this address."
        else:
            message = _TITLES.get(exc.status_code, "The request could not be handled.")
        return error_page(request, exc.status_code, _TITLES.get(exc.status_code, "Error"), message)

    async def login_required(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, LoginRequired)
        from urllib.parse import quote

        return RedirectResponse(f"/login?next={quote(exc.next_path, safe='/')}", status_code=303)

    app.add_exception_handler(SoundsealError, domain_error)
    app.add_exception_handler(StarletteHTTPException, http_error)
    app.add_exception_handler(LoginRequired, login_required)
