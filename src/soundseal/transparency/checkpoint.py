"""Checkpoints (C2SP tlog-checkpoint): the signed statement of a log's tree at one size.

A checkpoint is the text of a signed note: the log's origin, the tree size in decimal, the
base64 root hash, then optional extension lines. What a log signs, witnesses cosign and a
proof's verifier trusts is this text byte for byte, so a checkpoint has one spelling:
`parse` refuses a size with leading zeros or a sign, a root hash in non-canonical base64 or
of the wrong length, and empty extension lines, and `to_text` writes the text `parse`
reads back into an equal `Checkpoint`.

The origin may be any non-empty line: the format recommends a schema-less URL without
spaces or plus signs, but tells clients not to assume one, so only what would break the
text (newlines, control characters) is refused.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from soundseal.transparency.note import Note, open_note
from soundseal.transparency.note_errors import MalformedCheckpoint, NoteError
from soundseal.transparency.note_fields import (
    MAX_UINT64,
    decode_base64,
    encode_base64,
    has_control_characters,
    is_utf8,
    parse_decimal,
)
from soundseal.transparency.note_keys import Verifier

__all__ = [
    "ROOT_HASH_SIZE",
    "Checkpoint",
    "check_tree_head",
    "note_text_lines",
    "open_checkpoint",
    "read_tree_head",
]

ROOT_HASH_SIZE = 32  # an RFC 6962 Merkle tree hash is a SHA-256 digest


def _is_line(text: str) -> bool:
    """Whether `text` can stand as one non-empty line of a note."""
    return bool(text) and "\n" not in text and is_utf8(text) and not has_control_characters(text)


# A checkpoint's size and root lines are the tree head the revocation snapshot states too:
# both texts are read and checked by these, each raising its own error.


def note_text_lines(text: str | bytes, error: type[NoteError], what: str) -> list[str]:
    """The lines of a note's text (`what`, e.g. "a checkpoint"): UTF-8, ending in a newline."""
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise error(f"{what} is UTF-8") from exc
    if not text.endswith("\n"):
        raise error(f"{what}'s text ends in a newline")
    return text[:-1].split("\n")


def read_tree_head(size_line: str, root_line: str, error: type[NoteError]) -> tuple[int, bytes]:
    """The tree size and root hash of a note's size and root lines."""
    size = parse_decimal(size_line)
    if size is None:
        raise error("the tree size is a decimal without leading zeros")
    root_hash = decode_base64(root_line)
    if root_hash is None:
        raise error("the root hash is canonical base64")
    return size, root_hash


def check_tree_head(size: int, root_hash: bytes, error: type[NoteError]) -> bytes:
    """`root_hash` as bytes, once the size and root are ones a tree can have."""
    if isinstance(size, bool) or not 0 <= size <= MAX_UINT64:
        raise error("the tree size is a number from 0 to 2**64 - 1")
    if len(root_hash) != ROOT_HASH_SIZE:
        raise error(f"the root hash is {ROOT_HASH_SIZE} bytes")
    return bytes(root_hash)


@dataclass(frozen=True)
class Checkpoint:
    """A log's origin, its tree size, the tree's root hash, and any extension lines."""

    origin: str
    size: int
    root_hash: bytes
    extensions: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if not _is_line(self.origin):
            raise MalformedCheckpoint("the origin is one non-empty line")
        root_hash = check_tree_head(self.size, self.root_hash, MalformedCheckpoint)
        object.__setattr__(self, "root_hash", root_hash)
        object.__setattr__(self, "extensions", tuple(self.extensions))
        if not all(_is_line(line) for line in self.extensions):
            raise MalformedCheckpoint("each extension is one non-empty line")

    def to_text(self) -> str:
        """The note text of this checkpoint, ending in a newline."""
        lines = [self.origin, str(self.size), encode_base64(self.root_hash), *self.extensions]
        return "".join(line + "\n" for line in lines)

    @classmethod
    def parse(cls, text: str | bytes) -> Checkpoint:
        """The checkpoint whose note text is `text` (the text alone, not the signed note)."""
        lines = note_text_lines(text, MalformedCheckpoint, "a checkpoint")
        if len(lines) < 3:
            raise MalformedCheckpoint("a checkpoint has an origin, a size and a root hash")
        origin, size_line, root_line, *extensions = lines
        size, root_hash = read_tree_head(size_line, root_line, MalformedCheckpoint)
        return cls(origin, size, root_hash, tuple(extensions))


def open_checkpoint(signed: str | bytes, verifiers: Iterable[Verifier]) -> tuple[Checkpoint, Note]:
    """The checkpoint a signed note holds, once one of `verifiers` verified it (`open_note`)."""
    note = open_note(signed, verifiers)
    return Checkpoint.parse(note.text), note
