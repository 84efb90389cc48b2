"""Witness cosignatures of a mode's checkpoints, and the signed revocation snapshot.

**Cosignatures.** A witness (C2SP tlog-witness) cosigns a checkpoint to say it is the largest
tree it has seen of the log, consistent with all it saw before. The registry keeps the
cosignatures it is sent, once each is known good: the witness is one the registry was
configured with (`SOUNDSEAL_WITNESS_KEYS`), its cosignature verifies over the checkpoint's
text, and that text is exactly the checkpoint this log signs at its size, with the root the
stored tree has there. Nothing else authenticates the sender: a cosignature is evidence
whoever carries it. The witnessed checkpoint served back is the largest size with
cosignatures, signed by the log and carrying every stored cosignature of it from the
witnesses configured now, so a client that requires N witnesses checks one note.

**Revocation snapshot.** The IDs of every certificate revoked by the log's first N entries,
read from the entries themselves (each revocation's signed statement), never from the
certificates table: the snapshot states what the log states, and a client can check it
against the log. Signed with the log key, under its origin (`transparency.revocations`).
"""

from __future__ import annotations

import base64
import binascii
import json
import threading
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import and_, func, or_, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from soundseal.errors import (
    Conflict,
    ErrorCode,
    Forbidden,
    InvalidInput,
    InvalidSignature,
    NotFound,
)
from soundseal.registry.log.appending import stored_hashes
from soundseal.registry.log.models import LogCosignature, LogEntry
from soundseal.registry.log.notary import Notary
from soundseal.registry.log.services import log_size
from soundseal.signing.statements import REVOCATION_TYP
from soundseal.transparency.checkpoint import Checkpoint
from soundseal.transparency.cosignature import Cosignature, CosignatureVerifier
from soundseal.transparency.note import NoteSignature, parse_note, sign_note
from soundseal.transparency.note_errors import NoteError
from soundseal.transparency.revocations import RevocationSnapshot
from soundseal.transparency.stored_tree import root_hash, root_plan

__all__ = [
    "StoredCosignature",
    "add_cosignature",
    "revocation_snapshot",
    "revoked_in_log",
    "witnessed_checkpoint",
]

_BODY = "body"
_ENTRY_BATCH = 2000


@dataclass(frozen=True, slots=True)
class StoredCosignature:
    """A cosignature the log kept: whose, of which size, when, and how many that size has."""

    mode: str
    origin: str
    size: int
    witness: str
    timestamp: int
    cosignatures: int


def _root_at(session: Session, mode: str, size: int) -> bytes:
    return root_hash(size, stored_hashes(session, mode, root_plan(size)))


def _the_cosignature(origin: str, signatures: Sequence[NoteSignature]) -> Cosignature:
    """The one signature line that is not the log's own, read as a cosignature."""
    others = [s for s in signatures if s.name != origin]
    if len(others) != 1:
        raise InvalidInput(
            "The body is the checkpoint and one cosignature line (the log's own signature "
            f"lines may stay), not {len(others)} cosignature lines",
            field=_BODY,
        )
    try:
        return Cosignature.from_note_signature(others[0])
    except NoteError as exc:
        raise InvalidInput(f"Not a cosignature/v1 cosignature: {exc}", field=_BODY) from None


