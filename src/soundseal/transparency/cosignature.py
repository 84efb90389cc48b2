"""Witness cosignatures (C2SP tlog-cosignature, the Ed25519 `cosignature/v1` type).

A witness cosigns a checkpoint to say that, as of a time, it is the largest tree it has
seen for that log and consistent with all it saw before. Clients that count cosignatures
from independent witnesses before trusting a checkpoint cannot be shown a private fork of
the log. A cosignature is an ordinary note signature on the checkpoint, so it rides in the
same note as the log's own, under its own key type byte (0x04) and key ID:

    key ID    = SHA-256(name || 0x0A || 0x04 || 32-byte Ed25519 public key)[:4]
    signature = u64 big-endian POSIX timestamp || Ed25519 signature (72 bytes in all)
    message   = "cosignature/v1\\n" "time <timestamp>\\n" <the whole checkpoint text>

The message does not name the witness, so one Ed25519 key must not serve two witnesses;
`count_valid_cosignatures` therefore counts distinct public keys, not names.

The signing is `cryptography`'s Ed25519. The time is always passed in (`CosignerKey.cosign`,
`CosignerKey.at`): what clock a witness trusts is its own decision, not this format's.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import ClassVar

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from soundseal.transparency.checkpoint import Checkpoint
from soundseal.transparency.note import NoteSignature, open_note, parse_signature_line
from soundseal.transparency.note_errors import (
    MalformedCheckpoint,
    MalformedCosignature,
    MalformedNote,
    UnverifiedNote,
)
from soundseal.transparency.note_keys import (
    ED25519_SIGNATURE_SIZE,
    NamedEd25519Key,
    compute_key_id,
)

__all__ = [
    "COSIGNATURE_V1",
    "MAX_TIMESTAMP",
    "Cosignature",
    "CosignatureVerifier",
    "CosignerKey",
    "TimestampedCosigner",
    "cosigned_message",
    "count_valid_cosignatures",
    "parse_cosignature_line",
]

COSIGNATURE_V1 = 0x04  # the signed-note signature type byte of Ed25519 cosignatures
MAX_TIMESTAMP = 2**63 - 1
_TIMESTAMP_SIZE = 8
_SIGNATURE_SIZE = _TIMESTAMP_SIZE + ED25519_SIGNATURE_SIZE


def cosigned_message(checkpoint_text: str, timestamp: int) -> bytes:
    """What a cosigner signs: the header line, the time line, then the checkpoint text.

    Raises `MalformedCheckpoint` unless `checkpoint_text` is a checkpoint's note text, and
    `MalformedCosignature` for a timestamp outside 0 .. 2**63 - 1.
    """
    Checkpoint.parse(checkpoint_text)
    if not 0 <= timestamp <= MAX_TIMESTAMP:
        raise MalformedCosignature("a cosignature's timestamp is from 0 to 2**63 - 1")
    return f"cosignature/v1\ntime {timestamp}\n{checkpoint_text}".encode()


@dataclass(frozen=True)
class Cosignature:
    """One cosignature line: the witness's name and key ID, the time, the Ed25519 signature."""

    name: str
    key_id: int
    timestamp: int
    signature: bytes

    def __post_init__(self) -> None:
        if not 0 <= self.timestamp <= MAX_TIMESTAMP:
            raise MalformedCosignature("a cosignature's timestamp is from 0 to 2**63 - 1")
        if len(self.signature) != ED25519_SIGNATURE_SIZE:
            raise MalformedCosignature("a cosignature holds a 64-byte Ed25519 signature")
        try:
            self.note_signature()
        except MalformedNote as exc:
            raise MalformedCosignature(str(exc)) from exc

    @classmethod
    def from_note_signature(cls, signature: NoteSignature) -> Cosignature:
        """The cosignature a note signature holds, if it is 8 + 64 bytes long."""
        blob = signature.signature
        if len(blob) != _SIGNATURE_SIZE:
            raise MalformedCosignature("a cosignature is an 8-byte time and a 64-byte signature")
        timestamp = int.from_bytes(blob[:_TIMESTAMP_SIZE], "big")
        return cls(signature.name, signature.key_id, timestamp, blob[_TIMESTAMP_SIZE:])

    def note_signature(self) -> NoteSignature:
        """This cosignature as the note signature it is written as."""
        blob = self.timestamp.to_bytes(_TIMESTAMP_SIZE, "big") + self.signature
        return NoteSignature(self.name, self.key_id, blob)

    def line(self) -> str:
        """The signature line, with its newline."""
        return self.note_signature().line()


