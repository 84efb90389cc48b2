"""Signed notes and their keys: the Go reference vectors, the format's rules, and properties."""

from __future__ import annotations

import base64
import contextlib
import hashlib
import json
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import given
from hypothesis import strategies as st

from soundseal.transparency.note import (
    MAX_SIGNATURES,
    NoteSignature,
    add_signatures,
    format_note,
    open_note,
    parse_note,
    parse_signature_lines,
    sign_note,
)
from soundseal.transparency.note_errors import (
    MalformedKey,
    MalformedNote,
    NoteError,
    SignatureMismatch,
    UnverifiedNote,
)
from soundseal.transparency.note_keys import SignerKey, VerifierKey
from tests.transparency.strategies import (
    any_input,
    any_text,
    edited,
    key_names,
    note_texts,
    private_keys,
)

VECTORS: dict[str, Any] = json.loads(
    (Path(__file__).parent / "vectors" / "signed-note.json").read_text(encoding="utf-8")
)
TEXT = "A line of text.\nAnd another.\n"


def _signer(name: str = "example.org/log") -> SignerKey:
    return SignerKey.generate(name)


# The reference vectors (Go's golang.org/x/mod/sumdb/note).


def test_the_vector_signer_key_parses_and_formats_back_to_itself() -> None:
    signer = SignerKey.parse(VECTORS["signer_key"])
    assert signer.format() == VECTORS["signer_key"]
    assert signer.verifier().format() == VECTORS["verifier_key"]
    assert VerifierKey.parse(VECTORS["verifier_key"]).format() == VECTORS["verifier_key"]


def test_signing_the_vector_text_gives_the_vector_note_byte_for_byte() -> None:
    signer = SignerKey.parse(VECTORS["signer_key"])
    assert sign_note(VECTORS["text"], [signer]) == VECTORS["signed_note"]


@pytest.mark.parametrize("key", ["verifier_key", "second_verifier_key"])
def test_the_doubly_signed_vector_note_verifies_with_either_key_alone(key: str) -> None:
    both = VECTORS["signed_note"] + VECTORS["second_signature_line"]
    verifier = VerifierKey.parse(VECTORS[key])
    note = open_note(both, [verifier])
    assert note.text == VECTORS["text"]
    assert [(s.name, s.key_id) for s in note.verified] == [(verifier.name, verifier.key_id)]
    assert len(note.unverified) == 1
    assert note.unverified[0].name != verifier.name


def test_the_doubly_signed_vector_note_verifies_with_both_keys() -> None:
    both = VECTORS["signed_note"] + VECTORS["second_signature_line"]
    keys = [VerifierKey.parse(VECTORS[k]) for k in ("verifier_key", "second_verifier_key")]
    note = open_note(both, keys)
    assert {s.name for s in note.verified} == {k.name for k in keys}
    assert note.unverified == ()


def _mangled(key: str) -> set[str]:
    substrings = {key[i:j] for i in range(len(key)) for j in range(i, len(key) + 1)}
    bumped = {key[:i] + chr(ord(key[i]) + 1) + key[i + 1 :] for i in range(len(key))}
    return (substrings | bumped) - {key}


def test_every_mangled_vector_verifier_key_is_refused_or_fails_to_verify() -> None:
    mangled = _mangled(VECTORS["verifier_key"])
    assert len(mangled) > 1000
    for text in mangled:
        try:
            verifier = VerifierKey.parse(text)
        except MalformedKey:
            continue
        with pytest.raises((UnverifiedNote, SignatureMismatch)):
            open_note(VECTORS["signed_note"], [verifier])


def test_every_mangled_vector_signer_key_is_refused_or_signs_for_another_key() -> None:
    original = VerifierKey.parse(VECTORS["verifier_key"])
    for text in _mangled(VECTORS["signer_key"]):
        try:
            signer = SignerKey.parse(text)
        except MalformedKey:
            continue
        with pytest.raises((UnverifiedNote, SignatureMismatch)):
            open_note(sign_note(VECTORS["text"], [signer]), [original])


# Keys.


def test_a_key_id_is_the_first_four_bytes_of_the_hash_of_name_type_and_key() -> None:
    signer = _signer("example.org/k")
    digest = hashlib.sha256(b"example.org/k\n\x01" + signer.public_key).digest()
    assert signer.key_id == int.from_bytes(digest[:4], "big")
    assert signer.verifier().format().split("+")[1] == digest[:4].hex()


@pytest.mark.parametrize("name", ["", "a b", "a+b", "a\tb", "a\u00a0b", "a\u2003b", "a\x01b"])
def test_a_key_name_with_a_space_plus_or_control_character_is_refused(name: str) -> None:
    with pytest.raises(MalformedKey):
        SignerKey.generate(name)
    with pytest.raises(MalformedKey):
        VerifierKey(name, bytes(32))


def _vkey(name: str, key_id: str, body: bytes) -> str:
    return f"{name}+{key_id}+{base64.b64encode(body).decode()}"