def add_cosignature(
    session: Session,
    notary: Notary,
    witnesses: Sequence[CosignatureVerifier],
    mode: str,
    body: bytes,
) -> StoredCosignature:
    """Keep the cosignature `body` carries, once it is a configured witness's, it verifies,
    and it cosigns this log's own checkpoint; refused with the reason otherwise.

    `body` is a signed note: the checkpoint's text, a blank line, and signature lines, one
    of which is the cosignature (any others must be the log's own, and are ignored).
    Malformed: 400. A witness not configured: 403. A signature that does not verify: 400
    `invalid_signature`. A checkpoint the log did not sign (another size, root or text): 409
    `checkpoint_mismatch`. The same witness cosigning the same checkpoint again keeps the
    later timestamp.
    """
    try:
        note = parse_note(body)
        checkpoint = Checkpoint.parse(note.text)
    except NoteError as exc:
        raise InvalidInput(f"Not a signed checkpoint: {exc}", field=_BODY) from None
    origin = notary.origin(mode)
    if checkpoint.origin != origin:
        raise InvalidInput(
            f"The checkpoint is of the log {checkpoint.origin[:100]!r}, not {origin!r}",
            field=_BODY,
        )
    cosignature = _the_cosignature(origin, note.unverified)
    identity = (cosignature.name, cosignature.key_id)
    witness = next((w for w in witnesses if (w.name, w.key_id) == identity), None)
    if witness is None:
        raise Forbidden(
            f"{cosignature.name[:100]!r} (key ID {cosignature.key_id:08x}) is not a witness "
            "this registry accepts cosignatures from"
        )
    if not witness.verify_cosignature(note.text, cosignature):
        raise InvalidSignature(
            f"The cosignature of {witness.name!r} does not verify over this checkpoint",
            field=_BODY,
        )
    size = log_size(session, mode)
    if checkpoint.size > size:
        raise Conflict(
            f"The {mode} log holds {size} entries, not {checkpoint.size}",
            code=ErrorCode.CHECKPOINT_MISMATCH,
            log_size=size,
        )
    root = _root_at(session, mode, checkpoint.size)
    if Checkpoint(origin, checkpoint.size, root).to_text() != note.text:
        raise Conflict(
            f"Not the checkpoint of the {mode} log at size {checkpoint.size}: "
            "its root (or its text) differs",
            code=ErrorCode.CHECKPOINT_MISMATCH,
            log_size=size,
        )
    _store(session, mode, checkpoint.size, root, cosignature)
    count = session.scalar(
        select(func.count())
        .select_from(LogCosignature)
        .where(LogCosignature.mode == mode, LogCosignature.size == checkpoint.size)
    )
    return StoredCosignature(
        mode, origin, checkpoint.size, witness.name, cosignature.timestamp, int(count or 0)
    )


def _store(session: Session, mode: str, size: int, root: bytes, cosignature: Cosignature) -> None:
    """Insert the cosignature, or keep the later of it and the one stored for its key and size
    (one statement, so two witnesses' or two copies' concurrent requests both succeed)."""
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = insert(LogCosignature).values(
        mode=mode,
        size=size,
        witness=cosignature.name,
        key_id=cosignature.key_id,
        root_hash=root,
        timestamp=cosignature.timestamp,
        signature=cosignature.signature,
    )
    session.execute(
        statement.on_conflict_do_update(
            index_elements=["mode", "size", "witness", "key_id"],
            set_={
                "timestamp": statement.excluded.timestamp,
                "signature": statement.excluded.signature,
            },
            where=statement.excluded.timestamp > LogCosignature.timestamp,
        )
    )


def witnessed_checkpoint(
    session: Session, notary: Notary, witnesses: Sequence[CosignatureVerifier], mode: str
) -> str:
    """The largest checkpoint configured witnesses cosigned, as one signed note: the log's
    signature, then each of their cosignatures of it, by witness name. `NotFound` if none."""
    if not witnesses:
        raise NotFound(f"No witness cosigns the {mode} log: none is configured")
    notary.require_active(session)  # a retired key signs nothing new
    known = or_(
        *(
            and_(LogCosignature.witness == w.name, LogCosignature.key_id == w.key_id)
            for w in witnesses
        )
    )
    size = session.scalar(
        select(func.max(LogCosignature.size)).where(LogCosignature.mode == mode, known)
    )
    if size is None:
        raise NotFound(f"No checkpoint of the {mode} log has a witness's cosignature yet")
    rows = session.scalars(
        select(LogCosignature)
        .where(LogCosignature.mode == mode, LogCosignature.size == size, known)
        .order_by(LogCosignature.witness, LogCosignature.key_id)
    ).all()
    origin = notary.origin(mode)
    text = Checkpoint(origin, size, bytes(rows[0].root_hash)).to_text()
    signed = sign_note(text, [notary.checkpoint_signer(mode)])
    lines = [
        Cosignature(row.witness, row.key_id, row.timestamp, bytes(row.signature)).line()
        for row in rows
    ]
    return signed + "".join(lines)


