"""Witness cosignatures over HTTP: a configured witness's cosignature of the log's own
checkpoint is kept and served back in one note a client counts; an unknown witness, a forged
signature, a checkpoint the log did not sign and anything malformed are refused 4xx in the
one error shape, never a 500."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from starlette.testclient import TestClient

from soundseal.app import create_app
from soundseal.db import Database
from soundseal.transparency.checkpoint import Checkpoint, open_checkpoint
from soundseal.transparency.cosignature import CosignerKey, count_valid_cosignatures
from soundseal.transparency.note import add_signatures, parse_note, sign_note
from soundseal.transparency.note_keys import SignerKey
from tests.conftest import make_settings
from tests.factories import Factory
from tests.registry.log_helpers import verifier_from_jwks
from tests.transparency.strategies import edited

ORIGIN = "registry.test/log/live"
W1 = CosignerKey("witness.example/w1", Ed25519PrivateKey.from_private_bytes(bytes([1] * 32)))
W2 = CosignerKey("witness.example/w2", Ed25519PrivateKey.from_private_bytes(bytes([2] * 32)))
STRANGER = CosignerKey("witness.example/w3", Ed25519PrivateKey.from_private_bytes(bytes([3] * 32)))
WITNESS_KEYS = f"{W1.verifier()},\n{W2.verifier()}"


@pytest.fixture
def witnessed(database: Database, tmp_path: Path) -> Iterator[TestClient]:
    """A registry that accepts cosignatures from W1 and W2."""
    app = create_app(make_settings(database, tmp_path, witness_keys=WITNESS_KEYS), database)
    with TestClient(app, raise_server_exceptions=False) as test_client:
        yield test_client


def cosigned(signed_checkpoint: str, witness: CosignerKey, timestamp: int = 1_790_000_000) -> str:
    """The checkpoint note with `witness`'s cosignature added, as a witness hands it back."""
    return add_signatures(parse_note(signed_checkpoint), [witness.at(timestamp)])


def post(client: TestClient, body: str | bytes, mode: str = "live") -> object:
    return client.post(
        f"/log/{mode}/cosignature", content=body, headers={"Content-Type": "text/plain"}
    )


def grow(factory: Factory, count: int) -> None:
    key = factory.key()
    for _ in range(count):
        factory.certificate(key)


def test_cosignatures_of_the_log_checkpoint_are_served_in_one_note_that_counts_them(
    witnessed: TestClient, factory: Factory
) -> None:
    grow(factory, 3)
    signed = witnessed.get("/log/live/checkpoint").text
    first = witnessed.post("/log/live/cosignature", content=cosigned(signed, W1))
    assert first.status_code == 200, first.text
    assert first.json() == {
        "mode": "live",
        "origin": ORIGIN,
        "size": 3,
        "witness": "witness.example/w1",
        "timestamp": 1_790_000_000,
        "cosignatures": 1,
    }
    # The bare form: the checkpoint's text and the cosignature line alone.
    text = parse_note(signed).text
    line = W2.cosign(text, 1_790_000_005).line()
    second = witnessed.post("/log/live/cosignature", content=text + "\n" + line)
    assert second.status_code == 200, second.text
    assert second.json()["cosignatures"] == 2

    response = witnessed.get("/log/live/checkpoint/witnessed")
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/plain; charset=utf-8"
    note = response.text
    log_key = verifier_from_jwks(witnessed.get("/.well-known/jwks.json").json(), ORIGIN)
    checkpoint, _ = open_checkpoint(note, [log_key])
    assert checkpoint.size == 3
    assert note.startswith(signed)  # the log's own checkpoint, then the cosignatures
    assert count_valid_cosignatures(note, [W1.verifier(), W2.verifier()]) == 2
    assert count_valid_cosignatures(note, [W1.verifier()]) == 1
    # The log's own checkpoint is unchanged: it carries no cosignature.
    assert witnessed.get("/log/live/checkpoint").text == signed


def test_the_witnessed_checkpoint_is_the_largest_cosigned_and_the_latest_time_is_kept(
    witnessed: TestClient, factory: Factory
) -> None:
    grow(factory, 2)
    small = witnessed.get("/log/live/checkpoint").text
    for witness in (W1, W2):
        assert post(witnessed, cosigned(small, witness)).status_code == 200
    grow(factory, 1)
    large = witnessed.get("/log/live/checkpoint").text
    assert post(witnessed, cosigned(large, W1, 100)).status_code == 200
    assert post(witnessed, cosigned(large, W1, 200)).status_code == 200
    again = post(witnessed, cosigned(large, W1, 150))  # older: kept as it was
    assert again.status_code == 200
    assert again.json()["cosignatures"] == 1
    note = witnessed.get("/log/live/checkpoint/witnessed").text
    assert note.startswith(large)
    assert note.count("\u2014 witness.example/w1 ") == 1
    assert note.endswith(W1.cosign(parse_note(large).text, 200).line())
    assert count_valid_cosignatures(note, [W1.verifier(), W2.verifier()]) == 1
    # A checkpoint the log has grown past is still the log's own, and still accepted.
    assert post(witnessed, cosigned(small, W1, 300)).status_code == 200


