"""A certificate bundle: one file that proves a certificate offline, without the registry.

A signed statement alone shows the registry said something; it does not show the registry
said it *publicly*, to everyone alike. The bundle adds the proof of that: the statement's
place in the registry's transparency log. Its format is a UTF-8 JSON object of exactly these
members (at most `MAX_BUNDLE_BYTES`):

    {
      "format": "soundseal-certificate-bundle/v1",
      "jws": "<the statement's compact JWS, as logged>",
      "tlog_proof": "<a C2SP tlog-proof: index, inclusion path, signed checkpoint>",
      "log_key": "<the log's signed-note verifier key, name+id+key>",
      "jwks": {"keys": [<the published JWK Set, or the part of it naming the key>]}
    }

Verifying it (`verify_certificate_bundle`) checks, and refuses with a `BundleError`
(`transparency.audit_errors`) carrying the offending text:

1. the JWS against the key set (`verify_statement`): its `kid` names the key, and the key
   must be the one whose thumbprint is that `kid`, so a key set cannot substitute a key;
2. the tlog proof (`proof_text.verify_tlog_proof`, with `merkle.verify_inclusion`): its
   checkpoint is signed by the log key and has the key's name as origin, enough known
   witnesses cosigned it, and the inclusion path leads from SHA-256(0x00 || the JWS's ASCII
   bytes) at the proof's index to the checkpoint's root;
3. the proof's index is the statement's own `log_index`, and the log is the one the
   statement names (`log_entries.log_origin` of its issuer and mode).

The bundle carries its log key so that it is complete, but the log key is what everything
rests on: whoever made a bundle could make a log and a key of their own. A verifier must
therefore pin the log key from elsewhere (the registry's documentation, a platform's
configuration) and `verify_bundle` refuses a bundle naming another (`UntrustedLogKey`). The
key set needs no such pinning: step 1 ties the key to the `kid`, and step 2 shows that exact
JWS was logged by the pinned log.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Final

from soundseal.signing.errors import VerificationError
from soundseal.signing.jws import verify_statement
from soundseal.signing.log_entries import log_origin
from soundseal.signing.statements import Statement
from soundseal.transparency.audit_errors import (
    MalformedBundle,
    ProofRefused,
    StatementRefused,
    UntrustedLogKey,
)
from soundseal.transparency.checkpoint import Checkpoint
from soundseal.transparency.cosignature import CosignatureVerifier
from soundseal.transparency.merkle import leaf_hash, verify_inclusion
from soundseal.transparency.note_errors import NoteError
from soundseal.transparency.note_keys import VerifierKey
from soundseal.transparency.proof_text import TlogProof, verify_tlog_proof
from soundseal.transparency.tree_errors import TreeError

__all__ = [
    "BUNDLE_FORMAT",
    "MAX_BUNDLE_BYTES",
    "CertificateBundle",
    "VerifiedCertificate",
    "verify_bundle",
    "verify_certificate_bundle",
]

BUNDLE_FORMAT: Final = "soundseal-certificate-bundle/v1"
#: Far above any real bundle (a statement, 64 proof hashes, a checkpoint, a few keys).
MAX_BUNDLE_BYTES: Final = 256 * 1024
_MEMBERS: Final = frozenset({"format", "jws", "tlog_proof", "log_key", "jwks"})


@dataclass(frozen=True)
class VerifiedCertificate:
    """A statement proven logged: the statement, its log index, and the checkpoint proving it.

    `checkpoint_text` is the signed checkpoint note, as the proof carried it.
    """

    statement: Statement
    log_index: int
    checkpoint: Checkpoint
    checkpoint_text: str


@dataclass(frozen=True)
class CertificateBundle:
    """A bundle file's members, each already read as what it is (see the module docstring)."""

    jws: str
    tlog_proof: TlogProof
    log_key: VerifierKey
    jwks: Mapping[str, Any]

    def format(self) -> str:
        """The bundle file's text, which `parse` reads back."""
        return json.dumps(
            {
                "format": BUNDLE_FORMAT,
                "jws": self.jws,
                "tlog_proof": self.tlog_proof.format(),
                "log_key": self.log_key.format(),
                "jwks": self.jwks,
            },
            indent=2,
            sort_keys=True,
            ensure_ascii=False,
        )

    @classmethod
    def parse(cls, text: str | bytes) -> CertificateBundle:
        """The bundle `text` holds, read strictly; raises only `MalformedBundle`."""
        if isinstance(text, str):
            try:
                text = text.encode("utf-8")
            except UnicodeEncodeError as exc:
                raise MalformedBundle("a bundle is UTF-8 text") from exc
        if not isinstance(text, bytes) or len(text) > MAX_BUNDLE_BYTES:
            raise MalformedBundle(f"a bundle is at most {MAX_BUNDLE_BYTES} bytes of UTF-8")
        try:
            value = json.loads(
                text.decode("utf-8"), object_pairs_hook=_unique, parse_constant=_no_constant
            )
        except (ValueError, RecursionError) as exc:
            raise MalformedBundle("a bundle is a JSON object") from exc
        if not isinstance(value, dict) or set(value) != _MEMBERS:
            raise MalformedBundle(f"a bundle is an object of exactly {sorted(_MEMBERS)}")
        if value["format"] != BUNDLE_FORMAT:
            raise MalformedBundle(f"the format is {BUNDLE_FORMAT!r}")
        jws, proof, key, jwks = (value[m] for m in ("jws", "tlog_proof", "log_key", "jwks"))
        if not (isinstance(jws, str) and isinstance(proof, str) and isinstance(key, str)):
            raise MalformedBundle("jws, tlog_proof and log_key are texts")
        if not isinstance(jwks, dict) or not isinstance(jwks.get("keys"), list):
            raise MalformedBundle("jwks is a JWK Set: an object with a list of keys")
        try:
            return cls(jws, TlogProof.parse(proof), VerifierKey.parse(key), jwks)
        except NoteError as exc:
            raise MalformedBundle(f"a member does not parse: {exc}") from exc


