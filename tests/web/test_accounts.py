from __future__ import annotations

import html
import statistics
import time
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from sqlalchemy import func, select
from starlette.testclient import TestClient

from soundseal.app import create_app
from soundseal.db import Database
from soundseal.registry.logins.models import WebSession, WebUser
from tests.factories import Factory, WebLogin
from tests.web.conftest import BASE_URL, Browser, csrf_of, web_settings


def _sessions(database: Database) -> int:
    with database.transaction(write=False) as session:
        return int(session.scalar(select(func.count()).select_from(WebSession)) or 0)


def test_sign_up_creates_a_workspace_then_logs_in(browser: Browser, database: Database) -> None:
    response = browser.submit(
        "/signup",
        "/signup",
        {"email": "Maya@Example.com", "workspace": "Maya Records", "password": "a long passphrase"},
    )
    assert response.status_code == 303
    assert response.headers["location"] == "/login?done=signup"
    assert "soundseal_session" not in response.headers.get("set-cookie", "")
    page = browser.get("/login?done=signup")
    assert "If that email was new, its workspace is ready" in page.text
    signed_in = browser.submit(
        "/login", "/login", {"email": "maya@example.com", "password": "a long passphrase"}
    )
    assert signed_in.status_code == 303
    cookie = signed_in.headers["set-cookie"]
    assert "soundseal_session=" in cookie
    for flag in ("HttpOnly", "Secure", "SameSite=lax"):
        assert flag.lower() in cookie.lower(), flag
    assert "Maya Records" in browser.get("/dashboard/certificates").text
    with database.transaction(write=False) as session:
        user = session.scalar(select(WebUser))
        assert user is not None
        assert user.email == "maya@example.com"
        assert user.password_hash.startswith("$argon2id$")
        assert "a long passphrase" not in user.password_hash


def test_sign_up_refuses_short_and_guessable_passwords(browser: Browser) -> None:
    short = browser.submit("/signup", "/signup", {"email": "a@example.com", "password": "short"})
    assert short.status_code == 400
    assert "at least 10 characters" in short.text
    for weak, advice in (
        ("aaaaaaaaaa", "Repeats like"),
        ("password123", "very common password"),
        ("maya@example.com2026", "too easy to guess"),
        ("MayaRecords2026", "too easy to guess"),
    ):
        page = browser.submit(
            "/signup",
            "/signup",
            {"email": "maya@example.com", "workspace": "Maya Records", "password": weak},
        )
        assert page.status_code == 400, weak
        assert "The password is too easy to guess." in page.text, weak
        assert advice in html.unescape(page.text), weak
    assert browser.get("/login?done=signup").status_code == 200


def test_sign_up_of_a_taken_email_answers_as_a_new_one_would(
    browser: Browser, factory: Factory, database: Database
) -> None:
    taken = factory.web_user()

    def sign_up(email: str) -> tuple[float, Any]:
        started = time.perf_counter()
        response = browser.submit(
            "/signup", "/signup", {"email": email, "password": "another long one"}
        )
        return time.perf_counter() - started, response

    timings: dict[str, list[float]] = {"new": [], "taken": []}
    for n in range(3):
        new_time, new = sign_up(f"newcomer{n}@example.com")
        taken_time, again = sign_up(taken.email)
        timings["new"].append(new_time)
        timings["taken"].append(taken_time)
        assert again.status_code == new.status_code == 303
        assert again.headers["location"] == new.headers["location"] == "/login?done=signup"
        assert (
            again.headers.get("set-cookie", "").split("=")[0]
            == new.headers.get("set-cookie", "").split("=")[0]
        )
    # The taken email hashes the password too: no shortcut that a stopwatch could see.
    assert statistics.median(timings["taken"]) > 0.5 * statistics.median(timings["new"])
    # Nothing changed for the existing workspace: its owner's password still works.
    assert (
        browser.submit(
            "/login", "/login", {"email": taken.email, "password": "another long one"}
        ).status_code
        == 401
    )
    browser.submit("/login", "/login", {"email": taken.email, "password": taken.password})
    with database.transaction(write=False) as session:
        assert session.scalar(select(func.count()).select_from(WebUser)) == 4


