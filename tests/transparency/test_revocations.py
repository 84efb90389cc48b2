"""Revocation snapshots: one spelling, signed by the log key, refused when edited, never
readable as a checkpoint, and every text read raising only the formats' errors."""

from __future__ import annotations

import contextlib

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import given
from hypothesis import strategies as st

from soundseal.transparency.checkpoint import Checkpoint
from soundseal.transparency.note import sign_note
from soundseal.transparency.note_errors import (
    MalformedCheckpoint,
    MalformedRevocations,
    NoteError,
    SignatureMismatch,
    UnverifiedNote,
    WrongOrigin,
)
from soundseal.transparency.note_keys import SignerKey
from soundseal.transparency.revocations import (
    RevocationSnapshot,
    open_revocation_snapshot,
)
from tests.transparency.strategies import any_input, edited, hashes, key_names, private_keys

ORIGIN = "registry.example/log/live"
KEY = SignerKey(ORIGIN, Ed25519PrivateKey.from_private_bytes(bytes(range(32))))

ids = st.text(alphabet="ABCDEFGHJKMNPQRSTVWXYZ0123456789_cerst", min_size=1, max_size=40)
snapshots = st.builds(
    RevocationSnapshot.of,
    key_names,
    st.integers(0, 2**64 - 1),
    hashes,
    st.lists(ids, max_size=12),
)


@given(snapshots)
def test_the_text_reads_back_into_the_same_snapshot(snapshot: RevocationSnapshot) -> None:
    text = snapshot.to_text()
    assert RevocationSnapshot.parse(text) == snapshot
    assert RevocationSnapshot.parse(text.encode()) == snapshot
    assert list(snapshot.revoked) == sorted(set(snapshot.revoked))


@given(snapshots)
def test_a_snapshot_is_never_a_checkpoint(snapshot: RevocationSnapshot) -> None:
    with pytest.raises(MalformedCheckpoint):
        Checkpoint.parse(snapshot.to_text())


@given(st.integers(0, 2**40), hashes)
def test_a_checkpoint_is_never_a_snapshot(size: int, root: bytes) -> None:
    with pytest.raises(MalformedRevocations):
        RevocationSnapshot.parse(Checkpoint(ORIGIN, size, root).to_text())


def test_a_signed_snapshot_opens_to_its_size_root_and_ids() -> None:
    snapshot = RevocationSnapshot.of(ORIGIN, 7, bytes(32), ["cer_B", "cer_A", "cer_B"])
    signed = sign_note(snapshot.to_text(), [KEY])
    size, root, revoked = open_revocation_snapshot(signed, KEY.verifier())
    assert (size, root, revoked) == (7, bytes(32), frozenset({"cer_A", "cer_B"}))
    assert signed.startswith("soundseal/revocations/v1\nregistry.example/log/live\n7\n")


@given(st.data())
def test_an_edited_snapshot_is_refused(data: st.DataObject) -> None:
    snapshot = RevocationSnapshot.of(ORIGIN, 9, bytes(range(32)), ["cer_A", "cer_C"])
    text = snapshot.to_text()
    signature = sign_note(text, [KEY])[len(text) :]
    changed = data.draw(edited(text))
    if changed == text:
        return
    with pytest.raises(NoteError):
        open_revocation_snapshot(changed + signature, KEY.verifier())


def test_a_removed_id_is_refused_by_the_signature() -> None:
    text = RevocationSnapshot.of(ORIGIN, 3, bytes(32), ["cer_A", "cer_B"]).to_text()
    signed = sign_note(text, [KEY])
    with pytest.raises(SignatureMismatch):
        open_revocation_snapshot(signed.replace("cer_B\n", "", 1), KEY.verifier())


def test_another_key_or_another_origin_is_refused() -> None:
    text = RevocationSnapshot.of(ORIGIN, 3, bytes(32), []).to_text()
    other = SignerKey(ORIGIN, Ed25519PrivateKey.generate())
    with pytest.raises(UnverifiedNote):
        open_revocation_snapshot(sign_note(text, [other]), KEY.verifier())
    elsewhere = RevocationSnapshot.of("registry.example/log/test", 3, bytes(32), []).to_text()
    with pytest.raises(WrongOrigin):
        open_revocation_snapshot(sign_note(elsewhere, [KEY]), KEY.verifier())


@pytest.mark.parametrize(
    "text",
    [
        "soundseal/revocations/v1\nregistry.example/log/live\n01\nAAAA\n",
        "soundseal/revocations/v1\nregistry.example/log/live\n1\n",
        "soundseal/revocations/v2\nregistry.example/log/live\n1\n"
        "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n",
        "soundseal/revocations/v1\nregistry.example/log/live\n1\n"
        "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\ncer_B\ncer_A\n",
        "soundseal/revocations/v1\nregistry.example/log/live\n1\n"
        "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\ncer_A\ncer_A\n",
        "soundseal/revocations/v1\nregistry.example/log/live\n1\n"
        "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n\n",
        "soundseal/revocations/v1\nregistry.example/log/live\n1\n"
        "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
    ],
)
def test_texts_that_break_the_format_are_refused(text: str) -> None:
    with pytest.raises(MalformedRevocations):
        RevocationSnapshot.parse(text)


@given(any_input, private_keys)
def test_anything_read_raises_only_the_formats_errors(
    text: str | bytes, key: Ed25519PrivateKey
) -> None:
    with contextlib.suppress(NoteError):
        RevocationSnapshot.parse(text)
    with contextlib.suppress(NoteError):
        open_revocation_snapshot(text, SignerKey(ORIGIN, key).verifier())
