"""The registry's transparency log: its Merkle tree, tiles, and the signed texts it publishes."""
