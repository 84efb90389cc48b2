"""Headless Chromium against the registry on loopback, and a host page on another origin.

Browser tests exercise what the browser does (widgets, forms, CSP, escaping); the database
behaviour under them is covered on both backends by the in-process tests, so these run on
SQLite only to keep the suite fast.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import uvicorn
from fastapi import FastAPI

from soundseal.app import create_app
from soundseal.db import Database
from soundseal.http.serving import UVICORN_OPTIONS
from tests.backends import Backend, sqlite_backend, unavailable
from tests.conftest import LiveServer, free_port
from tests.web.conftest import web_settings

playwright_api = pytest.importorskip("playwright.sync_api")

CHROMIUM = os.environ.get("SOUNDSEAL_TEST_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# `scripts/screenshots` sets it: the pictures the README shows are written where it shows them.
WRITE_SCREENSHOTS = os.environ.get("SOUNDSEAL_WRITE_SCREENSHOTS") == "1"
IMAGES = Path(__file__).resolve().parents[3] / "docs" / "images"
# What earlier pictures said and is no longer true: a picture must never say it again.
STALE = (
    "arrives with the audio service",
    "does not accept claims yet",
    "not available yet",
    "not here yet",
)


@pytest.fixture(scope="session")
def backend(tmp_path_factory: pytest.TempPathFactory) -> Backend:
    return sqlite_backend(tmp_path_factory.mktemp("sqlite-browser"))


class Registry(LiveServer):
    """The registry on a port chosen before the app is built, so that its public URL (and
    with it every absolute link and the cookies' Secure flag) is the address it serves."""

    def __init__(self, database: Database, tmp_path: Path) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.app: FastAPI = create_app(
            web_settings(database, tmp_path, public_url=self.url), database
        )
        config = uvicorn.Config(
            self.app, host="127.0.0.1", port=self.port, log_level="warning", **UVICORN_OPTIONS
        )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)


@pytest.fixture
def registry(database: Database, tmp_path: Path) -> Iterator[Registry]:
    with Registry(database, tmp_path) as server:
        yield server


class HostSite:
    """Another site that embeds the widgets: a different origin (127.0.0.2) than the
    registry, so CORS and cookie isolation are real."""

    def __init__(self) -> None:
        self.pages: dict[str, str] = {}
        pages = self.pages

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                body = pages.get(self.path.split("?")[0])
                self.send_response(200 if body is not None else 404)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.end_headers()
                self.wfile.write((body or "not found").encode())

            def log_message(self, *args: object) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.2", 0), Handler)
        self.url = f"http://127.0.0.2:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def add(self, path: str, html: str) -> str:
        self.pages[path] = html
        return self.url + path


@pytest.fixture
def host() -> Iterator[HostSite]:
    site = HostSite()
    site.thread.start()
    yield site
    site.httpd.shutdown()
    site.httpd.server_close()


@pytest.fixture(scope="session")
def chromium() -> Iterator[object]:
    if not Path(CHROMIUM).exists():
        unavailable("Chromium", f"not found at {CHROMIUM}")
    with playwright_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


class PageErrors(list[str]):
    def check(self) -> None:
        assert not self, "\n".join(self)


@pytest.fixture
def page(chromium: object) -> Iterator[object]:
    """A fresh browser context and page; fails the test on page errors or CSP violations."""
    context = chromium.new_context(viewport={"width": 1280, "height": 900})  # type: ignore[attr-defined]
    page = context.new_page()
    page.set_default_timeout(10_000)
    errors = PageErrors()
    page.on("pageerror", lambda exc: errors.append(f"page error: {exc}"))
    page.on(
        "console",
        lambda msg: (
            errors.append(f"console: {msg.text}")
            if msg.type == "error" and "Content Security Policy" in msg.text
            else None
        ),
    )
    page.on("dialog", lambda dialog: _dialog(dialog, errors))
    page.errors = errors
    yield page
    context.close()
    errors.check()


def _dialog(dialog: object, errors: PageErrors) -> None:
    # The dashboard asks before revoking; any other dialog (an alert()) is a failure.
    if dialog.type == "confirm":  # type: ignore[attr-defined]
        dialog.accept()  # type: ignore[attr-defined]
        return
    errors.append(f"dialog: {dialog.message}")  # type: ignore[attr-defined]
    dialog.dismiss()  # type: ignore[attr-defined]


def screenshot(page: object, name: str, **options: object) -> None:
    """One of the README's pictures: the page is checked on every run, so the picture cannot
    go stale unnoticed, and written to docs/images when `SOUNDSEAL_WRITE_SCREENSHOTS=1`."""
    text = page.inner_text("body")  # type: ignore[attr-defined]
    assert text.strip(), f"{name}: the page is empty"
    stale = [phrase for phrase in STALE if phrase in text]
    assert not stale, f"{name}: the page still says {stale}"
    if WRITE_SCREENSHOTS:
        IMAGES.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(IMAGES / name), animations="disabled", **options)  # type: ignore[attr-defined]
