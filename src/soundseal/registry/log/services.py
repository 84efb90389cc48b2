"""Reading a mode's transparency log: its size, checkpoint, proofs, tiles and entry bundles.

Every answer is computed from the stored rows (`models.py`) for a size read first: the rows a
size needs are never missing or different, however many appends commit meanwhile, so a read
needs no lock and sees one consistent tree. A root or proof names its stored hashes before
reading any (`transparency.stored_tree`'s plans), and they are fetched in one query.

Sizes and indexes a caller asks about are checked here, in the domain's terms: a size
beyond the log, or a leaf outside the tree, is `InvalidInput` naming the parameter, and a
tile the tree does not have (yet) is `NotFound`.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from soundseal.errors import InvalidInput, NotFound
from soundseal.registry.certificates.access import check_readable
from soundseal.registry.certificates.lookups import get_certificate
from soundseal.registry.certificates.models import Certificate
from soundseal.registry.keys.services import Principal
from soundseal.registry.log.appending import stored_hashes
from soundseal.registry.log.models import LogEntry, LogHash
from soundseal.registry.log.notary import Notary
from soundseal.transparency.checkpoint import Checkpoint
from soundseal.transparency.entry_bundles import encode_entry_bundle
from soundseal.transparency.note import sign_note
from soundseal.transparency.proof_text import TlogProof
from soundseal.transparency.stored_tree import (
    consistency_plan,
    consistency_proof,
    inclusion_plan,
    inclusion_proof,
    root_hash,
    root_plan,
)
from soundseal.transparency.tiles import ENTRIES, TILE_HEIGHT, TILE_WIDTH, TileAddress, tile_width
from soundseal.transparency.tree_errors import TreeSizeError

__all__ = [
    "CertificateProof",
    "ConsistencyProof",
    "InclusionProof",
    "SignedCheckpoint",
    "certificate_proof",
    "consistency",
    "current_checkpoint",
    "entry_bundle",
    "hash_tile",
    "inclusion",
    "log_size",
    "readable_certificate_proof",
]


@dataclass(frozen=True, slots=True)
class SignedCheckpoint:
    size: int
    root_hash: bytes
    text: str  # the signed note: checkpoint text, blank line, the log's signature line


@dataclass(frozen=True, slots=True)
class InclusionProof:
    index: int
    tree_size: int
    root_hash: bytes
    hashes: list[bytes]


@dataclass(frozen=True, slots=True)
class ConsistencyProof:
    first: int
    second: int
    first_root: bytes
    second_root: bytes
    hashes: list[bytes]


@dataclass(frozen=True, slots=True)
class CertificateProof:
    """A certificate's latest signed statement, where it is in the log, and a C2SP
    tlog-proof of it against the checkpoint current when it was read."""

    certificate_id: str
    mode: str
    jws: str
    log_index: int
    checkpoint: SignedCheckpoint
    proof: str


def log_size(session: Session, mode: str) -> int:
    """How many leaves `mode`'s log holds (its leaves are 0 .. size - 1, without gaps)."""
    last = session.scalar(select(func.max(LogEntry.index)).where(LogEntry.mode == mode))
    return 0 if last is None else int(last) + 1


def _signed(notary: Notary, mode: str, size: int, root: bytes) -> SignedCheckpoint:
    text = Checkpoint(notary.origin(mode), size, root).to_text()
    return SignedCheckpoint(size, root, sign_note(text, [notary.checkpoint_signer(mode)]))


def current_checkpoint(session: Session, notary: Notary, mode: str) -> SignedCheckpoint:
    """The log's checkpoint at its size now, signed with the registry's key — only while
    that key is the published active one: a retired key signs no new checkpoint."""
    notary.require_active(session)
    size = log_size(session, mode)
    hashes = stored_hashes(session, mode, root_plan(size))
    return _signed(notary, mode, size, root_hash(size, hashes))


def _within(session: Session, mode: str, size: int, field: str) -> None:
    current = log_size(session, mode)
    if size > current:
        raise InvalidInput(
            f"Invalid field '{field}': the {mode} log holds {current} entries", field=field
        )


