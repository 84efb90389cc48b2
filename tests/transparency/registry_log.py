"""A registry's log as the monitor sees it, built from the real modules: statements signed
as compact JWS with an Ed25519 statement key, leaves hashed and stored as the registry
stores them, checkpoints signed as notes by the log key (and cosigned by witnesses), entry
bundles served by path, and tlog proofs for offline bundles."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field, replace
from typing import Any

from soundseal.signing.jws import sign_statement
from soundseal.signing.keys import SigningKey
from soundseal.signing.statements import CertificateStatement, RevocationStatement, Statement
from soundseal.transparency.checkpoint import Checkpoint
from soundseal.transparency.cosignature import CosignerKey
from soundseal.transparency.entry_bundles import encode_entry_bundle
from soundseal.transparency.entry_ranges import entry_bundles_for_range
from soundseal.transparency.merkle import leaf_hash
from soundseal.transparency.note import add_signatures, open_note, sign_note
from soundseal.transparency.note_keys import SignerKey
from soundseal.transparency.proof_text import TlogProof
from soundseal.transparency.stored_tree import (
    hashes_to_store,
    inclusion_proof,
    root_from_right_edge,
    root_hash,
)
from tests.signing.helpers import key_set, memory_key

ISSUER = "https://registry.test"
ORIGIN = "registry.test/log/live"


def certificate(index: int, *, mode: str = "live", title: str | None = None) -> Statement:
    """A certificate statement for log position `index`."""
    return CertificateStatement(
        certificate_id=f"cer_01JEXAMPLE{index:016d}",
        certificate_number=f"SS-2026-{index:08d}",
        mode=mode,
        track_title=title if title is not None else f"Track {index}",
        artist_name="The Examples",
        isrc=None,
        sha256_fingerprint=hashlib.sha256(str(index).encode()).hexdigest(),
        acoustic_fingerprint=None,
        match_policy_version="2026-11.1",
        issuer=ISSUER,
        issued_at="2026-12-01T10:00:00.123Z",
        log_index=index,
    )


def revocation(index: int, of: int) -> Statement:
    """The revocation of the certificate at position `of`, logged at `index`."""
    return RevocationStatement(
        certificate_id=f"cer_01JEXAMPLE{of:016d}",
        certificate_number=f"SS-2026-{of:08d}",
        mode="live",
        revoked_at="2026-12-02T10:00:00.000Z",
        reason="disputed",
        issuer=ISSUER,
        log_index=index,
    )


@dataclass
class RegistryLog:
    """One mode's log: the entries, their stored hashes, and the keys that sign."""

    log_key: SignerKey
    statement_key: SigningKey = field(default_factory=memory_key)
    origin: str = ORIGIN
    entries: list[bytes] = field(default_factory=list)
    stored: dict[tuple[int, int], bytes] = field(default_factory=dict)
    edge: list[bytes] = field(default_factory=list)
    fetches: list[tuple[int, int]] = field(default_factory=list)

    @property
    def jwks(self) -> dict[str, Any]:
        return key_set(self.statement_key)

    def sign(self, statement: Statement) -> bytes:
        return sign_statement(statement, self.statement_key).encode("ascii")

    def append(self, entry: bytes) -> None:
        result = hashes_to_store(len(self.entries), self.edge, [leaf_hash(entry)])
        self.stored.update(((level, index), h) for level, index, h in result.stored)
        self.edge = result.right_edge
        self.entries.append(entry)

    def grow(self, count: int) -> None:
        """Appends `count` certificate statements, each signed for its own position."""
        for _ in range(count):
            self.append(self.sign(certificate(len(self.entries))))

    def copy(self) -> RegistryLog:
        return replace(
            self,
            entries=list(self.entries),
            stored=dict(self.stored),
            edge=list(self.edge),
            fetches=[],
        )

    def root(self, size: int | None = None) -> bytes:
        size = len(self.entries) if size is None else size
        if size == len(self.entries):
            return root_from_right_edge(size, self.edge)
        return root_hash(size, self.stored)

    def checkpoint(
        self,
        size: int | None = None,
        *,
        origin: str | None = None,
        witnesses: tuple[CosignerKey, ...] = (),
    ) -> str:
        """The checkpoint of the first `size` entries, signed, then cosigned by `witnesses`."""
        size = len(self.entries) if size is None else size
        text = Checkpoint(origin or self.origin, size, self.root(size)).to_text()
        signed = sign_note(text, [self.log_key])
        if witnesses:
            note = open_note(signed, [self.log_key.verifier()])
            signed = add_signatures(note, [w.at(1_700_000_000) for w in witnesses])
        return signed

    def fetch(self, start: int, end: int) -> list[bytes]:
        self.fetches.append((start, end))
        return self.entries[start:end]

    def serve(self, size: int) -> dict[str, bytes]:
        """The entry bundles a log of `size` entries serves, by path (partial ones included)."""
        bundles: dict[str, bytes] = {}
        for boundary in {*range(256, size + 1, 256), size}:
            if boundary:
                for address in entry_bundles_for_range(max(0, boundary - 256), boundary):
                    first = address.index * 256
                    bundles[address.path] = encode_entry_bundle(
                        self.entries[first : first + address.width]
                    )
        return bundles

    def proof(self, index: int, size: int | None = None, **checkpoint: Any) -> TlogProof:
        size = len(self.entries) if size is None else size
        path = inclusion_proof(index, size, self.stored)
        return TlogProof(index, path, self.checkpoint(size, **checkpoint))


def new_log(name: str = ORIGIN) -> RegistryLog:
    return RegistryLog(SignerKey.generate(name), origin=name)
