"""Security headers on every response, whatever produced it.

Every page gets a Content-Security-Policy that allows only this origin's own scripts,
styles and images, no inline script, and no framing. A route that needs another policy (the
embed iframe, the badge image) sets its own header, which is kept. Only a policy with
`frame-ancestors *` — the embed iframe's — lets a page be framed.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from soundseal.http.headers import add_absent

__all__ = ["EMBED_CSP", "PAGE_CSP", "SecurityHeadersMiddleware", "embed_csp"]

PAGE_CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; frame-src 'self'; form-action 'self'; base-uri 'none'; "
    "frame-ancestors 'none'"
)
# FastAPI's Swagger UI page loads its bundle from a CDN and starts it with an inline script.
DOCS_CSP = (
    "default-src 'none'; script-src https://cdn.jsdelivr.net 'unsafe-inline'; "
    "style-src https://cdn.jsdelivr.net 'unsafe-inline'; "
    "img-src 'self' data: https://fastapi.tiangolo.com; connect-src 'self'; "
    "base-uri 'none'; frame-ancestors 'none'"
)
EMBED_CSP = "default-src 'none'; img-src 'self' data:; base-uri 'none'; form-action 'none'; "


def embed_csp(style_hash: str) -> str:
    """The embed iframe's policy: its one inline stylesheet (by hash), and any framer.

    The stylesheet is inline because the iframe is sandboxed into an opaque origin, where
    'self' would not reliably match this server."""
    return f"{EMBED_CSP}style-src '{style_hash}'; frame-ancestors *"


class SecurityHeadersMiddleware:
    def __init__(self, app: ASGIApp, *, https: bool, docs_path: str | None) -> None:
        self.app = app
        self.https = https
        self.docs_path = docs_path

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        default = DOCS_CSP if scope["path"] == self.docs_path else PAGE_CSP

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                defaults = {
                    "Content-Security-Policy": default,
                    "X-Content-Type-Options": "nosniff",
                    "Referrer-Policy": "strict-origin-when-cross-origin",
                }
                if self.https:
                    defaults["Strict-Transport-Security"] = "max-age=31536000"
                csp = add_absent(message, defaults)["Content-Security-Policy"]
                if "frame-ancestors *" not in csp:
                    add_absent(message, {"X-Frame-Options": "DENY"})
            await send(message)

        await self.app(scope, receive, send_with_headers)
