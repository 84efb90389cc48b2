from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from starlette.testclient import TestClient

from soundseal.db import Database
from soundseal.settings import Settings, load_settings
from tests.conftest import TEST_DEFAULTS
from tests.factories import Factory, WebLogin

BASE_URL = "https://registry.test"
_CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"')


def web_settings(database: Database, tmp_path: Path, **overrides: Any) -> Settings:
    """Like `tests.conftest.make_settings`, but the public URL can be overridden too."""
    url = database.engine.url.render_as_string(hide_password=False)
    values: dict[str, Any] = {
        "data_dir": tmp_path / "data",
        "database_url": url,
        "public_url": BASE_URL,
        **TEST_DEFAULTS,
        **overrides,
    }
    return load_settings(**values)


def csrf_of(html: str) -> str:
    match = _CSRF_RE.search(html)
    assert match, "no CSRF token on the page"
    return match.group(1)


class Browser:
    """An in-process client that keeps cookies, over https like the configured public URL
    (the session cookie is Secure there), sending what a browser's form would send."""

    def __init__(self, client: TestClient) -> None:
        self.client = client

    def get(self, path: str, **kwargs: object):  # type: ignore[no-untyped-def]
        headers = {"accept": "text/html", **kwargs.pop("headers", {})}  # type: ignore[dict-item]
        return self.client.get(path, headers=headers, follow_redirects=False, **kwargs)  # type: ignore[arg-type]

    def submit(self, page: str, action: str, data: dict[str, object], **headers: str):  # type: ignore[no-untyped-def]
        """GET `page`, take its CSRF token, POST the form to `action`."""
        token = csrf_of(self.get(page).text)
        return self.post(action, {"csrf_token": token, **data}, **headers)

    def post(self, action: str, data: dict[str, object], **headers: str):  # type: ignore[no-untyped-def]
        return self.client.post(
            action,
            data=data,
            headers={"accept": "text/html", "origin": BASE_URL, **headers},
            follow_redirects=False,
        )

    def log_in(self, login: WebLogin) -> None:
        response = self.submit(
            "/login", "/login", {"email": login.email, "password": login.password}
        )
        assert response.status_code == 303, response.text


@pytest.fixture
def browser(app: FastAPI) -> Iterator[Browser]:
    with TestClient(app, base_url=BASE_URL, raise_server_exceptions=False) as client:
        yield Browser(client)


@pytest.fixture
def signed_in(browser: Browser, factory: Factory) -> tuple[Browser, WebLogin]:
    login = factory.web_user()
    browser.log_in(login)
    return browser, login
