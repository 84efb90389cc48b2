"""The response bodies of the transparency-log and signed-statement endpoints.

The routes return these models, so the OpenAPI document describes exactly what is sent. Hashes
are standard base64 (with padding), the spelling of checkpoints and tlog proofs.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from soundseal.api.responses import Count, _Out

__all__ = [
    "CertificateStatementProof",
    "ConsistencyProofBody",
    "CosignatureStored",
    "InclusionProofBody",
    "JsonWebKey",
    "JsonWebKeySet",
    "LogState",
]

Base64Hash = str


class LogState(_Out):
    mode: Literal["live", "test"]
    origin: str = Field(description="The log's origin: the checkpoint's first line and key name")
    size: Count = Field(description="How many entries the log held when this was read")
    root_hash: Base64Hash = Field(description="The RFC 9162 root of those entries (base64)")
    checkpoint: str = Field(description="The signed checkpoint (C2SP tlog-checkpoint) of it")
    verifier_key: str = Field(
        description="The signed-note verifier key of the checkpoints: `<origin>+<key ID>+"
        "<base64 key>`, the same Ed25519 key as the JWKS's active key"
    )


class CosignatureStored(_Out):
    mode: Literal["live", "test"]
    origin: str = Field(description="The log the cosigned checkpoint is of")
    size: Count = Field(description="The tree size of the cosigned checkpoint")
    witness: str = Field(description="The witness's key name")
    timestamp: int = Field(
        ge=0, le=2**63 - 1, description="The time the cosignature states (POSIX seconds)"
    )
    cosignatures: Count = Field(
        description="How many witness cosignatures the log now holds for that checkpoint"
    )


class InclusionProofBody(_Out):
    index: Count
    tree_size: Count
    root_hash: Base64Hash
    hashes: list[Base64Hash] = Field(
        description="RFC 9162 inclusion path, the leaf's sibling first"
    )


class ConsistencyProofBody(_Out):
    first: Count
    second: Count
    first_root_hash: Base64Hash
    second_root_hash: Base64Hash
    hashes: list[Base64Hash] = Field(description="RFC 9162 consistency proof")


class CertificateStatementProof(_Out):
    certificate_id: str
    mode: Literal["live", "test"]
    jws: str = Field(
        description="The certificate's latest signed statement (its issuance, or its "
        "revocation): a compact JWS, verifiable with /.well-known/jwks.json"
    )
    log_index: Count = Field(description="The statement's entry in the mode's log")
    log: LogState = Field(description="The log as it was when the proof was made")
    proof: str = Field(
        description="A C2SP tlog-proof of the statement against `log.checkpoint`: its leaf "
        "hash is SHA-256(0x00 || the JWS's ASCII bytes)"
    )


class JsonWebKey(_Out):
    kty: str
    crv: str
    x: str
    kid: str
    use: str
    alg: str
    status: Literal["retired"] | None = Field(
        default=None, description='"retired" on a key that signs no more but still verifies'
    )


class JsonWebKeySet(_Out):
    keys: list[JsonWebKey]
