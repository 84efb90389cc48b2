"""Every inclusion and consistency case of transparency-dev/merkle's test data.

A case with `wantErr` must be refused and every other case must verify, with one stated
exception: soundseal also refuses any "hash" that is not 32 bytes, even where the other
implementation only compares two such values for equality (equal sizes, equal roots).
Those cases are picked out by that rule, not by name, and must be refused for that reason.
"""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import pytest

from soundseal.transparency.merkle import HASH_SIZE, verify_consistency, verify_inclusion
from soundseal.transparency.tree_errors import ProofError

VECTORS = Path(__file__).parent / "vectors" / "merkle"


def _cases(kind: str) -> list[Any]:
    paths = sorted((VECTORS / kind).rglob("*.json"))
    return [pytest.param(json.loads(p.read_text()), id=str(p.relative_to(VECTORS))) for p in paths]


def _hash(text: str) -> bytes:
    return base64.b64decode(text, validate=True)


def _proof(case: dict[str, Any]) -> list[bytes]:
    return [_hash(h) for h in case["proof"] or []]


def _all_hashes(case: dict[str, Any], keys: tuple[str, ...]) -> list[bytes]:
    return [_hash(case[k]) for k in keys] + _proof(case)


def _check(case: dict[str, Any], keys: tuple[str, ...], verify: Any) -> None:
    malformed = any(len(h) != HASH_SIZE for h in _all_hashes(case, keys))
    if case["wantErr"] or malformed:
        with pytest.raises(ProofError) as refused:
            verify()
        if not case["wantErr"]:
            assert f"{HASH_SIZE}-byte hash" in str(refused.value)
    else:
        verify()


@pytest.mark.parametrize("kind", ["inclusion", "consistency"])
def test_the_copied_vectors_are_complete(kind: str) -> None:
    cases = [param.values[0] for param in _cases(kind)]
    assert len(cases) == 98  # the number of files of each kind in the upstream test data
    assert any(not case["wantErr"] for case in cases)
    assert "Apache License" in (VECTORS / "LICENSE").read_text()


@pytest.mark.parametrize("case", _cases("inclusion"))
def test_inclusion_vector(case: dict[str, Any]) -> None:
    def verify() -> None:
        verify_inclusion(
            _hash(case["leafHash"]),
            case["leafIdx"],
            case["treeSize"],
            _proof(case),
            _hash(case["root"]),
        )

    _check(case, ("leafHash", "root"), verify)


@pytest.mark.parametrize("case", _cases("consistency"))
def test_consistency_vector(case: dict[str, Any]) -> None:
    def verify() -> None:
        verify_consistency(
            case["size1"], case["size2"], _proof(case), _hash(case["root1"]), _hash(case["root2"])
        )

    _check(case, ("root1", "root2"), verify)
