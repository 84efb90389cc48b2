"""Fingerprints crafted to break the server: each is a 400 and the server keeps answering.

These run against a real uvicorn: the failure they guard against was the whole process dying
(libchromaprint's decoder crashed on the string below), which an in-process client would not
show the way a client on the network sees it.
"""

from __future__ import annotations

import base64
from typing import Any

import httpx
import pytest

from tests.api.test_errors import assert_error
from tests.conftest import LiveServer
from tests.factories import Factory, sha256_of

# Count 1, then 64 bytes of 0xff: endless 3-bit symbols 7, each asking for exceptional bits.
CRASH = base64.urlsafe_b64encode(bytes([1, 0, 0, 1, 7]) + b"\xff" * 64).decode().rstrip("=")
DEEP = "[" * 100_000 + "]" * 100_000


def _still_answers(server: LiveServer) -> None:
    response = httpx.get(f"{server.url}/api/v1/certificates/cer_test_synthetic", timeout=10)
    assert response.status_code == 200, response.text
    assert response.json()["id"] == "cer_test_synthetic"


@pytest.mark.parametrize(
    ("encoding", "names"),
    [
        ("chromaprint_compressed", "expected chromaprint_compressed ("),
        (None, "expected raw_le_base64 ("),  # the default encoding: no second guess
        ("int_array", "expected int_array ("),
    ],
)
@pytest.mark.parametrize("path", ["/api/v1/identify", "/api/v1/certificates"])
def test_the_crash_string_is_a_400_and_the_server_lives(
    live_server: LiveServer, factory: Factory, path: str, encoding: str | None, names: str
) -> None:
    key = factory.key()
    body: dict[str, Any] = {"fingerprint": CRASH, "duration_ms": 10_000}
    if path.endswith("certificates"):
        body |= {"track_title": "T", "artist_name": "A", "sha256_fingerprint": sha256_of(path)}
    if encoding is not None:
        body["encoding"] = encoding
    response = httpx.post(f"{live_server.url}{path}", json=body, headers=key.headers, timeout=10)
    error = assert_error(response, 400, "bad_request")
    assert names in str(error["error"])
    assert error["field"] == "fingerprint"
    assert error["expected_encoding"] == (encoding or "raw_le_base64")
    _still_answers(live_server)


@pytest.mark.parametrize(
    "body",
    [
        {"fingerprint": DEEP, "encoding": "int_array"},
        {"fingerprint": DEEP},
        {"fingerprint": "[1, " + "9" * 5000 + "]", "encoding": "int_array"},
    ],
    ids=["nested-int_array", "nested-default", "huge-integer-literal"],
)
def test_hostile_int_arrays_are_400s(
    live_server: LiveServer, factory: Factory, body: dict[str, Any]
) -> None:
    key = factory.key()
    response = httpx.post(
        f"{live_server.url}/api/v1/identify",
        json={**body, "duration_ms": 10_000},
        headers=key.headers,
        timeout=30,
    )
    error = assert_error(response, 400, "bad_request")
    assert error["field"] == "fingerprint"
    _still_answers(live_server)


def test_a_deeply_nested_json_array_in_the_body_is_a_400(
    live_server: LiveServer, factory: Factory
) -> None:
    key = factory.key()
    raw = '{"duration_ms": 10000, "encoding": "int_array", "fingerprint": ' + DEEP + "}"
    response = httpx.post(
        f"{live_server.url}/api/v1/identify",
        content=raw,
        headers={**key.headers, "Content-Type": "application/json"},
        timeout=30,
    )
    assert_error(response, 400, "bad_request")
    _still_answers(live_server)
