"""The files the browser loads from this server, held in memory.

Scripts are minified once at start-up (rjsmin) and every asset is gzipped once, so serving
one is a dictionary lookup. They carry an ETag for revalidation; pages link them with a
version query so a deploy is picked up at once.
"""

from __future__ import annotations

import base64
import functools
import gzip
import hashlib
from dataclasses import dataclass
from importlib import resources

import rjsmin
from fastapi import Request
from fastapi.responses import Response

__all__ = ["Asset", "asset", "asset_response", "asset_url"]

_MEDIA_TYPES = {
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
}
NAMES = ("embed-widget.js", "embed.js", "dashboard.js", "site.css", "embed.css")


@dataclass(frozen=True)
class Asset:
    name: str
    body: bytes
    gzipped: bytes
    media_type: str
    etag: str

    @property
    def text(self) -> str:
        return self.body.decode()

    @property
    def csp_hash(self) -> str:
        """The CSP source expression allowing this text inline."""
        return "sha256-" + base64.b64encode(hashlib.sha256(self.body).digest()).decode()


@functools.cache
def asset(name: str) -> Asset:
    if name not in NAMES:
        raise KeyError(name)
    text = (resources.files("soundseal.web") / "static" / name).read_text(encoding="utf-8")
    if name.endswith(".js"):
        text = rjsmin.jsmin(text)
    body = text.strip().encode()
    return Asset(
        name=name,
        body=body,
        gzipped=gzip.compress(body, compresslevel=9, mtime=0),
        media_type=_MEDIA_TYPES[name[name.rindex(".") :]],
        etag='"' + hashlib.sha256(body).hexdigest()[:16] + '"',
    )


def asset_url(name: str) -> str:
    return f"/static/{name}?v={asset(name).etag.strip(chr(34))[:8]}"


def asset_response(request: Request, name: str, *, max_age: int = 3600) -> Response:
    item = asset(name)
    headers = {
        "ETag": item.etag,
        "Cache-Control": f"public, max-age={max_age}",
        "Vary": "Accept-Encoding",
        # The widget scripts are loaded by other sites' pages, including ones that isolate
        # themselves with Cross-Origin-Embedder-Policy.
        "Access-Control-Allow-Origin": "*",
        "Cross-Origin-Resource-Policy": "cross-origin",
    }
    if request.headers.get("if-none-match") == item.etag:
        return Response(status_code=304, headers=headers)
    if "gzip" in request.headers.get("accept-encoding", ""):
        headers["Content-Encoding"] = "gzip"
        return Response(item.gzipped, media_type=item.media_type, headers=headers)
    return Response(item.body, media_type=item.media_type, headers=headers)