def inclusion(session: Session, mode: str, *, index: int, tree_size: int) -> InclusionProof:
    """The RFC 9162 inclusion proof of leaf `index` in the tree of `tree_size` leaves."""
    _within(session, mode, tree_size, "tree_size")
    if not 0 <= index < tree_size:
        raise InvalidInput(
            f"Invalid field 'index': leaf {index} is not in a tree of {tree_size}", field="index"
        )
    hashes = stored_hashes(session, mode, inclusion_plan(index, tree_size) + root_plan(tree_size))
    return InclusionProof(
        index, tree_size, root_hash(tree_size, hashes), inclusion_proof(index, tree_size, hashes)
    )


def consistency(session: Session, mode: str, *, first: int, second: int) -> ConsistencyProof:
    """The RFC 9162 consistency proof from the tree of `first` leaves to that of `second`."""
    _within(session, mode, second, "second")
    if not 0 < first <= second:
        raise InvalidInput(
            "Invalid field 'first': a consistency proof runs from 1 <= first <= second",
            field="first",
        )
    plan = consistency_plan(first, second) + root_plan(first) + root_plan(second)
    hashes = stored_hashes(session, mode, plan)
    return ConsistencyProof(
        first,
        second,
        root_hash(first, hashes),
        root_hash(second, hashes),
        consistency_proof(first, second, hashes),
    )


def _served_width(session: Session, mode: str, tile: TileAddress) -> int:
    """The width of `tile` to serve: a partial tile is a prefix of the tile as it grows, so
    any width up to what the log holds now is served; more than that is not there (yet)."""
    level = 0 if tile.level == ENTRIES else int(tile.level)
    try:
        available = tile_width(level, tile.index, log_size(session, mode))
    except TreeSizeError:
        raise NotFound(f"The {mode} log has no tile {tile.path}") from None
    if tile.width > available:
        raise NotFound(f"The {mode} log has no tile {tile.path} yet")
    return tile.width


def hash_tile(session: Session, mode: str, tile: TileAddress) -> bytes:
    """The bytes of a hash tile (C2SP tlog-tiles): its hashes concatenated, in order."""
    width = _served_width(session, mode, tile)
    first = tile.index * TILE_WIDTH
    rows = session.scalars(
        select(LogHash.hash)
        .where(
            LogHash.mode == mode,
            LogHash.level == TILE_HEIGHT * int(tile.level),
            LogHash.index >= first,
            LogHash.index < first + width,
        )
        .order_by(LogHash.index)
    ).all()
    return b"".join(bytes(row) for row in rows)


def entry_bundle(session: Session, mode: str, tile: TileAddress) -> bytes:
    """The entry bundle (C2SP tlog-tiles) of the leaves level-0 tile `tile.index` covers."""
    width = _served_width(session, mode, tile)
    first = tile.index * TILE_WIDTH
    rows = session.scalars(
        select(LogEntry.entry)
        .where(LogEntry.mode == mode, LogEntry.index >= first, LogEntry.index < first + width)
        .order_by(LogEntry.index)
    ).all()
    return encode_entry_bundle([bytes(row) for row in rows])


def certificate_proof(session: Session, notary: Notary, cert: Certificate) -> CertificateProof:
    """`cert`'s latest statement (its issuance, or its revocation), with a tlog proof.

    The certificate's latest change is its feed entry `cert.sequence`, so its leaf is
    `cert.sequence - 1`; a certificate never recorded in the feed (the sandbox's) has none.
    """
    notary.require_active(session)
    index = cert.sequence - 1
    entry = session.scalar(
        select(LogEntry.entry).where(LogEntry.mode == cert.mode, LogEntry.index == index)
    )
    if index < 0 or entry is None:
        raise NotFound(f"Certificate {cert.id} has no statement in the log")
    size = log_size(session, cert.mode)
    hashes = stored_hashes(session, cert.mode, inclusion_plan(index, size) + root_plan(size))
    checkpoint = _signed(notary, cert.mode, size, root_hash(size, hashes))
    path = inclusion_proof(index, size, hashes)
    proof = TlogProof(index, path, checkpoint.text).format()
    return CertificateProof(
        cert.id, cert.mode, bytes(entry).decode("ascii"), index, checkpoint, proof
    )


def readable_certificate_proof(
    session: Session, notary: Notary, ident: str, *, principal: Principal | None
) -> CertificateProof:
    """`certificate_proof` of the certificate `ident` names, if `principal` may read it."""
    cert = check_readable(get_certificate(session, ident), principal, ident)
    return certificate_proof(session, notary, cert)
