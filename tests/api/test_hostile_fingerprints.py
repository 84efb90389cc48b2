"""Fingerprints crafted to break the server: each is a 400 and the server keeps answering.

These run against a real uvicorn: the failure they guard against was the whole process dying
(libchromaprint's decoder crashed on the string below), which an in-process client would not
show the way a client on the network sees it.
"""

from __future__ import annotations

import base64
import math
from typing import Any

import httpx
import numpy as np
import pytest
from starlette.testclient import TestClient

from soundseal.audio import ITEM_MS
from soundseal.audio.compressed import encode_compressed
from soundseal.registry.acoustic.fingerprints import MAX_DURATION_MS
from tests.conftest import LiveServer
from tests.factories import Factory, sha256_of
from tests.http.test_errors import assert_error

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


# As many values as 6 hours of audio, the longest `duration_ms` the API takes.
MAX_FINGERPRINT_VALUES = math.ceil(MAX_DURATION_MS / ITEM_MS)


def _walk(count: int) -> np.ndarray:
    """Values like a real fingerprint's (neighbours a bit apart): small once compressed."""
    rng = np.random.default_rng(count)
    flips = np.uint32(1) << rng.integers(0, 32, count).astype(np.uint32)
    return np.bitwise_xor.accumulate(flips).astype(np.uint32) ^ np.uint32(0x5EED_0001)


@pytest.mark.parametrize("path", ["/api/v1/identify", "/api/v1/certificates"])
def test_a_fingerprint_longer_than_the_longest_duration_is_refused(
    client: TestClient, factory: Factory, path: str
) -> None:
    """Work grows with the values: a 1 MiB body of compressed values holds 600,000 and more
    (20 hours and more), far past the 6 hours `duration_ms` may state."""
    key = factory.key()
    too_many = MAX_FINGERPRINT_VALUES + 1
    body: dict[str, Any] = {
        "fingerprint": encode_compressed(_walk(too_many)),
        "encoding": "chromaprint_compressed",
        "duration_ms": MAX_DURATION_MS,
    }
    if path.endswith("certificates"):
        body |= {"track_title": "T", "artist_name": "A", "sha256_fingerprint": sha256_of(path)}
    error = assert_error(client.post(path, json=body, headers=key.headers), 400, "bad_request")
    assert error["field"] == "fingerprint"
    assert f"more than {MAX_FINGERPRINT_VALUES}" in str(error["error"])
    body["fingerprint"] = encode_compressed(_walk(MAX_FINGERPRINT_VALUES))
    assert client.post(path, json=body, headers=key.headers).status_code in (200, 201)
