"""The edge over real HTTP: body limits chosen by the route, and callers checked before any
of a body is read (a request that declares a body it never sends would hang the test if
the server tried to read it)."""

from __future__ import annotations

import contextlib
import json
import socket
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from fastapi import APIRouter, Depends, FastAPI, Request
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import text
from starlette.responses import JSONResponse
from starlette.testclient import TestClient

from soundseal.app import create_app
from soundseal.db import Database
from soundseal.http.edge import _nul_parameter
from tests.conftest import LiveServer, make_settings
from tests.factories import Factory

MB = 1024 * 1024
WEBHOOK = "/api/v1/billing/stripe/webhook"
SIGNATURE = "t=1700000000,v1=" + "ab" * 32


def raw_post(
    server: LiveServer,
    path: str,
    headers: dict[str, str],
    *,
    declared: int,
    sent: bytes = b"",
    timeout: float = 5.0,
) -> tuple[int, bytes]:
    """POST declaring `declared` bytes of body but sending only `sent`; the status and body
    of the answer. Times out (failing the test) if the server waits for the rest."""
    lines = [f"POST {path} HTTP/1.1", f"Host: 127.0.0.1:{server.port}"]
    lines += [f"{k}: {v}" for k, v in {**headers, "Content-Length": str(declared)}.items()]
    with socket.create_connection(("127.0.0.1", server.port), timeout=timeout) as sock:
        sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode() + sent)
        return _read_response(sock)


def _read_response(sock: socket.socket) -> tuple[int, bytes]:
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        if not chunk:
            break
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    length = next(
        (
            int(line.split(b":", 1)[1])
            for line in head.split(b"\r\n")
            if line.lower().startswith(b"content-length:")
        ),
        0,
    )
    while len(body) < length:
        chunk = sock.recv(65536)
        if not chunk:
            break
        body += chunk
    return int(head.split(b" ", 2)[1]), body


@contextlib.contextmanager
def broken_table(database: Database, table: str) -> Iterator[None]:
    """As if the database lost `table` under a running server: every query of it fails
    until the block ends (the database is shared with the next test)."""
    with database.transaction(write=True) as session:
        session.execute(text(f"ALTER TABLE {table} RENAME TO {table}_gone"))
    try:
        yield
    finally:
        with database.transaction(write=True) as session:
            session.execute(text(f"ALTER TABLE {table}_gone RENAME TO {table}"))


@pytest.fixture
def billing_server(database: Database, tmp_path: Path) -> Iterator[LiveServer]:
    settings = make_settings(
        database,
        tmp_path,
        stripe_secret_key="sk_test_abc",
        stripe_webhook_secret="whsec_test_secret",
        stripe_api_base="http://127.0.0.1:9",
    )
    with LiveServer(create_app(settings, database)) as server:
        yield server


def test_a_huge_multipart_body_to_the_stripe_webhook_is_refused_unread(
    billing_server: LiveServer,
) -> None:
    status, body = raw_post(
        billing_server,
        WEBHOOK,
        {"Content-Type": "multipart/form-data; boundary=x", "Stripe-Signature": SIGNATURE},
        declared=150 * MB,
        sent=b"--x\r\n" + b"a" * 65536,
    )
    assert status == 413
    assert json.loads(body)["code"] == "payload_too_large"


def test_the_stripe_webhook_wants_a_well_formed_signature_before_its_body(
    billing_server: LiveServer,
) -> None:
    for headers, code in (
        ({}, "bad_request"),
        ({"Stripe-Signature": "t=1,v1=nothex"}, "invalid_signature"),
    ):
        status, body = raw_post(
            billing_server,
            WEBHOOK,
            {"Content-Type": "application/json", **headers},
            declared=500_000,
            sent=b"{",
        )
        assert status == 400
        assert json.loads(body)["code"] == code
        assert "Stripe-Signature" in json.loads(body)["error"]


@pytest.mark.parametrize("path", ["/login", "/signup", "/dashboard/keys", "/cert/x/claim"])
def test_forms_refuse_a_large_multipart_body_before_parsing_it(
    live_server: LiveServer, path: str
) -> None:
    status, body = raw_post(
        live_server,
        path,
        {"Content-Type": "multipart/form-data; boundary=x", "Cookie": "soundseal_session=x"},
        declared=60 * MB,
        sent=b"--x\r\n",
    )
    assert status == 413
    assert json.loads(body)["limit_bytes"] == 64 * 1024


def test_a_dashboard_form_without_a_session_is_sent_to_log_in_unread(
    live_server: LiveServer,
) -> None:
    status, _ = raw_post(
        live_server,
        "/dashboard/keys",
        {"Content-Type": "application/x-www-form-urlencoded"},
        declared=60_000,
    )
    assert status == 303


def test_a_form_from_another_site_is_refused_unread(live_server: LiveServer) -> None:
    status, _ = raw_post(
        live_server,
        "/login",
        {"Content-Type": "application/x-www-form-urlencoded", "Origin": "https://evil.example"},
        declared=60_000,
    )
    assert status == 403


def test_forms_take_only_urlencoded_bodies(client: TestClient) -> None:
    response = client.post("/login", files={"email": (None, "a@example.com")})
    assert response.status_code == 400
    assert response.json()["field"] == "Content-Type"
    assert "application/x-www-form-urlencoded" in response.json()["error"]


def test_an_api_key_is_checked_before_the_body_is_read(
    live_server: LiveServer, factory: Factory
) -> None:
    publishable = factory.key(kind="publishable")
    for headers, status in (
        ({}, 401),
        ({"Authorization": "Bearer ss_sk_live_wrong"}, 401),
        (publishable.headers, 403),
    ):
        answer, _ = raw_post(
            live_server,
            "/api/v1/webhooks",
            {"Content-Type": "application/json", **headers},
            declared=900_000,
            sent=b"{",
        )
        assert answer == status


