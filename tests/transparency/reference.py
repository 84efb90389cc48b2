"""RFC 9162 §2.1 proofs written as the RFC defines them, to test the real code against.

`path_spans` and `subproof_spans` are the recursive PATH and SUBPROOF definitions over leaf
ranges; `inclusion_proof` / `consistency_proof` turn them into hashes with the reference
`root_of`. The `*_shape` functions describe, symbolically, how a verifier rebuilds the roots
from a proof of a given shape: two (index, size) or (size1, size2) pairs give the same shape
exactly when a proof for the one also verifies, against the same roots, as a proof for the
other (with distinct leaves, short of a SHA-256 collision).
"""

from __future__ import annotations

from collections.abc import Sequence

from soundseal.transparency.merkle import root_of, split_point

Span = tuple[int, int]
Expr = object  # a label (int position in the proof, "leaf", "first") or a pair of Exprs


def path_spans(index: int, lo: int, hi: int) -> list[Span]:
    """PATH(index, D[lo:hi]) as the leaf ranges of its hashes, in proof order."""
    if hi - lo == 1:
        return []
    k = split_point(hi - lo)
    if index < lo + k:
        return [*path_spans(index, lo, lo + k), (lo + k, hi)]
    return [*path_spans(index, lo + k, hi), (lo, lo + k)]


def subproof_spans(m: int, lo: int, hi: int, whole: bool) -> tuple[list[Span], bool]:
    """SUBPROOF(m, D[lo:hi], b) as leaf ranges; also whether D[0:m] itself was left out."""
    if m == hi:
        return ([], True) if whole else ([(lo, hi)], False)
    k = split_point(hi - lo)
    if m <= lo + k:
        spans, omitted = subproof_spans(m, lo, lo + k, whole)
        return [*spans, (lo + k, hi)], omitted
    spans, omitted = subproof_spans(m, lo + k, hi, False)
    return [*spans, (lo, lo + k)], omitted


def inclusion_proof(index: int, leaves: Sequence[bytes]) -> list[bytes]:
    return [root_of(leaves[a:b]) for a, b in path_spans(index, 0, len(leaves))]


def consistency_proof(size1: int, leaves: Sequence[bytes]) -> list[bytes]:
    spans, _ = subproof_spans(size1, 0, len(leaves), True)
    return [root_of(leaves[a:b]) for a, b in spans]


def _rebuild(lo: int, hi: int, labels: dict[Span, Expr]) -> Expr:
    if (lo, hi) in labels:
        return labels[(lo, hi)]
    k = split_point(hi - lo)
    return (_rebuild(lo, lo + k, labels), _rebuild(lo + k, hi, labels))


def inclusion_shape(index: int, size: int) -> tuple[int, Expr] | None:
    """(proof length, the root as an expression of the leaf and the proof's positions)."""
    if not 0 <= index < size:
        return None
    spans = path_spans(index, 0, size)
    labels: dict[Span, Expr] = {span: position for position, span in enumerate(spans)}
    labels[(index, index + 1)] = "leaf"
    return len(spans), _rebuild(0, size, labels)


def consistency_shape(size1: int, size2: int) -> tuple[int, Expr, Expr] | None:
    """(proof length, the first root, the second root) as expressions of the proof.

    The label "first" stands for the first root where the proof leaves it out.
    """
    if not 0 < size1 <= size2:
        return None
    spans, omitted = subproof_spans(size1, 0, size2, True)
    labels: dict[Span, Expr] = {span: position for position, span in enumerate(spans)}
    if omitted:
        labels[(0, size1)] = "first"
    return len(spans), _rebuild(0, size1, labels), _rebuild(0, size2, labels)


def substitute(expr: Expr, label: str, value: Expr) -> Expr:
    if expr == label:
        return value
    if isinstance(expr, tuple):
        return tuple(substitute(part, label, value) for part in expr)
    return expr
