"""Ed25519 cosignatures (cosignature/v1): key IDs, the signed message, encoding, counting."""

from __future__ import annotations

import base64
import contextlib
import hashlib

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from hypothesis import given
from hypothesis import strategies as st

from soundseal.transparency.checkpoint import Checkpoint
from soundseal.transparency.cosignature import (
    Cosignature,
    CosignatureVerifier,
    CosignerKey,
    count_valid_cosignatures,
    parse_cosignature_line,
)
from soundseal.transparency.note import (
    NoteSignature,
    add_signatures,
    format_note,
    open_note,
    parse_note,
    parse_signature_lines,
    sign_note,
)
from soundseal.transparency.note_errors import (
    MalformedCheckpoint,
    MalformedCosignature,
    MalformedKey,
    MalformedNote,
    NoteError,
    SignatureMismatch,
)
from soundseal.transparency.note_keys import SignerKey, VerifierKey
from tests.transparency.strategies import any_text, edited, hashes, key_names, private_keys

CHECKPOINT = Checkpoint("example.org/log", 42, bytes(range(32)), ("an extension",)).to_text()
LATER = Checkpoint("example.org/log", 43, bytes(range(32))).to_text()
TIME = 1_700_000_000


def _cosigner(name: str = "witness.example/w1") -> CosignerKey:
    return CosignerKey(name, Ed25519PrivateKey.generate())


def _public(key: CosignerKey) -> Ed25519PublicKey:
    return Ed25519PublicKey.from_public_bytes(key.public_key)


def test_the_key_id_hashes_the_name_and_type_byte_0x04() -> None:
    cosigner = _cosigner("w.example")
    digest = hashlib.sha256(b"w.example\n\x04" + cosigner.public_key).digest()
    assert cosigner.key_id == int.from_bytes(digest[:4], "big")
    # The same key as a plain note signer has another ID: the type byte differs.
    assert SignerKey("w.example", cosigner.private_key).key_id != cosigner.key_id


def test_the_signature_is_a_big_endian_time_then_ed25519_over_the_v1_message() -> None:
    cosigner = _cosigner()
    line = cosigner.cosign(CHECKPOINT, TIME).line()
    dash, name, encoded = line.rstrip("\n").split(" ")
    assert (dash, name) == ("\u2014", cosigner.name)
    blob = base64.b64decode(encoded)
    assert len(blob) == 4 + 8 + 64
    assert int.from_bytes(blob[:4], "big") == cosigner.key_id
    assert int.from_bytes(blob[4:12], "big") == TIME
    message = f"cosignature/v1\ntime {TIME}\n".encode() + CHECKPOINT.encode()
    _public(cosigner).verify(blob[12:], message)  # raises if the message differs


def test_a_cosignature_line_round_trips() -> None:
    cosignature = _cosigner().cosign(CHECKPOINT, TIME)
    assert parse_cosignature_line(cosignature.line()) == cosignature
    assert parse_cosignature_line(cosignature.line().rstrip("\n")) == cosignature


def test_a_cosignature_verifies_only_for_its_checkpoint_time_and_key() -> None:
    cosigner = _cosigner()
    verifier = cosigner.verifier()
    cosignature = cosigner.cosign(CHECKPOINT, TIME)
    assert verifier.verify_cosignature(CHECKPOINT, cosignature)
    assert not verifier.verify_cosignature(LATER, cosignature)
    without_extension = CHECKPOINT.rsplit("an extension\n", 1)[0]
    assert not verifier.verify_cosignature(without_extension, cosignature)
    moved = Cosignature(cosignature.name, cosignature.key_id, TIME + 1, cosignature.signature)
    assert not verifier.verify_cosignature(CHECKPOINT, moved)
    assert not _cosigner().verifier().verify_cosignature(CHECKPOINT, cosignature)


def test_only_a_checkpoint_is_cosigned_or_verified() -> None:
    cosigner = _cosigner()
    with pytest.raises(MalformedCheckpoint):
        cosigner.cosign("not a checkpoint\n", TIME)
    # A signature over the v1 message of a text that is not a checkpoint never verifies.
    text = "not a checkpoint\n"
    raw = cosigner.private_key.sign(f"cosignature/v1\ntime {TIME}\n{text}".encode())
    assert not cosigner.verifier().verify(text.encode(), TIME.to_bytes(8, "big") + raw)


@pytest.mark.parametrize("timestamp", [-1, 2**63])
def test_a_time_beyond_the_u63_range_is_refused(timestamp: int) -> None:
    with pytest.raises(MalformedCosignature):
        _cosigner().cosign(CHECKPOINT, timestamp)
    with pytest.raises(MalformedCosignature):
        Cosignature("w", 1, timestamp, bytes(64))


def test_a_line_with_a_time_past_2_63_or_the_wrong_length_is_refused() -> None:
    cosigner = _cosigner()
    blob = cosigner.cosign(CHECKPOINT, TIME).note_signature().signature
    for bad in ((2**63).to_bytes(8, "big") + blob[8:], blob[:-1], blob + b"\x00"):
        line = NoteSignature(cosigner.name, cosigner.key_id, bad).line()
        with pytest.raises(MalformedCosignature):
            parse_cosignature_line(line)
        assert not cosigner.verifier().verify(CHECKPOINT.encode(), bad)