def test_an_unauthenticated_post_with_a_broken_body_is_a_401(client: TestClient) -> None:
    for path in ("/api/v1/verify", "/api/v1/certificates", "/api/v1/claims", "/api/v1/webhooks"):
        response = client.post(
            path, content=b"{not json", headers={"Content-Type": "application/json"}
        )
        assert response.status_code == 401, (path, response.text)
        assert response.json()["code"] == "unauthorized"


def test_json_bodies_keep_the_small_limit_even_declared_as_multipart(
    live_server: LiveServer, factory: Factory
) -> None:
    key = factory.key()
    status, body = raw_post(
        live_server,
        "/api/v1/verify",
        {"Content-Type": "multipart/form-data; boundary=x", **key.headers},
        declared=2 * MB,
    )
    assert status == 413
    assert json.loads(body)["limit_bytes"] == 1024 * 1024


def test_a_chunked_body_is_cut_off_at_the_limit(live_server: LiveServer, factory: Factory) -> None:
    key = factory.key()
    head = (
        f"POST /api/v1/verify HTTP/1.1\r\nHost: 127.0.0.1:{live_server.port}\r\n"
        f"Authorization: Bearer {key.key}\r\nContent-Type: application/json\r\n"
        "Transfer-Encoding: chunked\r\n\r\n"
    )
    chunk = b"%x\r\n%s\r\n" % (65536, b" " * 65536)
    with socket.create_connection(("127.0.0.1", live_server.port), timeout=10) as sock:
        sock.sendall(head.encode())
        try:
            for _ in range(64):  # 4 MiB, four times the limit, never terminated
                sock.sendall(chunk)
        except OSError:
            pass  # the server answered and closed: what the test wants
        status, body = _read_response(sock)
    assert status == 413
    assert json.loads(body)["code"] == "payload_too_large"


def test_the_upload_endpoint_still_takes_large_audio(
    live_server: LiveServer, factory: Factory, tmp_path: Path
) -> None:
    from tests.api.test_audio_api import samples

    key = factory.key()
    master = samples.write_wav(tmp_path / "master.wav", samples.render_song(30, seed=5))
    assert master.stat().st_size > 4 * MB
    with master.open("rb") as audio:
        response = httpx.post(
            f"{live_server.url}/api/v1/certificates",
            headers=key.headers,
            data={"track_title": "Large", "artist_name": "Band"},
            files={"file": ("master.wav", audio, "audio/wav")},
            timeout=60,
        )
    assert response.status_code == 201, response.text
    too_big_json = b'{"track_title": "' + b"a" * (2 * MB) + b'"}'
    response = httpx.post(
        f"{live_server.url}/api/v1/certificates",
        headers={**key.headers, "Content-Type": "application/json"},
        content=too_big_json,
    )
    assert response.status_code == 413


def test_a_key_check_failing_unexpectedly_is_the_one_500_body(
    client: TestClient, factory: Factory, database: Database
) -> None:
    """A failure no handler takes (the key store unreachable) leaves the edge as it is, and
    the app answers it as every unexpected error: a 500 in the one error shape."""
    key = factory.key()
    with broken_table(database, "api_keys"):
        response = client.post("/api/v1/webhooks", json={}, headers=key.headers)
    assert response.status_code == 500, response.text
    body = response.json()
    assert body["code"] == "internal_error"
    assert body["request_id"] == response.headers["x-request-id"]
    assert "api_keys" not in response.text


class _Refused(Exception):
    """A check's own refusal, answered by a synchronous handler of the app's."""


def test_synchronous_checks_and_handlers_run_before_the_body(app: FastAPI) -> None:
    """FastAPI takes plain functions as dependencies and exception handlers; the edge runs a
    plain check before the body too, and answers its refusal through a plain handler."""

    def let_in(request: Request) -> None:
        if request.headers.get("x-let-in") != "yes":
            raise _Refused()

    let_in.before_body = True  # type: ignore[attr-defined]

    def refused(request: Request, exc: Exception) -> JSONResponse:
        return JSONResponse({"error": "refused", "code": "refused"}, status_code=403)

    router = APIRouter()

    @router.post("/api/v1/checked-plainly", dependencies=[Depends(let_in)])
    async def checked(request: Request) -> dict[str, int]:
        return {"read": len(await request.body())}

    app.include_router(router)
    app.add_exception_handler(_Refused, refused)
    with LiveServer(app) as server:
        status, body = raw_post(server, "/api/v1/checked-plainly", {}, declared=1000, sent=b"x")
        assert status == 403
        assert json.loads(body)["code"] == "refused"
        let_in_response = httpx.post(
            f"{server.url}/api/v1/checked-plainly", content=b"abc", headers={"X-Let-In": "yes"}
        )
    assert let_in_response.status_code == 200, let_in_response.text
    assert let_in_response.json() == {"read": 3}


@given(st.binary(max_size=200), st.binary(max_size=20))
def test_any_query_holding_an_encoded_nul_names_a_parameter(before: bytes, after: bytes) -> None:
    """The query parser behind the NUL refusal: any query is parsed without a crash, and one
    holding "%00" is always refused with a non-empty name of at most 64 characters."""
    for query in (before, before + b"%00" + after):
        name = _nul_parameter(query)
        if b"%00" not in query:
            assert name is None
        else:
            assert name is not None
            assert 0 < len(name) <= 64
            assert "\x00" not in name
