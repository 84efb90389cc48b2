"""Why a signed note, a key, a checkpoint, a cosignature or a tlog proof was refused.

Every text these formats read comes from outside: a log's server, a witness, a proof a
client hands in. Their parsers and verifiers raise only the errors below, so one
`except NoteError` covers all of them, and none escapes as a bare `ValueError`,
`UnicodeError` or `binascii.Error` from deep inside a decoder. `NoteError` is a
`ValueError`: each of them is a value that was refused.

    NoteError(ValueError)
    ├── MalformedKey            a verifier key (vkey) or signer key that does not parse: a bad
    │                           name, a key ID that is not 8 lowercase hex digits or does not
    │                           match the key, the wrong algorithm byte, the wrong length
    ├── MalformedNote           a signed note that does not follow the format: not UTF-8, a
    │                           control character, no blank line before the signatures, a bad
    │                           signature line, too many signatures
    ├── SignatureMismatch       a signature whose key name and ID match a known key but which
    │                           does not verify: the whole note is refused
    ├── UnverifiedNote          no signature from a known key: the text must not be trusted
    ├── MalformedCheckpoint     a note text that is not a tlog checkpoint
    ├── MalformedCosignature    a signature line that is not a tlog-cosignature/v1 cosignature
    ├── MalformedProof          a text that is not a c2sp.org/tlog-proof@v1 proof
    ├── MalformedWitnessRequest a tlog-witness add-checkpoint request body that does not parse
    ├── MalformedRevocations    a text that is not a soundseal/revocations/v1 snapshot
    ├── WrongOrigin             a checkpoint from another log than the one expected
    └── InsufficientCosignatures fewer valid witness cosignatures than the policy requires
"""

from __future__ import annotations

__all__ = [
    "InsufficientCosignatures",
    "MalformedCheckpoint",
    "MalformedCosignature",
    "MalformedKey",
    "MalformedNote",
    "MalformedProof",
    "MalformedRevocations",
    "MalformedWitnessRequest",
    "NoteError",
    "SignatureMismatch",
    "UnverifiedNote",
    "WrongOrigin",
]


class NoteError(ValueError):
    """The base of every error the transparency text formats raise."""


class MalformedKey(NoteError):
    """A verifier or signer key string that is not a well-formed key of the expected type."""


class MalformedNote(NoteError):
    """A signed note that breaks the signed-note format."""


class SignatureMismatch(NoteError):
    """A known key's signature that does not verify over the note text."""


class UnverifiedNote(NoteError):
    """A note carrying no verified signature from any of the keys it was opened with."""


class MalformedCheckpoint(NoteError):
    """A note text, or checkpoint fields, that break the tlog-checkpoint format."""


class MalformedCosignature(NoteError):
    """A note signature that is not a timestamped Ed25519 (cosignature/v1) cosignature."""


class MalformedProof(NoteError):
    """A text that breaks the tlog-proof format."""


class MalformedWitnessRequest(NoteError):
    """A tlog-witness add-checkpoint request body that breaks its format."""


class MalformedRevocations(NoteError):
    """A text that breaks the revocation snapshot format (`revocations.py`)."""


class WrongOrigin(NoteError):
    """A checkpoint whose origin line is not the log the verifier expected."""


class InsufficientCosignatures(NoteError):
    """A checkpoint with fewer valid cosignatures from known witnesses than required."""

    def __init__(self, found: int, required: int) -> None:
        super().__init__(f"{found} valid witness cosignature(s), {required} required")
        self.found = found
        self.required = required
