"""The import rules `docs/architecture.md` states, checked on the source itself."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import soundseal

PACKAGE = Path(soundseal.__file__).parent


def _imports(path: Path) -> set[str]:
    """Every module `path` imports, at any depth (imports inside functions count too)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return found


def _modules(part: str) -> list[Path]:
    return sorted((PACKAGE / part).rglob("*.py"))


def _offending(part: str, forbidden: tuple[str, ...]) -> list[str]:
    return sorted(
        f"{path.relative_to(PACKAGE)} imports {name}"
        for path in _modules(part)
        for name in _imports(path)
        if any(name == f or name.startswith(f + ".") for f in forbidden)
    )


@pytest.mark.parametrize("part", ["registry", "matching", "audio", "signing"])
def test_the_domain_knows_nothing_about_http(part: str) -> None:
    forbidden = ("fastapi", "starlette", "soundseal.http", "soundseal.api", "soundseal.web")
    assert _offending(part, forbidden) == []


def test_the_pages_do_not_import_the_api() -> None:
    assert _offending("web", ("soundseal.api", "soundseal.app")) == []


def test_the_api_does_not_import_the_pages() -> None:
    assert _offending("api", ("soundseal.web", "soundseal.app")) == []


def test_the_shared_plumbing_imports_neither_part() -> None:
    assert _offending("http", ("soundseal.api", "soundseal.web", "soundseal.app")) == []


@pytest.mark.parametrize("part", ["api/routes", "web/routes"])
def test_no_route_module_imports_another(part: str) -> None:
    package = "soundseal." + part.replace("/", ".")
    assert _offending(part, (package,)) == []
