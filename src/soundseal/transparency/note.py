"""Signed notes (C2SP signed-note): sign a text, and open a signed one against trusted keys.

A signed note is a text ending in a newline, a blank line, and one or more signature lines
`— <key name> base64(key ID || signature)`. Checkpoints and their witness cosignatures are
signed notes, so this is the one place their outer shape is read.

Opening a note is where trust is decided, so the rules are the specification's, strictly:
the note must be UTF-8 without control characters other than newline; every signature line
must be well formed, whether or not its key is known; a signature whose name and key ID
match no trusted key is kept aside, unverified, never an error (that is how logs rotate keys
and witnesses add cosignatures); a signature from a trusted key that does not verify refuses
the whole note; and a note with no verified signature is refused, since its text may not be
trusted at all. A note holds at most `MAX_SIGNATURES` signatures (the format asks verifiers
to accept at least 16), which bounds the work a hostile note can ask for.

Signing adds lines and never rewrites the text: `add_signatures` appends a signer's line to
an opened note, keeping the signatures already there (a log's checkpoint gaining witness
cosignatures), and `parse_signature_lines` reads the bare lines a witness answers with.

Keys are anything with a name, a key ID and a `verify` or `sign` (`note_keys.Verifier`,
`note_keys.Signer`): plain Ed25519 keys (`note_keys.py`) and cosigner keys
(`cosignature.py`) alike.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from soundseal.transparency.note_errors import (
    MalformedKey,
    MalformedNote,
    SignatureMismatch,
    UnverifiedNote,
)
from soundseal.transparency.note_fields import (
    decode_base64,
    encode_base64,
    has_control_characters,
    is_utf8,
    is_valid_key_name,
)
from soundseal.transparency.note_keys import Signer, Verifier

__all__ = [
    "MAX_SIGNATURES",
    "Note",
    "NoteSignature",
    "add_signatures",
    "format_note",
    "open_note",
    "parse_note",
    "parse_signature_lines",
    "sign_note",
]

MAX_SIGNATURES = 100

_DASH = "\u2014 "  # em dash and space: how every signature line starts
_KEY_ID_SIZE = 4


@dataclass(frozen=True)
class NoteSignature:
    """One signature line: the key's name and ID, and the signature bytes after the ID."""

    name: str
    key_id: int
    signature: bytes

    def __post_init__(self) -> None:
        if not is_valid_key_name(self.name):
            raise MalformedNote("a signature's key name is empty or holds a space or '+'")
        if not 0 <= self.key_id < 2**32:
            raise MalformedNote("a key ID is a 32-bit number")
        if not self.signature:
            raise MalformedNote("a signature is at least one byte after the key ID")

    def line(self) -> str:
        """`— <name> base64(key ID || signature)` and its newline."""
        blob = self.key_id.to_bytes(_KEY_ID_SIZE, "big") + self.signature
        return f"{_DASH}{self.name} {encode_base64(blob)}\n"


@dataclass(frozen=True)
class Note:
    """A note's text, the signatures trusted keys verified, and the ones no known key made."""

    text: str
    verified: tuple[NoteSignature, ...] = ()
    unverified: tuple[NoteSignature, ...] = ()


def _text_bytes(text: str) -> bytes:
    """The UTF-8 of a note text, once the text is one a note may hold."""
    if not text.endswith("\n"):
        raise MalformedNote("a note's text ends in a newline")
    if not is_utf8(text) or has_control_characters(text):
        raise MalformedNote("a note is UTF-8 without control characters other than newline")
    return text.encode("utf-8")


def _decode(signed: str | bytes) -> str:
    if isinstance(signed, bytes):
        try:
            return signed.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise MalformedNote("a note is UTF-8") from exc
    return signed


def parse_signature_line(line: str) -> NoteSignature:
    """One signature line, without its newline: `— <key name> base64(key ID || signature)`."""
    if not line.startswith(_DASH):
        raise MalformedNote("a signature line starts with an em dash and a space")
    name, space, encoded = line[len(_DASH) :].partition(" ")
    if not space or not is_valid_key_name(name):
        raise MalformedNote("a signature line names a valid key, then a space")
    blob = decode_base64(encoded)
    if blob is None or len(blob) <= _KEY_ID_SIZE:
        raise MalformedNote("a signature is canonical base64 of a key ID and signature bytes")
    key_id = int.from_bytes(blob[:_KEY_ID_SIZE], "big")
    return NoteSignature(name, key_id, blob[_KEY_ID_SIZE:])


