"""Every error is answered with its code's registered status, in exactly the one body
(`error_body`): `error`, `code`, `request_id` and the extras that error declares."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from hypothesis import given
from hypothesis import strategies as st
from starlette.testclient import TestClient
from starlette.types import Message

from soundseal.errors import Conflict, ErrorCode, SoundsealError
from soundseal.http.errors import _CODE_BY_STATUS, error_body
from soundseal.http.middleware import send_error
from tests.factories import Factory, sha256_of

BASE = {"error", "code", "request_id"}


def assert_contract(response: httpx.Response, extras: set[str]) -> dict[str, Any]:
    """The one error body, exactly: the three fields and the declared extras, no others;
    the code registered, and answered with its own status."""
    body = response.json()
    assert set(body) == BASE | extras, body
    code = ErrorCode(body["code"])
    assert response.status_code == code.status, body
    assert isinstance(body["error"], str)
    assert body["error"]
    assert body["request_id"] == response.headers["x-request-id"]
    return dict(body)


def _raising_routes(app: FastAPI) -> None:
    @app.get("/api/v1/_raise/{code}")
    def api_raise(code: str) -> None:
        raise Conflict("Refused on purpose", code=ErrorCode(code))

    @app.get("/_raise/{code}")
    def page_raise(code: str) -> None:
        raise Conflict("Refused on purpose", code=ErrorCode(code))

    @app.get("/api/v1/_unregistered")
    def api_unregistered() -> None:
        raise Conflict("Refused on purpose", code="no_such_code")  # type: ignore[arg-type]

    @app.get("/_unregistered")
    def page_unregistered() -> None:
        raise Conflict("Refused on purpose", code="no_such_code")  # type: ignore[arg-type]


def test_every_code_is_answered_with_its_registered_status(app: FastAPI) -> None:
    _raising_routes(app)
    with TestClient(app, raise_server_exceptions=False) as client:
        for code in ErrorCode:
            response = client.get(f"/api/v1/_raise/{code}")
            # Where to buy credits is this deployment's, added to every 402.
            extras = {"purchase_url", "docs"} if code is ErrorCode.PAYMENT_REQUIRED else set()
            body = assert_contract(response, extras)
            assert body["code"] == code
            # The dashboard's pages answer with the very same status.
            page = client.get(f"/_raise/{code}", headers={"accept": "text/html"})
            assert page.status_code == code.status, code
            assert page.headers["content-type"].startswith("text/html")
            assert "Refused on purpose" in page.text


def test_an_unregistered_code_is_a_logged_500_never_a_guess(
    app: FastAPI, caplog: pytest.LogCaptureFixture
) -> None:
    _raising_routes(app)
    with (
        caplog.at_level(logging.ERROR, logger="soundseal.api"),
        TestClient(app, raise_server_exceptions=False) as client,
    ):
        response = client.get("/api/v1/_unregistered")
        page = client.get("/_unregistered", headers={"accept": "text/html"})
    body = assert_contract(response, set())
    assert body["code"] == "internal_error"
    assert body["error"] == "Internal server error"
    assert page.status_code == 500
    assert "no_such_code" not in page.text
    logged = [r.getMessage() for r in caplog.records if "unregistered error code" in r.message]
    assert len(logged) == 2
    assert "'no_such_code'" in logged[0]


def _send_error(exc: SoundsealError) -> tuple[int, dict[str, Any]]:
    messages: list[Message] = []

    async def receive() -> Message:
        return {"type": "http.disconnect"}

    async def send(message: Message) -> None:
        messages.append(message)

    scope = {"type": "http", "state": {"request_id": "req_fromthemiddleware"}}
    asyncio.run(send_error(scope, receive, send, exc))
    return messages[0]["status"], json.loads(messages[1]["body"])


def test_middleware_answers_take_the_status_from_the_registry() -> None:
    status, body = _send_error(Conflict("Busy", code=ErrorCode.IDEMPOTENCY_KEY_IN_USE, n=1))
    assert (status, body) == (
        409,
        {
            "error": "Busy",
            "code": "idempotency_key_in_use",
            "request_id": "req_fromthemiddleware",
            "n": 1,
        },
    )
    status, body = _send_error(Conflict("Busy", code="no_such_code"))  # type: ignore[arg-type]
    assert status == 500
    assert body["code"] == "internal_error"


def _paths(
    client: TestClient, factory: Factory
) -> list[tuple[Callable[[], httpx.Response], set[str]]]:
    """One request down each path to an error response, with the extras it declares."""
    key = factory.key()
    reader = factory.key(scopes="verify:read")
    json_headers = {**key.headers, "Content-Type": "application/json"}
    create = "/api/v1/certificates"

    def reused() -> httpx.Response:
        headers = {**key.headers, "Idempotency-Key": "contract-1"}
        first = {"track_title": "T", "artist_name": "A", "sha256_fingerprint": sha256_of("c1")}
        client.post(create, json=first, headers=headers)
        return client.post(create, json={**first, "track_title": "U"}, headers=headers)

    def duplicate() -> httpx.Response:
        new = {"track_title": "T", "artist_name": "A", "sha256_fingerprint": sha256_of("c2")}
        client.post(create, json=new, headers=key.headers)
        return client.post(create, json=new, headers=key.headers)

    duplicate_extras = {
        "match_type",
        "existing_certificate_id",
        "existing_certificate_number",
        "verification_url",
    }
    return [
        # Starlette's own refusals (`_http_error`).
        (lambda: client.get("/api/v1/nothing-here"), set()),
        (lambda: client.delete("/api/v1/verify"), set()),
        # Request validation (`_validation_error`).
        (lambda: client.post(create, json={"track_title": "x"}, headers=key.headers), {"field"}),
        (lambda: client.post(create, content=b"{", headers=json_headers), {"field"}),
        # Key checks before the body (`http/edge.py`) and domain errors.
        (lambda: client.get(create), set()),
        (lambda: client.get(create, headers={"Authorization": "Bearer ss_sk_nope"}), set()),
        (lambda: client.post(create, json={}, headers=reader.headers), {"required_scope"}),
        (
            lambda: client.get(f"{create}/cer_01ARZ3NDEKTSV4RRFFQ69G5FAV", headers=key.headers),
            set(),
        ),
        (duplicate, duplicate_extras),
        # Answered by middleware, outside the exception handlers (`send_error`).
        (
            lambda: client.post(
                create,
                content=b"x" * (2 * 1024 * 1024),
                headers={**json_headers, "Content-Length": str(2 * 1024 * 1024)},
            ),
            {"limit_bytes"},
        ),
        (reused, set()),
    ]


def test_every_path_to_an_error_gives_exactly_the_one_body(
    client: TestClient, factory: Factory
) -> None:
    statuses = set()
    for request, extras in _paths(client, factory):
        response = request()
        assert response.status_code >= 400
        assert_contract(response, extras)
        statuses.add(response.status_code)
    assert statuses == {400, 401, 403, 404, 405, 409, 413, 422}


def test_an_unexpected_exception_gives_exactly_the_one_body(app: FastAPI) -> None:
    @app.get("/api/v1/_boom")
    def boom() -> None:
        raise RuntimeError("internals")

    with TestClient(app, raise_server_exceptions=False) as client:
        body = assert_contract(client.get("/api/v1/_boom"), set())
    assert body["code"] == "internal_error"


_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=8,
)


@given(
    message=st.text(max_size=50),
    code=st.sampled_from(list(ErrorCode)),
    request_id=st.text(max_size=20),
    extra=st.dictionaries(st.text(max_size=15), _JSON, max_size=5),
)
def test_error_body_is_the_three_fields_plus_the_extras(
    message: str, code: ErrorCode, request_id: str, extra: dict[str, Any]
) -> None:
    body = error_body(message, code, request_id, **extra)
    assert set(body) == BASE | set(extra)
    # Extras never replace what every error has.
    assert (body["error"], body["code"], body["request_id"]) == (message, code, request_id)
    assert type(body["code"]) is str
    assert json.loads(json.dumps(body))["code"] == str(code)
    for name in set(extra) - BASE:
        assert body[name] == extra[name]


def test_status_only_answers_carry_a_code_of_that_status() -> None:
    for status, code in _CODE_BY_STATUS.items():
        assert code.status == status


def test_the_openapi_error_responses_name_the_registrys_codes(client: TestClient) -> None:
    document = client.get("/api/v1/openapi.json").json()
    seen = set()
    for path, item in document["paths"].items():
        for method, operation in item.items():
            for status, response in operation.get("responses", {}).items():
                if int(status) < 400:
                    continue
                named = response["description"].split(": ", 1)[0].split(", ")
                registered = [str(c) for c in ErrorCode if c.status == int(status)]
                assert named == registered, (path, method, status)
                schema = response["content"]["application/json"]["schema"]
                assert schema == {"$ref": "#/components/schemas/ErrorBody"}, (path, method)
                seen.add(int(status))
    # Every status the API documents; 405, 415 and 5xx but 502 are never per operation.
    documented = {c.status for c in ErrorCode} - {405, 415, 500}
    assert seen == documented
