"""SOUNDSEAL_WITNESS_KEYS: read at start-up, comma- or newline-separated, and refused with a
message naming the entry when one is not a cosignature/v1 key or a witness is listed twice."""

from __future__ import annotations

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from soundseal.settings import load_settings, parse_witness_keys
from soundseal.transparency.cosignature import CosignerKey
from soundseal.transparency.note_keys import SignerKey

W1 = CosignerKey("witness.example/w1", Ed25519PrivateKey.from_private_bytes(bytes([1] * 32)))
W2 = CosignerKey("witness.example/w2", Ed25519PrivateKey.from_private_bytes(bytes([2] * 32)))


def test_keys_are_read_from_commas_and_newlines() -> None:
    one, two = W1.verifier(), W2.verifier()
    for text in (f"{one},{two}", f"{one}\n{two}\n", f" {one} ,\n\n {two}, "):
        assert load_settings(witness_keys=text).witness_verifiers == (one, two)
    assert load_settings().witness_verifiers == ()
    assert parse_witness_keys(" , \n") == ()


def test_a_key_that_is_not_a_cosignature_key_stops_start_up_naming_it() -> None:
    # A plain Ed25519 note key (type 0x01) is a log key, not a witness's cosigning key.
    log_key = SignerKey("registry.example/log/live", Ed25519PrivateKey.generate()).verifier()
    for bad in (str(log_key), "witness.example/w1+00000000+AAAA", "nonsense"):
        with pytest.raises(ValidationError, match="SOUNDSEAL_WITNESS_KEYS entry 2"):
            load_settings(witness_keys=f"{W1.verifier()},{bad}")


def test_a_witness_listed_twice_is_refused() -> None:
    again = CosignerKey(W1.name, Ed25519PrivateKey.generate()).verifier()
    for text in (f"{W1.verifier()},{W1.verifier()}", f"{W1.verifier()}\n{again}"):
        with pytest.raises(ValidationError, match="repeats a witness"):
            load_settings(witness_keys=text)


@given(st.text(max_size=200))
def test_any_text_is_keys_or_a_value_error(text: str) -> None:
    message = ""
    try:
        keys = parse_witness_keys(text)
    except ValueError as exc:
        message, keys = str(exc), ()
    assert message == "" or message.startswith("SOUNDSEAL_WITNESS_KEYS")
    assert all(k.format() in text for k in keys)
