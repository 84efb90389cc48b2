"""Offline proofs of logging (C2SP tlog-proof v1): the file a verifier checks without the log.

A tlog proof binds one entry to a log: the entry's index, the Merkle inclusion path from it
to the root, and the log's signed checkpoint of that root, carrying whatever witness
cosignatures the log gathered. With the log's key and a policy of trusted witnesses, a
verifier needs nothing else, so a proof works as a detached signature over the entry.

    c2sp.org/tlog-proof@v1
    extra <base64 opaque data>        (optional; never trusted, it is not signed)
    index <decimal>
    <base64 hash>                     (zero or more: the leaf's sibling first)

    <the signed checkpoint, verbatim>

`TlogProof.parse` reads this strictly (one spelling per field, 32-byte hashes, a checkpoint
that is a well-formed signed note holding a well-formed checkpoint) and `format` writes
what `parse` reads back.

`verify_tlog_proof` takes the inclusion check as a parameter, `inclusion_verifier`, with
the signature of RFC 9162's inclusion proof verification:

    inclusion_verifier(leaf_hash, index, tree_size, proof_hashes, root_hash) -> None

raising when the path does not lead from the leaf to the root. The Merkle tree code is
kept apart from these text formats, and this keeps the formats independent of it: pass the
package's Merkle `verify_inclusion`. Its error is not translated, and reaches the caller as
it was raised.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from soundseal.transparency.checkpoint import ROOT_HASH_SIZE, Checkpoint, open_checkpoint
from soundseal.transparency.cosignature import CosignatureVerifier, count_valid_cosignatures
from soundseal.transparency.note import parse_note
from soundseal.transparency.note_errors import (
    InsufficientCosignatures,
    MalformedProof,
    NoteError,
    WrongOrigin,
)
from soundseal.transparency.note_fields import (
    MAX_UINT64,
    decode_base64,
    encode_base64,
    parse_decimal,
)
from soundseal.transparency.note_keys import Verifier

__all__ = [
    "MAX_INCLUSION_HASHES",
    "PROOF_HEADER",
    "InclusionVerifier",
    "TlogProof",
    "verify_tlog_proof",
]

PROOF_HEADER = "c2sp.org/tlog-proof@v1"
# A tree of at most 2**64 - 1 leaves is at most 64 levels deep.
MAX_INCLUSION_HASHES = 64

InclusionVerifier = Callable[[bytes, int, int, Sequence[bytes], bytes], None]

_EXTRA = "extra "
_INDEX = "index "


@dataclass(frozen=True)
class TlogProof:
    """An entry's index, its inclusion path, the signed checkpoint, and optional extra data.

    `checkpoint` is the whole signed note, signature lines included, exactly as the log
    (and its witnesses) signed it. `inclusion` is stored as a tuple.
    """

    index: int
    inclusion: Sequence[bytes]
    checkpoint: str
    extra: bytes | None = None

    def __post_init__(self) -> None:
        if isinstance(self.index, bool) or not 0 <= self.index <= MAX_UINT64:
            raise MalformedProof("the index is a number from 0 to 2**64 - 1")
        object.__setattr__(self, "inclusion", tuple(bytes(h) for h in self.inclusion))
        if len(self.inclusion) > MAX_INCLUSION_HASHES:
            raise MalformedProof(f"an inclusion proof has at most {MAX_INCLUSION_HASHES} hashes")
        if any(len(h) != ROOT_HASH_SIZE for h in self.inclusion):
            raise MalformedProof(f"each inclusion proof hash is {ROOT_HASH_SIZE} bytes")
        try:
            Checkpoint.parse(parse_note(self.checkpoint).text)
        except NoteError as exc:
            raise MalformedProof(f"the checkpoint does not parse: {exc}") from exc

    def format(self) -> str:
        """The proof's text, which `parse` reads back into an equal proof."""
        lines = [PROOF_HEADER]
        if self.extra is not None:
            lines.append(_EXTRA + encode_base64(self.extra))
        lines.append(f"{_INDEX}{self.index}")
        lines.extend(encode_base64(h) for h in self.inclusion)
        return "".join(line + "\n" for line in lines) + "\n" + self.checkpoint

    @classmethod
    def parse(cls, text: str | bytes) -> TlogProof:
        """The proof `text` holds, read strictly; raises only `MalformedProof`."""
        if isinstance(text, bytes):
            try:
                text = text.decode("utf-8")
            except UnicodeDecodeError as exc:
                raise MalformedProof("a tlog proof is UTF-8") from exc
        # The proof's own lines are never empty, so the first blank line ends them.
        head, blank, checkpoint = text.partition("\n\n")
        if not blank:
            raise MalformedProof("a blank line separates the proof from its checkpoint")
        lines = head.split("\n")
        if lines[0] != PROOF_HEADER:
            raise MalformedProof(f"a tlog proof starts with {PROOF_HEADER!r}")
        rest = lines[1:]
        extra = None
        if rest and rest[0].startswith(_EXTRA):
            extra = decode_base64(rest.pop(0)[len(_EXTRA) :])
            if extra is None:
                raise MalformedProof("the extra data is canonical base64")
        if not rest or not rest[0].startswith(_INDEX):
            raise MalformedProof("the index line follows the header (and extra data)")
        index = parse_decimal(rest.pop(0)[len(_INDEX) :])
        if index is None:
            raise MalformedProof("the index is a decimal without leading zeros")
        if len(rest) > MAX_INCLUSION_HASHES:
            raise MalformedProof(f"an inclusion proof has at most {MAX_INCLUSION_HASHES} hashes")
        hashes = [decode_base64(line) for line in rest]
        inclusion = [h for h in hashes if h is not None]
        if len(inclusion) != len(hashes):
            raise MalformedProof("each inclusion proof line is one canonical base64 hash")
        return cls(index, inclusion, checkpoint, extra)


def verify_tlog_proof(
    proof: TlogProof,
    leaf_hash: bytes,
    log_verifier: Verifier,
    *,
    inclusion_verifier: InclusionVerifier,
    witnesses: Iterable[CosignatureVerifier] = (),
    required_witnesses: int = 0,
    origin: str | None = None,
) -> Checkpoint:
    """The checkpoint `proof` binds `leaf_hash` to, once every check of tlog-proof passed.

    In the specification's order: the checkpoint must be signed by `log_verifier` (else
    `UnverifiedNote`, or `SignatureMismatch` for a bad signature by it) and carry `origin`,
    by default the log key's name (else `WrongOrigin`); the cosignatures of `witnesses` on
    it are all checked (a bad one is `SignatureMismatch`), and at least
    `required_witnesses` distinct witness keys must have cosigned (else
    `InsufficientCosignatures`); last, `inclusion_verifier` must accept the path from
    `leaf_hash` at `proof.index` to the checkpoint's root, or raise its own error.
    Computing `leaf_hash` from the entry (and any `extra` data) is the caller's part.
    """
    if required_witnesses < 0:
        raise ValueError("required_witnesses cannot be negative")
    checkpoint, _ = open_checkpoint(proof.checkpoint, [log_verifier])
    expected = log_verifier.name if origin is None else origin
    if checkpoint.origin != expected:
        raise WrongOrigin(f"the checkpoint is from {checkpoint.origin!r}, not {expected!r}")
    cosigned = count_valid_cosignatures(proof.checkpoint, witnesses)
    if cosigned < required_witnesses:
        raise InsufficientCosignatures(cosigned, required_witnesses)
    inclusion_verifier(
        leaf_hash, proof.index, checkpoint.size, list(proof.inclusion), checkpoint.root_hash
    )
    return checkpoint