def test_the_cookie_is_not_secure_on_a_plain_http_registry(
    database: Database, tmp_path: Path, factory: Factory
) -> None:
    login = factory.web_user()
    settings = web_settings(database, tmp_path, public_url="http://127.0.0.1:8000")
    with TestClient(create_app(settings, database), base_url="http://127.0.0.1:8000") as client:
        token = csrf_of(client.get("/login").text)
        response = client.post(
            "/login",
            data={"csrf_token": token, "email": login.email, "password": login.password},
            follow_redirects=False,
        )
        assert response.status_code == 303
        assert "secure" not in response.headers["set-cookie"].lower()
        assert "httponly" in response.headers["set-cookie"].lower()


def test_log_in_with_a_wrong_password_fails_alike(browser: Browser, factory: Factory) -> None:
    login = factory.web_user()
    wrong = browser.submit("/login", "/login", {"email": login.email, "password": "not it at all"})
    unknown = browser.submit(
        "/login", "/login", {"email": "nobody@example.com", "password": "not it at all"}
    )
    assert wrong.status_code == unknown.status_code == 401
    assert "Wrong email or password" in wrong.text
    assert "Wrong email or password" in unknown.text
    assert "set-cookie" not in wrong.headers or "soundseal_session" not in wrong.headers.get(
        "set-cookie", ""
    )


def test_log_in_redirects_to_the_page_asked_for_but_only_on_this_site(
    browser: Browser, factory: Factory
) -> None:
    login = factory.web_user()
    assert browser.get("/dashboard/keys").headers["location"] == "/login?next=/dashboard/keys"
    ok = browser.submit(
        "/login",
        "/login",
        {"email": login.email, "password": login.password, "next": "/dashboard/keys"},
    )
    assert ok.headers["location"] == "/dashboard/keys"
    browser.client.cookies.clear()
    evil = browser.submit(
        "/login",
        "/login",
        {"email": login.email, "password": login.password, "next": "//evil.example/x"},
    )
    assert evil.headers["location"] == "/dashboard"


def test_forms_without_the_csrf_token_are_refused(browser: Browser, factory: Factory) -> None:
    login = factory.web_user()
    browser.get("/login")  # sets the double-submit cookie
    missing = browser.post("/login", {"email": login.email, "password": login.password})
    assert missing.status_code == 403
    forged = browser.post(
        "/login", {"csrf_token": "guess", "email": login.email, "password": login.password}
    )
    assert forged.status_code == 403
    browser.log_in(login)
    token = csrf_of(browser.get("/dashboard/keys").text)
    cross_site = browser.post(
        "/dashboard/keys",
        {"csrf_token": token, "kind": "secret", "scopes": "verify:read"},
        origin="https://evil.example",
    )
    assert cross_site.status_code == 403
    stale = browser.post("/dashboard/keys", {"csrf_token": "x" * 43, "kind": "secret"})
    assert stale.status_code == 403
    assert "did not come from this site" in stale.text


def test_log_in_attempts_are_rate_limited(
    database: Database, tmp_path: Path, factory: Factory
) -> None:
    login = factory.web_user()
    app = create_app(web_settings(database, tmp_path, rate_limit_login=3), database)
    with TestClient(app, base_url=BASE_URL) as client:
        browser = Browser(client)
        codes = [
            browser.submit(
                "/login", "/login", {"email": login.email, "password": "wrong password!"}
            ).status_code
            for _ in range(4)
        ]
        assert codes == [401, 401, 401, 429]
        # Even the right password waits out the window.
        right = browser.submit(
            "/login", "/login", {"email": login.email, "password": login.password}
        )
        assert right.status_code == 429
        assert "Too many attempts" in right.text


def test_log_out_ends_the_session_on_the_server(
    signed_in: tuple[Browser, object], database: Database
) -> None:
    browser, _ = signed_in
    stolen = dict(browser.client.cookies)
    assert _sessions(database) == 1
    response = browser.submit("/dashboard/keys", "/logout", {})
    assert response.status_code == 303
    assert _sessions(database) == 0
    # A copy of the old cookie is worth nothing now.
    browser.client.cookies.update(stolen)
    assert browser.get("/dashboard/certificates").status_code == 303


