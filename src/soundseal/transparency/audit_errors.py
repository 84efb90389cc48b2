"""Why a log, a log entry or a certificate bundle was refused, with the evidence to show for it.

A monitor (a platform polling the registry, `soundseal audit`) and an offline verifier both
read what a registry serves and must be able to say, later and to someone else, exactly why
they stopped trusting it. So every refusal is one of the classes below, and each carries an
`Evidence`: the signed checkpoint the verifier had accepted before, the one it refused, and a
sentence. Both checkpoints are the signed notes as received, byte for byte, so the evidence
of a fork or a rollback is two texts signed by the same log key that cannot both be true of
one append-only log: anyone holding the log's public key can check it without trusting the
verifier. Evidence is text only, so a platform can store it and show it.

    AuditError(ValueError)              base of every refusal; `.evidence`
    ├── BadCheckpoint                   the text is not a well-formed signed checkpoint
    │   └── BadCheckpointSignature      no valid signature by the pinned log key, or a bad
    │                                   signature by it or by a known witness
    ├── OriginMismatch                  a checkpoint of another log than the one followed
    ├── TooFewWitnesses                 fewer known witnesses cosigned than the policy requires
    ├── InconsistentLog                 the new checkpoint contradicts the stored one
    │   ├── RollbackDetected            a smaller tree than the one already verified
    │   ├── ForkDetected                the same size with another root
    │   └── EntriesDoNotMatch           the entries served for the new range, appended to the
    │                                   verified tree, do not give the new root
    ├── WrongEntryCount                 the fetcher returned another number of entries (or
    │                                   something other than bytes) than asked for
    ├── CorruptState                    a stored verified state that does not read back
    ├── EntryRefused                    a log entry that is not a valid statement of the key set
    │   └── MisplacedEntry              a valid statement signed for another log position
    └── BundleError                     a certificate bundle is refused
        ├── MalformedBundle             the file does not follow the bundle format
        ├── UntrustedLogKey             the bundle names another log key than the pinned one
        ├── StatementRefused            its statement does not verify against the key set
        └── ProofRefused                its tlog proof does not bind the statement to the log

`AuditError` is a `ValueError` for the same reason the note and tree errors are: each one
means a value from outside was refused, never that the code failed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

__all__ = [
    "AuditError",
    "BadCheckpoint",
    "BadCheckpointSignature",
    "BundleError",
    "CorruptState",
    "EntriesDoNotMatch",
    "EntryRefused",
    "Evidence",
    "ForkDetected",
    "InconsistentLog",
    "MalformedBundle",
    "MisplacedEntry",
    "OriginMismatch",
    "ProofRefused",
    "RollbackDetected",
    "StatementRefused",
    "TooFewWitnesses",
    "UntrustedLogKey",
    "WrongEntryCount",
]


@dataclass(frozen=True)
class Evidence:
    """What a refusal rests on, as text a platform can store and show.

    `accepted` is the signed checkpoint the verifier trusted before (None when it had none),
    `offending` the signed checkpoint (or entry, or bundle) it refused, as received, and
    `detail` says what was wrong with it.
    """

    detail: str
    accepted: str | None = None
    offending: str | None = None

    def to_json(self) -> dict[str, Any]:
        """A JSON object of the three texts (`from_json` reads it back)."""
        return {"detail": self.detail, "accepted": self.accepted, "offending": self.offending}

    @classmethod
    def from_json(cls, value: Any) -> Evidence:
        """The evidence `to_json` wrote; `ValueError` for anything else."""
        if not isinstance(value, dict) or set(value) != {"detail", "accepted", "offending"}:
            raise ValueError("evidence is an object of detail, accepted and offending")
        detail, accepted, offending = value["detail"], value["accepted"], value["offending"]
        if not isinstance(detail, str) or not all(
            v is None or isinstance(v, str) for v in (accepted, offending)
        ):
            raise ValueError("the evidence's members are texts (or null)")
        return cls(detail, accepted, offending)


class AuditError(ValueError):
    """The base of every refusal by the monitor and the offline verifier."""

    def __init__(
        self, detail: str, *, accepted: str | None = None, offending: str | None = None
    ) -> None:
        super().__init__(detail)
        self.evidence = Evidence(detail, accepted, offending)


class BadCheckpoint(AuditError):
    """A checkpoint text that is not a well-formed signed checkpoint note."""


class BadCheckpointSignature(BadCheckpoint):
    """A checkpoint the pinned log key did not validly sign (or a known witness mis-signed)."""


class OriginMismatch(AuditError):
    """A checkpoint whose origin is not the log being followed."""


class TooFewWitnesses(AuditError):
    """Fewer distinct known witnesses cosigned the checkpoint than the policy requires."""

    def __init__(
        self, found: int, required: int, *, accepted: str | None, offending: str | None
    ) -> None:
        super().__init__(
            f"{found} valid witness cosignature(s), {required} required",
            accepted=accepted,
            offending=offending,
        )
        self.found = found
        self.required = required


class InconsistentLog(AuditError):
    """Two checkpoints signed by one log key that one append-only log cannot both have."""


class RollbackDetected(InconsistentLog):
    """The new checkpoint's tree is smaller than the tree already verified."""


class ForkDetected(InconsistentLog):
    """The new checkpoint has the verified tree's size and another root."""


class EntriesDoNotMatch(InconsistentLog):
    """The verified tree plus the entries served does not hash to the new checkpoint's root.

    Either the entries were altered or the new checkpoint does not extend the verified tree
    (a fork); the entries alone cannot tell which, and neither is acceptable.
    """


class WrongEntryCount(AuditError):
    """The entries fetched for a range are not that many byte strings."""


class CorruptState(AuditError):
    """A stored verified state that does not read back as one."""


class EntryRefused(AuditError):
    """A log entry that is not a statement the key set verifies; `index` is its position."""

    def __init__(self, index: int, detail: str, *, entry: str | None) -> None:
        super().__init__(f"entry {index}: {detail}", offending=entry)
        self.index = index


class MisplacedEntry(EntryRefused):
    """A verified statement whose `log_index` is not the position it was found at."""


class BundleError(AuditError):
    """A certificate bundle that does not prove what it claims."""


class MalformedBundle(BundleError):
    """A bundle file outside the bundle format."""


class UntrustedLogKey(BundleError):
    """A bundle naming another log key than the one the verifier pinned."""


class StatementRefused(BundleError):
    """A bundle whose statement does not verify against its key set."""


class ProofRefused(BundleError):
    """A bundle whose tlog proof does not bind its statement to the pinned log."""
