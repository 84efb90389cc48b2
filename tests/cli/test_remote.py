"""How the artist commands report a registry's errors (`soundseal.cli.remote`)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st

from soundseal.cli.remote import error_body
from soundseal.client import APIError, TransportError
from soundseal.client._client import _decode
from tests.api.test_audio_api import samples
from tests.cli.test_certify import run
from tests.conftest import LiveServer, free_port
from tests.factories import Factory, Key


@pytest.fixture(scope="module")
def song(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("song") / "song.wav"
    samples.write_wav(path, samples.render_song(20, seed=41))
    return path


def test_verify_prints_the_registrys_own_error_body(
    live_server: LiveServer, factory: Factory, song: Path
) -> None:
    key = factory.key()
    unknown = "cer_01HZZZZZZZZZZZZZZZZZZZZZZZ"
    code, out = run("verify", str(song), "--cert", unknown, key=key, url=live_server.url)
    assert code == 1
    assert out["code"] == "not_found"
    assert out["request_id"].startswith("req_")


def test_an_unreachable_registry_is_reported_after_the_clients_retries(song: Path) -> None:
    # Nothing listens on a port that was free a moment ago: every attempt is refused.
    url = f"http://127.0.0.1:{free_port()}"
    key = Key(id="", key="ss_sk_live_" + "x" * 32, account_id="", mode="live")
    code, out = run("verify", str(song), "--cert", "cer_x", key=key, url=url)
    assert code == 1
    assert out["code"] == "unreachable"
    assert url in out["error"]
    code, out = run("certify", str(song), "--artist", "A", "--json", key=key, url=url)
    assert code == 1
    assert [(r["status"], r["code"]) for r in out["results"]] == [("failed", "unreachable")]


def test_a_body_without_the_apis_shape_still_names_a_message_and_a_code() -> None:
    # What a proxy in front of the registry might answer.
    response = httpx.Response(502, text="<html>Bad Gateway</html>")
    with pytest.raises(APIError) as raised:
        _decode(response)
    assert error_body(raised.value) == {
        "error": "<html>Bad Gateway</html>",
        "code": "bad_response",
    }
    with pytest.raises(APIError) as raised:
        _decode(httpx.Response(418, json={"detail": "teapot"}))
    assert error_body(raised.value) == {"detail": "teapot", "error": "HTTP 418", "code": "unknown"}
    assert error_body(TransportError("cannot reach x")) == {
        "error": "cannot reach x",
        "code": "unreachable",
    }


_json: Any = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=10,
)


@given(
    status=st.integers(min_value=400, max_value=599),
    content=st.one_of(st.binary(max_size=200), _json.map(lambda v: json.dumps(v).encode())),
)
def test_any_error_response_becomes_printable_json_with_a_message_and_a_code(
    status: int, content: bytes
) -> None:
    with pytest.raises(APIError) as raised:
        _decode(httpx.Response(status, content=content))
    body = error_body(raised.value)
    assert isinstance(body["error"], str)
    assert isinstance(body["code"], str)
    json.dumps(body)
