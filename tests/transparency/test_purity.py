"""The Merkle-tree core is pure domain code: the standard library and its own package only."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

import soundseal.transparency

PACKAGE = Path(soundseal.transparency.__file__).parent
TREE_MODULES = [
    "tree_errors",
    "merkle",
    "stored_tree",
    "tiles",
    "entry_bundles",
    "tile_hashes",
]


@pytest.mark.parametrize("name", TREE_MODULES)
def test_the_module_imports_only_the_standard_library_and_its_package(name: str) -> None:
    tree = ast.parse((PACKAGE / f"{name}.py").read_text(encoding="utf-8"))
    imported: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imported.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            imported.add(node.module)
    outside = {
        module
        for module in imported
        if module.split(".")[0] not in sys.stdlib_module_names
        and not module.startswith("soundseal.transparency.")
    }
    assert outside == set()
    assert len((PACKAGE / f"{name}.py").read_text(encoding="utf-8").splitlines()) < 400