def parse_signature_lines(block: str | bytes) -> tuple[NoteSignature, ...]:
    """Signature lines alone, each ending in a newline, as a witness answers with them."""
    text = _decode(block)
    if not text.endswith("\n") or not is_utf8(text) or has_control_characters(text):
        raise MalformedNote("signature lines are UTF-8 lines, each ending in a newline")
    lines = text[:-1].split("\n")
    if len(lines) > MAX_SIGNATURES:
        raise MalformedNote(f"more than {MAX_SIGNATURES} signatures")
    return tuple(parse_signature_line(line) for line in lines)


def parse_note(signed: str | bytes) -> Note:
    """A signed note's text and signatures, read but not verified: all of them `unverified`.

    Use `open_note` to trust a note; this is for looking at one, or for carrying its
    signatures along.
    """
    note = _decode(signed)
    if not is_utf8(note) or has_control_characters(note):
        raise MalformedNote("a note is UTF-8 without control characters other than newline")
    split = note.rfind("\n\n")
    if split < 0:
        raise MalformedNote("a note has a blank line between its text and its signatures")
    text, block = note[: split + 1], note[split + 2 :]
    if not block:
        raise MalformedNote("a note has at least one signature line")
    return Note(text, unverified=parse_signature_lines(block))


def _by_identity(verifiers: Iterable[Verifier]) -> dict[tuple[str, int], Verifier]:
    keys: dict[tuple[str, int], Verifier] = {}
    for verifier in verifiers:
        identity = (verifier.name, verifier.key_id)
        if keys.get(identity, verifier) != verifier:
            raise MalformedKey(f"two keys named {verifier.name!r} share one key ID")
        keys[identity] = verifier
    return keys


def open_note(signed: str | bytes, verifiers: Iterable[Verifier]) -> Note:
    """The note `signed`, once at least one of `verifiers` verified a signature on it.

    Raises `MalformedNote` for a note that breaks the format, `SignatureMismatch` when a
    signature from a key in `verifiers` (same name and key ID) does not verify, and
    `UnverifiedNote` when none of `verifiers` signed it. Signatures from other keys are
    returned as `unverified`; a key's repeated signature is verified and kept once.
    """
    parsed = parse_note(signed)
    keys = _by_identity(verifiers)
    message = parsed.text.encode("utf-8")
    verified: dict[tuple[str, int], NoteSignature] = {}
    unverified: list[NoteSignature] = []
    for signature in parsed.unverified:
        identity = (signature.name, signature.key_id)
        key = keys.get(identity)
        if key is None:
            unverified.append(signature)
        elif not key.verify(message, signature.signature):
            raise SignatureMismatch(f"the signature of {signature.name!r} does not verify")
        else:
            verified.setdefault(identity, signature)
    if not verified:
        raise UnverifiedNote("no signature from a known key")
    return Note(parsed.text, tuple(verified.values()), tuple(unverified))


def format_note(text: str, signatures: Sequence[NoteSignature]) -> str:
    """The signed note of `text` and `signatures`, in that order (nothing is verified)."""
    _text_bytes(text)
    if not signatures:
        raise MalformedNote("a note has at least one signature line")
    if len(signatures) > MAX_SIGNATURES:
        raise MalformedNote(f"more than {MAX_SIGNATURES} signatures")
    return text + "\n" + "".join(signature.line() for signature in signatures)


def _signatures_by(text: str, signers: Sequence[Signer]) -> list[NoteSignature]:
    message = _text_bytes(text)
    return [NoteSignature(s.name, s.key_id, s.sign(message)) for s in signers]


def sign_note(text: str, signers: Sequence[Signer]) -> str:
    """`text` signed by each of `signers`, one signature line each, in their order."""
    return format_note(text, _signatures_by(text, signers))


def add_signatures(note: Note, signers: Sequence[Signer]) -> str:
    """`note` with a signature from each of `signers` after the signatures it already has.

    A signature already there from a signer's own name and key ID is replaced, so signing
    twice leaves one line per key. The existing signatures are written back as they are,
    verified or not: adding a signature vouches only for the text.
    """
    new = _signatures_by(note.text, signers)
    replaced = {(signature.name, signature.key_id) for signature in new}
    kept = [s for s in (*note.verified, *note.unverified) if (s.name, s.key_id) not in replaced]
    return format_note(note.text, [*kept, *new])
