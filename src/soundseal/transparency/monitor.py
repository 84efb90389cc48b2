"""Following a registry's log: accept a new checkpoint only once every entry in it is seen.

A monitor keeps a `VerifiedLog`: the origin it follows, the size and root of the largest
tree it has verified, the tree's right edge (the hashes of its maximal complete subtrees, one
per set bit of the size, so at most 64), and the signed checkpoint it last accepted. From a
new signed checkpoint, `advance` checks, in this order:

1. the log's signature, with the pinned log key (`BadCheckpoint`, `BadCheckpointSignature`);
2. the origin is the one followed (`OriginMismatch`);
3. the tree did not shrink (`RollbackDetected`), and a tree of the same size has the same root
   (`ForkDetected`): two checkpoints signed by one key that cannot both be true, so they are
   reported even when the witness policy would have refused the new one;
4. enough known witnesses cosigned it (`TooFewWitnesses`);
5. the entries [old size, new size), fetched through the caller's `fetch_entries` and hashed
   as leaves onto the stored right edge (`stored_tree.hashes_to_store`), give the new root
   (`EntriesDoNotMatch`, `WrongEntryCount`).

Only then is the new state returned, with the new entries. Checking the entries themselves
against the root, rather than a consistency proof, is deliberate: a monitor reads every entry
anyway, and the entries plus the verified right edge *are* a consistency proof, one that also
proves the entries it goes on to act on are the log's. The right edge is what makes this
incremental: no hash older than the edge is ever needed again.

Every refusal carries the two signed checkpoints (`audit_errors.Evidence`). The state is
stored between runs as JSON (`to_json`/`from_json`); reading it back re-checks that the edge
hashes to the root and that the stored checkpoint states that size and root, so a state that
was damaged in storage is refused (`CorruptState`) instead of silently re-trusted.

This module is pure: the fetching is the caller's (`entry_ranges.bundle_fetcher` builds a
fetcher from a path fetcher), and an error the fetcher raises reaches the caller unchanged,
except a malformed entry bundle, which is the log's fault and refused as `WrongEntryCount`.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

from soundseal.transparency.audit_errors import (
    BadCheckpoint,
    BadCheckpointSignature,
    CorruptState,
    EntriesDoNotMatch,
    ForkDetected,
    OriginMismatch,
    RollbackDetected,
    TooFewWitnesses,
    WrongEntryCount,
)
from soundseal.transparency.checkpoint import Checkpoint, open_checkpoint
from soundseal.transparency.cosignature import CosignatureVerifier, count_valid_cosignatures
from soundseal.transparency.entry_ranges import FetchEntries
from soundseal.transparency.merkle import HASH_SIZE, leaf_hash
from soundseal.transparency.note import parse_note
from soundseal.transparency.note_errors import NoteError, SignatureMismatch, UnverifiedNote
from soundseal.transparency.note_fields import decode_base64, encode_base64
from soundseal.transparency.note_keys import Verifier
from soundseal.transparency.stored_tree import hashes_to_store, root_from_right_edge
from soundseal.transparency.tiles import TILE_WIDTH
from soundseal.transparency.tree_errors import EntryBundleError

__all__ = ["FETCH_BATCH", "Advance", "VerifiedLog", "advance"]

#: Entries asked of the fetcher at once: a whole number of bundles, so every request but the
#: last ends on a bundle boundary (`entry_ranges`), and memory stays bounded per request.
FETCH_BATCH = 64 * TILE_WIDTH
_MAX_TREE_SIZE = 2**64 - 1
_STATE_MEMBERS = frozenset({"origin", "size", "root", "right_edge", "checkpoint"})


@dataclass(frozen=True)
class VerifiedLog:
    """The largest tree of one log a monitor has verified, and the checkpoint that signed it.

    `checkpoint` is None only for the empty state a monitor starts from.
    """

    origin: str
    size: int
    root_hash: bytes
    right_edge: tuple[bytes, ...]
    checkpoint: str | None

    def __post_init__(self) -> None:
        object.__setattr__(self, "right_edge", tuple(self.right_edge))
        if not isinstance(self.origin, str) or not self.origin:
            raise CorruptState("the origin is a non-empty text")
        if isinstance(self.size, bool) or not isinstance(self.size, int):
            raise CorruptState("the size is a whole number")
        if not 0 <= self.size <= _MAX_TREE_SIZE:
            raise CorruptState("the size is from 0 to 2**64 - 1")
        if len(self.right_edge) != self.size.bit_count() or not all(
            isinstance(h, bytes) and len(h) == HASH_SIZE for h in self.right_edge
        ):
            raise CorruptState("the right edge holds one 32-byte hash per set bit of the size")
        if root_from_right_edge(self.size, self.right_edge) != self.root_hash:
            raise CorruptState("the right edge does not hash to the root")
        if self.checkpoint is None:
            if self.size:
                raise CorruptState("a non-empty tree is held with the checkpoint that signed it")
            return
        if not isinstance(self.checkpoint, str):
            raise CorruptState("the stored checkpoint is a text")
        try:
            stated = Checkpoint.parse(parse_note(self.checkpoint).text)
        except NoteError as exc:
            raise CorruptState(f"the stored checkpoint does not parse: {exc}") from exc
        if (stated.origin, stated.size, stated.root_hash) != (
            self.origin,
            self.size,
            self.root_hash,
        ):
            raise CorruptState("the stored checkpoint does not state this origin, size and root")

    @classmethod
    def empty(cls, origin: str) -> VerifiedLog:
        """Where a monitor of `origin` starts: the empty tree, trusting nothing yet."""
        return cls(origin, 0, root_from_right_edge(0, ()), (), None)

    def to_json(self) -> dict[str, Any]:
        """The state as a JSON object (hashes in base64)."""
        return {
            "origin": self.origin,
            "size": self.size,
            "root": encode_base64(self.root_hash),
            "right_edge": [encode_base64(h) for h in self.right_edge],
            "checkpoint": self.checkpoint,
        }

    @classmethod
    def from_json(cls, value: Any) -> VerifiedLog:
        """The state `to_json` wrote; `CorruptState` for anything else."""
        if not isinstance(value, dict) or set(value) != _STATE_MEMBERS:
            raise CorruptState(f"a stored state is an object of {sorted(_STATE_MEMBERS)}")
        edge = value["right_edge"]
        if not isinstance(edge, list):
            raise CorruptState("the right edge is a list")
        return cls(
            value["origin"],
            value["size"],
            _hash(value["root"]),
            tuple(_hash(h) for h in edge),
            value["checkpoint"],
        )

    def dumps(self) -> str:
        """The state as JSON text."""
        return json.dumps(self.to_json(), ensure_ascii=False, sort_keys=True)

    @classmethod
    def loads(cls, text: str | bytes) -> VerifiedLog:
        """The state `dumps` wrote; `CorruptState` for anything else."""
        try:
            value = json.loads(text)
        except (ValueError, RecursionError) as exc:
            raise CorruptState("a stored state is JSON") from exc
        return cls.from_json(value)


def _hash(value: Any) -> bytes:
    decoded = decode_base64(value) if isinstance(value, str) else None
    if decoded is None or len(decoded) != HASH_SIZE:
        raise CorruptState("a stored hash is 32 bytes in canonical base64")
    return decoded


class Advance(NamedTuple):
    """What `advance` accepted: the new state, and the entries it added, in log order."""

    state: VerifiedLog
    entries: tuple[bytes, ...]


def _as_text(checkpoint_text: str | bytes) -> str:
    if isinstance(checkpoint_text, str):
        return checkpoint_text
    return bytes(checkpoint_text).decode("utf-8", errors="replace")


def _open(state: VerifiedLog, signed: str | bytes, shown: str, log_key: Verifier) -> Checkpoint:
    try:
        checkpoint, _ = open_checkpoint(signed, [log_key])
    except (SignatureMismatch, UnverifiedNote) as exc:
        raise BadCheckpointSignature(
            f"the checkpoint is not signed by the log key: {exc}",
            accepted=state.checkpoint,
            offending=shown,
        ) from exc
    except (NoteError, TypeError) as exc:
        raise BadCheckpoint(
            f"not a signed checkpoint: {exc}", accepted=state.checkpoint, offending=shown
        ) from exc
    return checkpoint


def _witnessed(
    state: VerifiedLog, shown: str, witnesses: Sequence[CosignatureVerifier], required: int
) -> None:
    try:
        found = count_valid_cosignatures(shown, witnesses)
    except NoteError as exc:
        raise BadCheckpointSignature(
            f"a witness cosignature does not verify: {exc}",
            accepted=state.checkpoint,
            offending=shown,
        ) from exc
    if found < required:
        raise TooFewWitnesses(found, required, accepted=state.checkpoint, offending=shown)


def _fetch(
    fetch_entries: FetchEntries, start: int, end: int, state: VerifiedLog, shown: str
) -> Sequence[bytes]:
    try:
        entries = fetch_entries(start, end)
    except EntryBundleError as exc:
        raise WrongEntryCount(
            f"the entries [{start}, {end}) were served malformed: {exc}",
            accepted=state.checkpoint,
            offending=shown,
        ) from exc
    if len(entries) != end - start or not all(isinstance(e, bytes) for e in entries):
        raise WrongEntryCount(
            f"asked for the {end - start} entries [{start}, {end}), got {len(entries)} values",
            accepted=state.checkpoint,
            offending=shown,
        )
    return entries


def advance(
    state: VerifiedLog,
    checkpoint_text: str | bytes,
    log_key: Verifier,
    fetch_entries: FetchEntries,
    *,
    witnesses: Iterable[CosignatureVerifier] = (),
    required_witnesses: int = 0,
    batch: int = FETCH_BATCH,
) -> Advance:
    """The state after accepting `checkpoint_text`, and the entries it adds.

    See the module docstring for the checks, in order. `fetch_entries(start, end)` returns
    entries [start, end) and is called with `end` a multiple of 256 or the new tree size;
    `batch` (a multiple of 256) bounds each call. Raises only `AuditError`s (and whatever
    the fetcher itself raises); on any refusal the stored state stays the one to keep.
    """
    if required_witnesses < 0:
        raise ValueError("required_witnesses cannot be negative")
    if batch <= 0 or batch % TILE_WIDTH:
        raise ValueError(f"batch is a positive multiple of {TILE_WIDTH}")
    shown = _as_text(checkpoint_text)
    checkpoint = _open(state, checkpoint_text, shown, log_key)
    accepted = state.checkpoint
    if checkpoint.origin != state.origin:
        raise OriginMismatch(
            f"the checkpoint is of {checkpoint.origin!r}, not {state.origin!r}",
            accepted=accepted,
            offending=shown,
        )
    if checkpoint.size < state.size:
        raise RollbackDetected(
            f"the log went back from {state.size} to {checkpoint.size} entries",
            accepted=accepted,
            offending=shown,
        )
    if checkpoint.size == state.size and checkpoint.root_hash != state.root_hash:
        raise ForkDetected(
            f"two roots for the tree of {state.size} entries", accepted=accepted, offending=shown
        )
    _witnessed(state, shown, list(witnesses), required_witnesses)

    size, edge = state.size, list(state.right_edge)
    added: list[bytes] = []
    while size < checkpoint.size:
        end = min(checkpoint.size, (size // batch + 1) * batch)
        entries = _fetch(fetch_entries, size, end, state, shown)
        edge = hashes_to_store(size, edge, [leaf_hash(e) for e in entries]).right_edge
        added.extend(entries)
        size = end
    root = root_from_right_edge(size, edge)
    if root != checkpoint.root_hash:
        raise EntriesDoNotMatch(
            f"the entries [{state.size}, {checkpoint.size}) appended to the verified tree "
            f"give the root {encode_base64(root)}, not the checkpoint's",
            accepted=accepted,
            offending=shown,
        )
    new_state = VerifiedLog(state.origin, size, root, tuple(edge), shown)
    return Advance(new_state, tuple(added))
