"""How the logs' answers are shown: hashes in standard base64, as checkpoints and tlog
proofs spell them, so a client decodes every hash the log publishes one way."""

from __future__ import annotations

from typing import Any

from soundseal.registry.log.notary import Notary
from soundseal.registry.log.services import (
    CertificateProof,
    ConsistencyProof,
    InclusionProof,
    SignedCheckpoint,
)
from soundseal.transparency.note_fields import encode_base64

__all__ = ["certificate_proof_view", "consistency_view", "inclusion_view", "log_view"]


def log_view(notary: Notary, mode: str, checkpoint: SignedCheckpoint) -> dict[str, Any]:
    return {
        "mode": mode,
        "origin": notary.origin(mode),
        "size": checkpoint.size,
        "root_hash": encode_base64(checkpoint.root_hash),
        "checkpoint": checkpoint.text,
        "verifier_key": notary.checkpoint_verifier(mode).format(),
    }


def inclusion_view(proof: InclusionProof) -> dict[str, Any]:
    return {
        "index": proof.index,
        "tree_size": proof.tree_size,
        "root_hash": encode_base64(proof.root_hash),
        "hashes": [encode_base64(h) for h in proof.hashes],
    }


def consistency_view(proof: ConsistencyProof) -> dict[str, Any]:
    return {
        "first": proof.first,
        "second": proof.second,
        "first_root_hash": encode_base64(proof.first_root),
        "second_root_hash": encode_base64(proof.second_root),
        "hashes": [encode_base64(h) for h in proof.hashes],
    }


def certificate_proof_view(notary: Notary, proof: CertificateProof) -> dict[str, Any]:
    return {
        "certificate_id": proof.certificate_id,
        "mode": proof.mode,
        "jws": proof.jws,
        "log_index": proof.log_index,
        "log": log_view(notary, proof.mode, proof.checkpoint),
        "proof": proof.proof,
    }