def _revoked_id(entry: bytes) -> str | None:
    """The certificate ID a revocation statement names; None for any other statement.

    The entries are the registry's own statements, verified when they were signed, so the
    header and payload are read without checking the signature again.
    """
    try:
        header_part, payload_part, _ = entry.decode("ascii").split(".")
        header = json.loads(base64.urlsafe_b64decode(header_part + "=" * (-len(header_part) % 4)))
        if header.get("typ") != REVOCATION_TYP:
            return None
        payload = base64.urlsafe_b64decode(payload_part + "=" * (-len(payload_part) % 4))
        ident = json.loads(payload)["certificate_id"]
    except (ValueError, KeyError, TypeError, binascii.Error, AttributeError) as exc:
        raise RuntimeError("a log entry is not one of the registry's statements") from exc
    return str(ident)


def _revoked_between(session: Session, mode: str, start: int, end: int) -> set[str]:
    """The IDs revoked by entries `start` .. `end` - 1, read in batches of index ranges (a
    read may run outside a transaction block, so no server-side cursor)."""
    revoked: set[str] = set()
    for first in range(start, end, _ENTRY_BATCH):
        rows = session.scalars(
            select(LogEntry.entry).where(
                LogEntry.mode == mode,
                LogEntry.index >= first,
                LogEntry.index < min(end, first + _ENTRY_BATCH),
            )
        ).all()
        revoked.update(i for row in rows if (i := _revoked_id(bytes(row))) is not None)
    return revoked


@dataclass(frozen=True, slots=True)
class _Known:
    size: int
    root: bytes
    revoked: frozenset[str]


# The last set computed per database and mode. A snapshot request reads only the entries
# after it, once the root at its size shows the log still holds the same entries there.
_KNOWN: dict[tuple[str, str], _Known] = {}
_KNOWN_LOCK = threading.Lock()


def revoked_in_log(session: Session, mode: str, size: int) -> frozenset[str]:
    """The IDs of the certificates the first `size` entries of `mode`'s log revoke.

    Entries never change once written, so the set at a smaller size is kept and extended:
    a request reads the entries it has not seen, not the whole log. The kept set is used
    only if the stored root at its size is still the one it was computed with.
    """
    where = (session.get_bind().engine.url.render_as_string(hide_password=True), mode)
    with _KNOWN_LOCK:
        known = _KNOWN.get(where)
    if known is not None and (
        known.size > size or _root_at(session, mode, known.size) != known.root
    ):
        known = None
    start, revoked = (0, frozenset[str]()) if known is None else (known.size, known.revoked)
    revoked = revoked | _revoked_between(session, mode, start, size)
    with _KNOWN_LOCK:
        current = _KNOWN.get(where)
        if current is None or current.size <= size:
            _KNOWN[where] = _Known(size, _root_at(session, mode, size), revoked)
    return revoked


def revocation_snapshot(
    session: Session, notary: Notary, mode: str, size: int | None = None
) -> str:
    """The signed snapshot of the IDs revoked in `mode`'s log up to `size` entries (the
    log's current size if None); `InvalidInput` for a size beyond the log."""
    notary.require_active(session)  # a retired key signs nothing new
    current = log_size(session, mode)
    if size is None:
        size = current
    elif size > current:
        raise InvalidInput(
            f"Invalid field 'size': the {mode} log holds {current} entries", field="size"
        )
    snapshot = RevocationSnapshot.of(
        notary.origin(mode),
        size,
        _root_at(session, mode, size),
        revoked_in_log(session, mode, size),
    )
    return sign_note(snapshot.to_text(), [notary.checkpoint_signer(mode)])
