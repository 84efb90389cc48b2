"""Tests of the transparency log's text formats and Merkle tree."""
