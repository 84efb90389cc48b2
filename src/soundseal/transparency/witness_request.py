"""The add-checkpoint request of C2SP tlog-witness: how a log asks a witness to cosign.

A log gathers cosignatures by sending each witness its new signed checkpoint together with
a consistency proof from the last size that witness cosigned:

    old <decimal size>
    <base64 hash>                    (zero to 63 lines: the consistency proof)

    <the signed checkpoint>

The witness answers with signature lines (`note.parse_signature_lines` reads them, and
`cosignature.count_valid_cosignatures` checks them once joined to the checkpoint). Only
the body's text is here; HTTP, and the witness's checks against its own state (the old
size it last cosigned, the proof itself), belong to the code that sends or serves it.
An old size larger than the checkpoint's is refused here: the protocol answers it as a
bad request, whatever the witness has seen.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from soundseal.transparency.checkpoint import ROOT_HASH_SIZE, Checkpoint
from soundseal.transparency.note import parse_note
from soundseal.transparency.note_errors import MalformedWitnessRequest, NoteError
from soundseal.transparency.note_fields import (
    MAX_UINT64,
    decode_base64,
    encode_base64,
    parse_decimal,
)

__all__ = ["MAX_CONSISTENCY_HASHES", "AddCheckpointRequest"]

MAX_CONSISTENCY_HASHES = 63
_OLD = "old "


@dataclass(frozen=True)
class AddCheckpointRequest:
    """The size a witness last cosigned, a consistency proof from it, the new checkpoint.

    `checkpoint` is the whole signed note. `consistency_proof` is stored as a tuple.
    """

    old_size: int
    consistency_proof: Sequence[bytes]
    checkpoint: str

    def __post_init__(self) -> None:
        if isinstance(self.old_size, bool) or not 0 <= self.old_size <= MAX_UINT64:
            raise MalformedWitnessRequest("the old size is a number from 0 to 2**64 - 1")
        proof = tuple(bytes(h) for h in self.consistency_proof)
        object.__setattr__(self, "consistency_proof", proof)
        if len(proof) > MAX_CONSISTENCY_HASHES:
            raise MalformedWitnessRequest(f"at most {MAX_CONSISTENCY_HASHES} proof hashes")
        if any(len(h) != ROOT_HASH_SIZE for h in proof):
            raise MalformedWitnessRequest(f"each proof hash is {ROOT_HASH_SIZE} bytes")
        try:
            checkpoint = Checkpoint.parse(parse_note(self.checkpoint).text)
        except NoteError as exc:
            raise MalformedWitnessRequest(f"the checkpoint does not parse: {exc}") from exc
        if self.old_size > checkpoint.size:
            raise MalformedWitnessRequest("the old size is larger than the checkpoint's")

    def format(self) -> str:
        """The request body, which `parse` reads back into an equal request."""
        lines = [f"{_OLD}{self.old_size}", *map(encode_base64, self.consistency_proof)]
        return "".join(line + "\n" for line in lines) + "\n" + self.checkpoint

    @classmethod
    def parse(cls, body: str | bytes) -> AddCheckpointRequest:
        """The request `body` holds, read strictly; raises only `MalformedWitnessRequest`."""
        if isinstance(body, bytes):
            try:
                body = body.decode("utf-8")
            except UnicodeDecodeError as exc:
                raise MalformedWitnessRequest("a request body is UTF-8") from exc
        head, blank, checkpoint = body.partition("\n\n")
        if not blank:
            raise MalformedWitnessRequest("a blank line separates the proof from the checkpoint")
        first, *lines = head.split("\n")
        old_size = parse_decimal(first[len(_OLD) :]) if first.startswith(_OLD) else None
        if old_size is None:
            raise MalformedWitnessRequest("the body starts with 'old' and a decimal size")
        if len(lines) > MAX_CONSISTENCY_HASHES:
            raise MalformedWitnessRequest(f"at most {MAX_CONSISTENCY_HASHES} proof hashes")
        decoded = [decode_base64(line) for line in lines]
        proof = [h for h in decoded if h is not None]
        if len(proof) != len(decoded):
            raise MalformedWitnessRequest("each proof line is one canonical base64 hash")
        return cls(old_size, proof, checkpoint)