def test_a_cosigner_vkey_round_trips_and_is_not_an_ed25519_note_vkey() -> None:
    verifier = _cosigner().verifier()
    assert CosignatureVerifier.parse(verifier.format()) == verifier
    with pytest.raises(MalformedKey):
        VerifierKey.parse(verifier.format())
    plain = SignerKey.generate("log.example").verifier()
    with pytest.raises(MalformedKey):
        CosignatureVerifier.parse(plain.format())


def _cosigned(log: SignerKey, *witnesses: CosignerKey) -> str:
    signed = sign_note(CHECKPOINT, [log])
    note = open_note(signed, [log.verifier()])
    return add_signatures(note, [w.at(TIME) for w in witnesses])


def test_a_cosigned_checkpoint_opens_with_the_log_key_and_counts_its_witnesses() -> None:
    log = SignerKey.generate("example.org/log")
    w1, w2, stranger = _cosigner("w1.example"), _cosigner("w2.example"), _cosigner("w3.example")
    cosigned = _cosigned(log, w1, w2)
    note = open_note(cosigned, [log.verifier()])
    assert note.text == CHECKPOINT
    assert {s.name for s in note.unverified} == {"w1.example", "w2.example"}
    assert count_valid_cosignatures(cosigned, [w1.verifier(), w2.verifier()]) == 2
    assert count_valid_cosignatures(cosigned, [w1.verifier(), stranger.verifier()]) == 1
    assert count_valid_cosignatures(cosigned, [stranger.verifier()]) == 0
    assert count_valid_cosignatures(cosigned, []) == 0


def test_a_witness_answer_joins_the_checkpoint_and_is_counted() -> None:
    log, witness = SignerKey.generate("example.org/log"), _cosigner()
    answer = witness.cosign(CHECKPOINT, TIME).line()  # what add-checkpoint answers with
    signed = parse_note(sign_note(CHECKPOINT, [log]))
    merged = format_note(CHECKPOINT, [*signed.unverified, *parse_signature_lines(answer)])
    assert count_valid_cosignatures(merged, [witness.verifier()]) == 1
    assert open_note(merged, [log.verifier()]).text == CHECKPOINT


def test_a_known_witness_with_a_bad_cosignature_refuses_the_note() -> None:
    log, witness = SignerKey.generate("example.org/log"), _cosigner()
    bad = witness.cosign(LATER, TIME).line()  # a cosignature of another checkpoint
    note = sign_note(CHECKPOINT, [log]) + bad
    with pytest.raises(SignatureMismatch):
        count_valid_cosignatures(note, [witness.verifier()])


def test_one_key_under_two_witness_names_counts_once() -> None:
    key = Ed25519PrivateKey.generate()
    first, second = CosignerKey("w1.example", key), CosignerKey("w2.example", key)
    cosigned = _cosigned(SignerKey.generate("example.org/log"), first, second)
    assert count_valid_cosignatures(cosigned, [first.verifier(), second.verifier()]) == 1


def test_a_plain_note_signature_is_not_a_cosignature() -> None:
    key = Ed25519PrivateKey.generate()
    plain = sign_note(CHECKPOINT, [SignerKey("w.example", key)])
    assert count_valid_cosignatures(plain, [CosignerKey("w.example", key).verifier()]) == 0


@pytest.mark.parametrize("name", ["", "a b", "a+b"])
def test_a_cosigner_name_a_key_may_not_have_is_refused(name: str) -> None:
    with pytest.raises(MalformedKey):
        CosignerKey(name, Ed25519PrivateKey.generate())


@given(
    name=key_names, key=private_keys, root=hashes, size=st.integers(0, 2**64 - 1), data=st.data()
)
def test_cosignatures_round_trip_and_verify(
    name: str, key: Ed25519PrivateKey, root: bytes, size: int, data: st.DataObject
) -> None:
    cosigner = CosignerKey(name, key)
    text = Checkpoint("example.org/log", size, root).to_text()
    timestamp = data.draw(st.integers(0, 2**63 - 1))
    cosignature = cosigner.cosign(text, timestamp)
    assert parse_cosignature_line(cosignature.line()) == cosignature
    assert cosigner.verifier().verify_cosignature(text, cosignature)
    assert CosignatureVerifier.parse(cosigner.verifier().format()) == cosigner.verifier()


@given(any_text)
def test_any_text_as_a_cosignature_line_or_key_raises_only_note_errors(text: str) -> None:
    with contextlib.suppress(MalformedCosignature):
        parse_cosignature_line(text)
    with contextlib.suppress(MalformedKey):
        CosignatureVerifier.parse(text)


@given(st.data())
def test_an_edited_cosignature_line_raises_only_malformed_cosignature(data: st.DataObject) -> None:
    cosigner = _cosigner()
    line = cosigner.cosign(CHECKPOINT, data.draw(st.integers(0, 2**63 - 1))).line()
    mangled = data.draw(edited(line))
    with contextlib.suppress(MalformedCosignature):
        parse_cosignature_line(mangled)
    with contextlib.suppress(NoteError):
        count_valid_cosignatures(CHECKPOINT + "\n" + mangled, [cosigner.verifier()])


def test_malformed_notes_are_not_counted_but_refused() -> None:
    with pytest.raises(MalformedNote):
        count_valid_cosignatures(CHECKPOINT, [_cosigner().verifier()])