def test_a_verifier_key_of_another_type_length_or_id_is_refused() -> None:
    verifier = _signer("n").verifier()
    key_id = verifier.format().split("+")[1]
    bad = [
        _vkey("n", key_id, b"\x02" + verifier.public_key),  # another algorithm byte
        _vkey("n", key_id, b"\x01" + verifier.public_key[:31]),  # too short
        _vkey("n", key_id, b"\x01" + verifier.public_key + b"\x00"),  # too long
        _vkey("n", key_id.upper(), b"\x01" + verifier.public_key),  # not lowercase
        _vkey("n", key_id[:7], b"\x01" + verifier.public_key),  # seven digits
        _vkey("m", key_id, b"\x01" + verifier.public_key),  # the ID of another name
        verifier.format()[:-1],  # a base64 character short
        "n+" + key_id,  # no key
    ]
    for text in bad:
        with pytest.raises(MalformedKey):
            VerifierKey.parse(text)


@given(name=key_names, key=private_keys)
def test_keys_round_trip_through_their_text(name: str, key: Ed25519PrivateKey) -> None:
    signer = SignerKey(name, key)
    assert SignerKey.parse(signer.format()) == signer
    assert VerifierKey.parse(signer.verifier().format()) == signer.verifier()


@given(any_text)
def test_any_text_as_a_key_raises_only_malformed_key(text: str) -> None:
    for parse in (VerifierKey.parse, SignerKey.parse):
        with contextlib.suppress(MalformedKey):
            parse(text)


@given(st.data())
def test_an_edited_key_raises_only_malformed_key(data: st.DataObject) -> None:
    signer = SignerKey(data.draw(key_names), data.draw(private_keys))
    for text, parse in ((signer.format(), SignerKey.parse), (signer.verifier().format(), None)):
        mangled = data.draw(edited(text))
        with contextlib.suppress(MalformedKey):
            (parse or VerifierKey.parse)(mangled)


# Notes: the format's rules.


def test_a_note_opens_to_its_text_and_the_signature_that_verified() -> None:
    signer = _signer()
    note = open_note(sign_note(TEXT, [signer]), [signer.verifier()])
    assert note.text == TEXT
    assert [(s.name, s.key_id) for s in note.verified] == [(signer.name, signer.key_id)]
    assert note.unverified == ()


@pytest.mark.parametrize("text", ["no final newline", "", "tab\there\n", "cr\r\n", "nul\x00\n"])
def test_a_text_without_final_newline_or_with_control_characters_is_not_signed(
    text: str,
) -> None:
    with pytest.raises(MalformedNote):
        sign_note(text, [_signer()])


def test_a_note_from_unknown_keys_only_is_unverified() -> None:
    with pytest.raises(UnverifiedNote):
        open_note(sign_note(TEXT, [_signer()]), [_signer().verifier()])
    with pytest.raises(UnverifiedNote):
        open_note(sign_note(TEXT, [_signer()]), [])


def test_a_signature_sharing_only_the_name_or_only_the_key_id_is_ignored() -> None:
    known = _signer("example.org/log")
    same_name = _signer("example.org/log")  # another key: another key ID
    signed = sign_note(TEXT, [known, same_name])
    # A line with the known key's ID under another name.
    forged_id = NoteSignature("example.org/other", known.key_id, bytes(64))
    note = open_note(
        format_note(TEXT, [*parse_note(signed).unverified, forged_id]), [known.verifier()]
    )
    assert [s.key_id for s in note.verified] == [known.key_id]
    assert {(s.name, s.key_id) for s in note.unverified} == {
        (same_name.name, same_name.key_id),
        (forged_id.name, forged_id.key_id),
    }


def test_a_known_key_with_a_bad_signature_refuses_the_whole_note() -> None:
    good, bad = _signer("a.example"), _signer("b.example")
    signed = sign_note(TEXT, [good])
    forged = NoteSignature(bad.name, bad.key_id, bad.sign(b"another text\n"))
    with pytest.raises(SignatureMismatch):
        open_note(signed + forged.line(), [good.verifier(), bad.verifier()])


def test_a_repeated_signature_is_verified_and_kept_once() -> None:
    signer = _signer()
    signed = sign_note(TEXT, [signer])
    note = open_note(signed + signed.split("\n\n")[-1], [signer.verifier()])
    assert len(note.verified) == 1


def test_two_different_keys_with_one_name_and_key_id_are_refused_as_verifiers() -> None:
    signer = _signer()
    verifier = signer.verifier()
    assert open_note(sign_note(TEXT, [signer]), [verifier, verifier]).text == TEXT

    class Impostor:
        name = verifier.name
        key_id = verifier.key_id

        def verify(self, message: bytes, signature: bytes) -> bool:
            return True

    with pytest.raises(MalformedKey):
        open_note(sign_note(TEXT, [signer]), [verifier, Impostor()])


def test_at_least_sixteen_and_at_most_the_limit_of_signatures_are_read() -> None:
    signer = _signer()
    line = sign_note(TEXT, [signer]).split("\n\n")[-1]
    for count in (16, MAX_SIGNATURES):
        assert open_note(TEXT + "\n" + line * count, [signer.verifier()]).text == TEXT
    with pytest.raises(MalformedNote):
        open_note(TEXT + "\n" + line * (MAX_SIGNATURES + 1), [signer.verifier()])