def test_changing_the_password_signs_out_other_browsers(
    app: FastAPI, factory: Factory, database: Database
) -> None:
    login = factory.web_user()
    with (
        TestClient(app, base_url=BASE_URL) as first,
        TestClient(app, base_url=BASE_URL) as second,
    ):
        me, other = Browser(first), Browser(second)
        me.log_in(login)
        other.log_in(login)
        assert _sessions(database) == 2
        wrong = me.submit(
            "/account/password",
            "/account/password",
            {
                "current_password": "nope nope nope",
                "new_password": "x" * 12,
                "confirm_password": "x" * 12,
            },
        )
        assert wrong.status_code == 400
        assert "current password is wrong" in wrong.text
        done = me.submit(
            "/account/password",
            "/account/password",
            {
                "current_password": login.password,
                "new_password": "a brand new passphrase",
                "confirm_password": "a brand new passphrase",
            },
        )
        assert done.status_code == 303
        assert _sessions(database) == 1
        assert me.get("/account/password?done=1").status_code == 200
        assert other.get("/dashboard/certificates").status_code == 303
        other.client.cookies.clear()
        old = other.submit("/login", "/login", {"email": login.email, "password": login.password})
        assert old.status_code == 401
        login.password = "a brand new passphrase"
        other.log_in(login)


def test_sign_up_can_be_closed(database: Database, tmp_path: Path) -> None:
    app = create_app(web_settings(database, tmp_path, signup_enabled=False), database)
    with TestClient(app, base_url=BASE_URL) as client:
        assert client.get("/signup", headers={"accept": "text/html"}).status_code == 404
        assert "/signup" not in client.get("/").text


def test_wrong_password_floods_back_off_without_locking_the_owner_out(
    database: Database, tmp_path: Path, factory: Factory
) -> None:
    owner = factory.web_user()
    settings = web_settings(
        database,
        tmp_path,
        rate_limit_login=1000,
        login_backoff_free_failures=2,
        login_backoff_max_seconds=300,
    )
    app = create_app(settings, database)

    def from_address(address: str) -> Browser:
        return Browser(TestClient(app, base_url=BASE_URL, client=(address, 50000)))

    def log_in(browser: Browser, email: str, password: str) -> Any:
        return browser.submit("/login", "/login", {"email": email, "password": password})

    # One address guessing at many accounts: that address waits, the owner elsewhere does not.
    guesser = from_address("203.0.113.7")
    for n in range(3):
        assert log_in(guesser, f"user{n}@example.com", "wrong password!").status_code == 401
    refused = log_in(guesser, owner.email, owner.password)
    assert refused.status_code == 429
    assert "Too many wrong passwords" in refused.text
    assert refused.headers["retry-after"] in ("1", "2")
    assert log_in(from_address("198.51.100.4"), owner.email, owner.password).status_code == 303

    # Many addresses guessing at one account: the account waits, then the right password
    # (once the window has passed) works again and resets the count.
    for n in range(3):
        assert log_in(from_address(f"192.0.2.{n}"), owner.email, "wrong again!").status_code == 401
    blocked = log_in(from_address("198.51.100.4"), owner.email, owner.password)
    assert blocked.status_code == 429
    time.sleep(int(blocked.headers["retry-after"]))
    assert log_in(from_address("198.51.100.4"), owner.email, owner.password).status_code == 303
    # Reset: the next typos are free again.
    for _ in range(2):
        assert log_in(from_address("198.51.100.4"), owner.email, "a typo here").status_code == 401
    assert log_in(from_address("198.51.100.4"), owner.email, owner.password).status_code == 303


def test_a_password_change_meets_the_same_rule(
    signed_in: tuple[Browser, WebLogin], database: Database
) -> None:
    browser, login = signed_in
    for weak in ("aaaaaaaaaaaa", login.email + "1"):
        page = browser.submit(
            "/account/password",
            "/account/password",
            {"current_password": login.password, "new_password": weak, "confirm_password": weak},
        )
        assert page.status_code == 400, weak
        assert "The password is too easy to guess." in page.text, weak
    # Nothing changed: the old password still works.
    assert _sessions(database) == 1
    with database.transaction(write=False) as session:
        user = session.get(WebUser, login.user_id)
        assert user is not None
        assert user.password_changed_at == user.created_at


@pytest.mark.parametrize(
    ("page", "form", "field"),
    [
        (
            "/signup",
            {"email": "nul@example.com", "workspace": "a\x00b", "password": "a fine pass 93 x"},
            "workspace",
        ),
        ("/login", {"email": "nul@example.com", "password": "pass\x00word"}, "password"),
    ],
)
def test_a_nul_character_in_a_field_is_a_400_naming_it(
    browser: Browser, page: str, form: dict[str, str], field: str
) -> None:
    """PostgreSQL cannot store NUL in text: it was a 500 for anyone, signed in or not."""
    response = browser.submit(page, page, form)
    assert response.status_code == 400, response.text
    assert field in response.text