def test_an_unknown_witness_is_forbidden(witnessed: TestClient, factory: Factory) -> None:
    grow(factory, 1)
    signed = witnessed.get("/log/live/checkpoint").text
    response = post(witnessed, cosigned(signed, STRANGER))
    assert response.status_code == 403
    assert response.json()["code"] == "forbidden"
    assert witnessed.get("/log/live/checkpoint/witnessed").status_code == 404


def test_an_impostor_under_a_witness_name_or_a_forged_signature_is_refused(
    witnessed: TestClient, factory: Factory
) -> None:
    grow(factory, 1)
    signed = witnessed.get("/log/live/checkpoint").text
    text = parse_note(signed).text
    good = W1.cosign(text, 1_790_000_000)
    forged = type(good)(good.name, good.key_id, good.timestamp, bytes(64))
    response = post(witnessed, text + "\n" + forged.line())
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_signature"
    # Another time than the one signed: the signature no longer verifies.
    retimed = type(good)(good.name, good.key_id, good.timestamp + 1, good.signature)
    assert post(witnessed, text + "\n" + retimed.line()).json()["code"] == "invalid_signature"
    # A stranger's key under a configured witness's name has another key ID: not a witness.
    impostor = CosignerKey(W1.name, Ed25519PrivateKey.generate())
    assert post(witnessed, cosigned(signed, impostor)).status_code == 403
    assert witnessed.get("/log/live/checkpoint/witnessed").status_code == 404


def test_a_cosignature_of_another_checkpoint_is_refused(
    witnessed: TestClient, factory: Factory
) -> None:
    grow(factory, 2)
    signed = witnessed.get("/log/live/checkpoint").text
    ours = Checkpoint.parse(parse_note(signed).text)
    # A fork: the same size, another root, "signed" by a key that is not the log's.
    fork = Checkpoint(ORIGIN, ours.size, bytes(32)).to_text()
    fork_note = sign_note(fork, [SignerKey(ORIGIN, Ed25519PrivateKey.generate())])
    response = post(witnessed, cosigned(fork_note, W1))
    assert response.status_code == 409
    assert response.json()["code"] == "checkpoint_mismatch"
    assert response.json()["log_size"] == 2
    # The fork's cosignature replayed onto the log's real checkpoint does not verify.
    replayed = W1.cosign(fork, 1_790_000_000).line()
    response = post(witnessed, parse_note(signed).text + "\n" + replayed)
    assert response.json()["code"] == "invalid_signature"
    # A size the log does not have yet.
    ahead = Checkpoint(ORIGIN, 5, ours.root_hash).to_text()
    response = post(witnessed, ahead + "\n" + W1.cosign(ahead, 1).line())
    assert (response.status_code, response.json()["code"]) == (409, "checkpoint_mismatch")
    # The log's checkpoint with an extension line it never signed.
    extended = Checkpoint(ORIGIN, ours.size, ours.root_hash, ("extra",)).to_text()
    response = post(witnessed, extended + "\n" + W1.cosign(extended, 1).line())
    assert response.status_code == 409
    # Another log's checkpoint (the test log's origin) is refused on its origin.
    other = Checkpoint("registry.test/log/test", ours.size, ours.root_hash).to_text()
    response = post(witnessed, other + "\n" + W1.cosign(other, 1).line())
    assert (response.status_code, response.json()["field"]) == (400, "body")
    assert witnessed.get("/log/live/checkpoint/witnessed").status_code == 404


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"not a note",
        b"\xff\xfe",
        "registry.test/log/live\n0\n\n",
        "registry.test/log/live\n01\nAAAA\n\n\u2014 witness.example/w1 AAAA\n",
    ],
)
def test_malformed_bodies_are_400_in_the_error_shape(witnessed: TestClient, body: str) -> None:
    response = post(witnessed, body)
    assert response.status_code == 400, response.text
    assert set(response.json()) >= {"error", "code", "request_id"}


def test_two_cosignature_lines_in_one_request_are_refused(
    witnessed: TestClient, factory: Factory
) -> None:
    grow(factory, 1)
    signed = witnessed.get("/log/live/checkpoint").text
    both = add_signatures(parse_note(signed), [W1.at(1), W2.at(1)])
    response = post(witnessed, both)
    assert (response.status_code, response.json()["field"]) == (400, "body")


def test_without_configured_witnesses_nothing_is_accepted_or_served(
    client: TestClient, factory: Factory
) -> None:
    grow(factory, 1)
    signed = client.get("/log/live/checkpoint").text
    assert post(client, cosigned(signed, W1)).status_code == 403
    response = client.get("/log/live/checkpoint/witnessed")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_the_test_log_takes_cosignatures_with_a_test_key_only(
    witnessed: TestClient, factory: Factory
) -> None:
    assert post(witnessed, "x", mode="test").status_code == 401
    assert post(witnessed, "x", mode="audit").status_code == 404


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
def test_any_body_is_answered_without_a_server_error(
    witnessed: TestClient, data: st.DataObject
) -> None:
    signed = witnessed.get("/log/live/checkpoint").text
    valid = cosigned(signed, W1)
    body = data.draw(
        st.one_of(
            st.binary(max_size=300),
            st.text(max_size=300),
            edited(valid),
            st.just(valid),
        )
    )
    response = post(witnessed, body.encode() if isinstance(body, str) else body)
    assert response.status_code in (200, 400, 403, 409), response.text
    assert "code" in response.json() or response.status_code == 200