def parse_cosignature_line(line: str) -> Cosignature:
    """The cosignature one signature line holds (its final newline may be left off)."""
    bare = line.removesuffix("\n")
    if "\n" in bare:
        raise MalformedCosignature("one cosignature is one line")
    try:
        signature = parse_signature_line(bare)
    except MalformedNote as exc:
        raise MalformedCosignature(str(exc)) from exc
    return Cosignature.from_note_signature(signature)


@dataclass(frozen=True)
class CosignatureVerifier(NamedEd25519Key):
    """A witness's cosignature/v1 key: its name and 32-byte Ed25519 public key.

    A note `Verifier`: pass it to `open_note` with a checkpoint to check its cosignature.
    """

    ALGORITHM: ClassVar[int] = COSIGNATURE_V1

    def verify(self, message: bytes, signature: bytes) -> bool:
        """Whether `signature` (time and signature) cosigns `message`, a checkpoint's text."""
        if len(signature) != _SIGNATURE_SIZE:
            return False
        timestamp = int.from_bytes(signature[:_TIMESTAMP_SIZE], "big")
        try:
            signed = cosigned_message(message.decode("utf-8"), timestamp)
        except (UnicodeDecodeError, MalformedCheckpoint, MalformedCosignature):
            return False
        try:
            self._key.verify(signature[_TIMESTAMP_SIZE:], signed)
        except InvalidSignature:
            return False
        return True

    def verify_cosignature(self, checkpoint_text: str, cosignature: Cosignature) -> bool:
        """Whether `cosignature` is this key's, over `checkpoint_text` at its timestamp."""
        signature = cosignature.note_signature()
        return (cosignature.name, cosignature.key_id) == (self.name, self.key_id) and self.verify(
            checkpoint_text.encode("utf-8"), signature.signature
        )


@dataclass(frozen=True)
class TimestampedCosigner:
    """A cosigner fixed at one time: a note `Signer` whose signatures carry that time."""

    key: CosignerKey
    timestamp: int

    @property
    def name(self) -> str:
        return self.key.name

    @property
    def key_id(self) -> int:
        return self.key.key_id

    def sign(self, message: bytes) -> bytes:
        text = message.decode("utf-8")
        return self.key.cosign(text, self.timestamp).note_signature().signature


@dataclass(frozen=True)
class CosignerKey:
    """A witness's cosigning key: a name and an Ed25519 private key."""

    name: str
    private_key: Ed25519PrivateKey = field(repr=False, compare=False)
    public_key: bytes = field(init=False)

    def __post_init__(self) -> None:
        public = self.private_key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
        object.__setattr__(self, "public_key", public)
        self.verifier()  # refuses a name a key may not have

    @property
    def key_id(self) -> int:
        return compute_key_id(self.name, COSIGNATURE_V1, self.public_key)

    def verifier(self) -> CosignatureVerifier:
        """The key that checks this cosigner's cosignatures."""
        return CosignatureVerifier(self.name, self.public_key)

    def cosign(self, checkpoint_text: str, timestamp: int) -> Cosignature:
        """A cosignature over the checkpoint text `checkpoint_text`, stating `timestamp`."""
        signature = self.private_key.sign(cosigned_message(checkpoint_text, timestamp))
        return Cosignature(self.name, self.key_id, timestamp, signature)

    def at(self, timestamp: int) -> TimestampedCosigner:
        """A note `Signer` for `note.sign_note` / `note.add_signatures`, stating `timestamp`."""
        return TimestampedCosigner(self, timestamp)


def count_valid_cosignatures(
    note_text: str | bytes, witness_keys: Iterable[CosignatureVerifier]
) -> int:
    """How many distinct witness keys in `witness_keys` validly cosigned the checkpoint note.

    `note_text` is the signed checkpoint with its signature lines. Signatures from other
    keys (the log's own among them) are ignored. A known witness's cosignature that does
    not verify is not skipped: like `open_note`, it raises `SignatureMismatch`, as does a
    malformed note `MalformedNote`. Witnesses are counted by public key, since the
    cosigned message does not name them.
    """
    keys = list(witness_keys)
    try:
        note = open_note(note_text, keys)
    except UnverifiedNote:
        return 0
    by_identity = {(key.name, key.key_id): key.public_key for key in keys}
    return len({by_identity[(s.name, s.key_id)] for s in note.verified})