def _line(name: str, blob: bytes) -> str:
    return f"\u2014 {name} {base64.b64encode(blob).decode()}\n"


@pytest.mark.parametrize(
    "signatures",
    [
        "",  # no signature line
        "- name AAAAAAA=\n",  # a hyphen, not an em dash
        "\u2014name AAAAAAA=\n",  # no space after the dash
        "\u2014 name\n",  # no signature
        _line("name", b"\x00\x00\x00\x01"),  # a key ID and no signature
        _line("na+me", b"\x00" * 8),  # a name with '+'
        "\u2014 name AAAAAAB=\n",  # non-zero padding bits: not canonical base64
        "\u2014 name AAAAAAA\n",  # no padding
        "\u2014 name AAAA AAA=\n",  # a space inside the base64
        _line("name", b"\x00" * 8).rstrip("\n"),  # no final newline
        _line("name", b"\x00" * 8) + "\n",  # a blank line after the signatures
    ],
)
def test_a_malformed_signature_block_is_refused(signatures: str) -> None:
    signer = _signer()
    with pytest.raises(MalformedNote):
        open_note(TEXT + "\n" + signatures, [signer.verifier()])


def test_a_note_without_a_blank_line_or_in_broken_utf8_is_refused() -> None:
    signer = _signer()
    signed = sign_note(TEXT, [signer])
    with pytest.raises(MalformedNote):
        open_note(signed.replace("\n\n", "\n"), [signer.verifier()])
    with pytest.raises(MalformedNote):
        open_note(b"\xff" + signed.encode(), [signer.verifier()])
    assert open_note(signed.encode(), [signer.verifier()]).text == TEXT


def test_adding_a_signature_keeps_the_ones_already_there() -> None:
    log, other, third = _signer("log.example"), _signer("other.example"), _signer("w.example")
    signed = sign_note(TEXT, [log, other])
    opened = open_note(signed, [log.verifier()])
    resigned = add_signatures(opened, [third])
    assert resigned.startswith(signed)
    for key in (log, other, third):
        assert open_note(resigned, [key.verifier()]).text == TEXT
    # Signing again with a key already there replaces its line.
    again = add_signatures(open_note(resigned, [third.verifier()]), [third])
    assert len(parse_note(again).unverified) == 3


def test_signature_lines_read_alone_join_a_note() -> None:
    log, witness = _signer("log.example"), _signer("w.example")
    response = sign_note(TEXT, [witness]).split("\n\n")[-1]
    merged = format_note(
        TEXT, [*parse_note(sign_note(TEXT, [log])).unverified, *parse_signature_lines(response)]
    )
    note = open_note(merged, [log.verifier(), witness.verifier()])
    assert len(note.verified) == 2


# Notes: properties.


@given(text=note_texts, names=st.lists(key_names, min_size=1, max_size=3), data=st.data())
def test_a_signed_note_opens_to_its_text_with_each_key(
    text: str, names: list[str], data: st.DataObject
) -> None:
    signers = [SignerKey(name, data.draw(private_keys)) for name in names]
    signed = sign_note(text, signers)
    for signer in signers:
        note = open_note(signed, [signer.verifier()])
        assert note.text == text
        assert note.verified[0].key_id == signer.key_id
    parsed = parse_note(signed)
    assert parsed.text == text
    assert [(s.name, s.key_id) for s in parsed.unverified] == [(s.name, s.key_id) for s in signers]


@given(text=note_texts, data=st.data())
def test_a_note_whose_text_changed_by_one_character_does_not_verify(
    text: str, data: st.DataObject
) -> None:
    signer = SignerKey("example.org/log", data.draw(private_keys))
    signed = sign_note(text, [signer])
    position = data.draw(st.integers(0, len(text) - 1))
    replacement = data.draw(st.characters(blacklist_categories=("Cc", "Cs")))
    if text[position] == "\n" or replacement == text[position]:
        replacement = "x" if text[position] != "x" else "y"
        changed = signed[:position] + replacement + signed[position:]  # insert one character
    else:
        changed = signed[:position] + replacement + signed[position + 1 :]
    with pytest.raises(SignatureMismatch):
        open_note(changed, [signer.verifier()])


@given(any_input)
def test_anything_as_a_note_raises_only_note_errors(signed: str | bytes) -> None:
    verifier = SignerKey("example.org/log", Ed25519PrivateKey.generate()).verifier()
    for read in (parse_note, parse_signature_lines, lambda s: open_note(s, [verifier])):
        with contextlib.suppress(NoteError):
            read(signed)


@given(text=note_texts, data=st.data())
def test_an_edited_note_raises_only_note_errors(text: str, data: st.DataObject) -> None:
    signer = SignerKey("example.org/log", data.draw(private_keys))
    mangled = data.draw(edited(sign_note(text, [signer])))
    with contextlib.suppress(NoteError):
        open_note(mangled, [signer.verifier()])