def _unique(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    members = dict(pairs)
    if len(members) != len(pairs):
        raise ValueError("a member appears twice")
    return members


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def verify_certificate_bundle(
    jws: str,
    tlog_proof_text: str | TlogProof,
    jwks: Mapping[str, Any],
    log_key: VerifierKey,
    *,
    witnesses: Iterable[CosignatureVerifier] = (),
    required_witnesses: int = 0,
) -> VerifiedCertificate:
    """The statement `jws` holds, proven logged by `log_key`'s log (module docstring, 1-3)."""
    try:
        statement = verify_statement(jws, jwks)
    except VerificationError as exc:
        raise StatementRefused(f"the statement does not verify: {exc}", offending=jws) from exc
    try:
        proof = (
            tlog_proof_text
            if isinstance(tlog_proof_text, TlogProof)
            else TlogProof.parse(tlog_proof_text)
        )
    except NoteError as exc:
        raise ProofRefused(f"not a tlog proof: {exc}", offending=str(tlog_proof_text)) from exc
    shown = proof.format()
    try:
        checkpoint = verify_tlog_proof(
            proof,
            leaf_hash(jws.encode("ascii")),
            log_key,
            inclusion_verifier=verify_inclusion,
            witnesses=witnesses,
            required_witnesses=required_witnesses,
        )
    except (NoteError, TreeError) as exc:
        raise ProofRefused(f"the tlog proof is refused: {exc}", offending=shown) from exc
    if proof.index != statement.log_index:
        raise ProofRefused(
            f"the proof is for index {proof.index}, the statement for {statement.log_index}",
            offending=shown,
        )
    named = log_origin(statement.issuer, statement.mode)
    if checkpoint.origin != named:
        raise ProofRefused(
            f"the statement belongs in the log {named!r}, not {checkpoint.origin!r}",
            offending=shown,
        )
    return VerifiedCertificate(statement, proof.index, checkpoint, proof.checkpoint)


def verify_bundle(
    bundle: CertificateBundle | str | bytes,
    log_key: VerifierKey,
    *,
    witnesses: Iterable[CosignatureVerifier] = (),
    required_witnesses: int = 0,
) -> VerifiedCertificate:
    """A bundle (or its file's text) verified against the pinned `log_key`.

    Refuses a bundle naming another log key (`UntrustedLogKey`) before anything else.
    """
    if not isinstance(bundle, CertificateBundle):
        bundle = CertificateBundle.parse(bundle)
    if bundle.log_key != log_key:
        raise UntrustedLogKey(
            f"the bundle names the log key {bundle.log_key.format()!r}, "
            f"not the pinned {log_key.format()!r}",
            offending=bundle.log_key.format(),
        )
    return verify_certificate_bundle(
        bundle.jws,
        bundle.tlog_proof,
        bundle.jwks,
        log_key,
        witnesses=witnesses,
        required_witnesses=required_witnesses,
    )
