"""The registry's transparency log: its Merkle tree, proofs and tiles (RFC 9162, C2SP
tlog-tiles), and the signed texts it publishes (C2SP signed-note, tlog-checkpoint,
tlog-cosignature, tlog-proof).

Pure domain code: no HTTP, no database; Ed25519 comes from `cryptography`.
"""
