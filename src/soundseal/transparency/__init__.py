"""The transparency log: Merkle-tree hashing, proofs and tiles, signed checkpoints.

Pure domain code (hashlib and the standard library): no HTTP, no database.
"""
