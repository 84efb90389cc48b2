"""Revocation snapshots: a log's set of revoked certificate IDs at one tree size, signed.

A platform that starts from nothing would otherwise read every entry of the log to learn
which certificates are revoked. A snapshot gives it that set at once, as a signed note the
log's own key signs (the key that signs its checkpoints, under the same name, the origin):

    soundseal/revocations/v1
    <origin>
    <tree size, decimal>
    <root hash at that size, base64>
    <revoked certificate ID>           (zero or more lines, sorted, without repeats)

The first line names the format, so a snapshot can never be read as a checkpoint (whose
second line is a size) nor a checkpoint as a snapshot. The size and root bind the set to
one tree: a platform that verifies the snapshot then checks the log from that size on with
a consistency proof and reads revocations from the entries after it (`docs/trust.md`).

`open_revocation_snapshot` is the one reader a client needs: it verifies the note against
the pinned log key and parses the text strictly, one spelling per snapshot.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from itertools import pairwise
from typing import NamedTuple

from soundseal.transparency.checkpoint import check_tree_head, note_text_lines, read_tree_head
from soundseal.transparency.note import open_note
from soundseal.transparency.note_errors import MalformedRevocations, WrongOrigin
from soundseal.transparency.note_fields import (
    encode_base64,
    has_control_characters,
    is_utf8,
)
from soundseal.transparency.note_keys import Verifier

__all__ = [
    "REVOCATIONS_V1",
    "MalformedRevocations",
    "RevocationSnapshot",
    "VerifiedRevocations",
    "open_revocation_snapshot",
]

REVOCATIONS_V1 = "soundseal/revocations/v1"


def _is_token(text: str) -> bool:
    """A line that is one word: non-empty, no spaces, no control characters."""
    return (
        bool(text)
        and " " not in text
        and "\n" not in text
        and is_utf8(text)
        and not has_control_characters(text)
    )


@dataclass(frozen=True)
class RevocationSnapshot:
    """A log's origin, a tree size, the root at that size, and the IDs revoked up to it."""

    origin: str
    size: int
    root_hash: bytes
    revoked: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if not _is_token(self.origin):
            raise MalformedRevocations("the origin is one line without spaces")
        root_hash = check_tree_head(self.size, self.root_hash, MalformedRevocations)
        object.__setattr__(self, "root_hash", root_hash)
        revoked = tuple(self.revoked)
        object.__setattr__(self, "revoked", revoked)
        if not all(_is_token(ident) for ident in revoked):
            raise MalformedRevocations("each revoked ID is one line without spaces")
        if any(a >= b for a, b in pairwise(revoked)):
            raise MalformedRevocations("the revoked IDs are sorted, each once")

    @classmethod
    def of(
        cls, origin: str, size: int, root_hash: bytes, revoked: Iterable[str]
    ) -> RevocationSnapshot:
        """The snapshot of `revoked` in any order, with repeats, sorted and made unique."""
        return cls(origin, size, root_hash, tuple(sorted(set(revoked))))

    def to_text(self) -> str:
        """The note text, ending in a newline, that `parse` reads back into an equal value."""
        lines = [
            REVOCATIONS_V1,
            self.origin,
            str(self.size),
            encode_base64(self.root_hash),
            *self.revoked,
        ]
        return "".join(line + "\n" for line in lines)

    @classmethod
    def parse(cls, text: str | bytes) -> RevocationSnapshot:
        """The snapshot whose note text (not the signed note) is `text`, read strictly."""
        lines = note_text_lines(text, MalformedRevocations, "a snapshot")
        if len(lines) < 4 or lines[0] != REVOCATIONS_V1:
            raise MalformedRevocations(
                f"a snapshot starts {REVOCATIONS_V1!r}, then an origin, a size and a root"
            )
        _, origin, size_line, root_line, *revoked = lines
        size, root_hash = read_tree_head(size_line, root_line, MalformedRevocations)
        return cls(origin, size, root_hash, tuple(revoked))


class VerifiedRevocations(NamedTuple):
    """What a verified snapshot states: the tree size, its root, and the revoked IDs."""

    size: int
    root_hash: bytes
    revoked: frozenset[str]


def open_revocation_snapshot(signed: str | bytes, log_key: Verifier) -> VerifiedRevocations:
    """The size, root and revoked IDs of a snapshot signed by `log_key`, the pinned log key.

    Raises a `NoteError`: `MalformedNote` or `MalformedRevocations` for text that breaks
    the formats, `SignatureMismatch` for a log signature that does not verify (a tampered
    snapshot), `UnverifiedNote` when the log key did not sign it, and `WrongOrigin` when it
    names a log other than the key's.
    """
    note = open_note(signed, [log_key])
    snapshot = RevocationSnapshot.parse(note.text)
    if snapshot.origin != log_key.name:
        raise WrongOrigin(f"a snapshot of {snapshot.origin!r}, not of {log_key.name!r}")
    return VerifiedRevocations(snapshot.size, snapshot.root_hash, frozenset(snapshot.revoked))
