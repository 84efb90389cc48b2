"""Nothing in `src/` imports a package that `pyproject.toml` does not declare.

Each import outside the standard library is mapped to the distribution that provides it
(`importlib.metadata.packages_distributions()`) and compared with what the area of the code
may use: the core dependencies everywhere, and an optional extra only in the area it serves,
imported lazily, so that a registry installed without the extra still starts.
"""

from __future__ import annotations

import ast
import re
import sys
import tomllib
from dataclasses import dataclass
from functools import cache
from importlib import metadata
from pathlib import Path

from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "src" / "soundseal"

# Which extra each area of the code may use, besides the core dependencies.
AREA_EXTRAS = {
    "payments": ("billing",),
    "matching/calibration": ("calibrate",),
}
# The client promises to need nothing but httpx (its package docstring says so).
CLIENT_ONLY = {"httpx"}


@dataclass(frozen=True)
class Import:
    module: Path
    line: int
    top: str  # the top-level name imported
    at_import_time: bool  # runs when the module is imported (not in a function or a type check)


def _normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


class _Imports(ast.NodeVisitor):
    def __init__(self, module: Path) -> None:
        self.module = module
        self.found: list[Import] = []
        self._deferred = 0

    def _add(self, node: ast.stmt, name: str) -> None:
        top = name.split(".")[0]
        if top in sys.stdlib_module_names or top == "soundseal":
            return
        self.found.append(Import(self.module, node.lineno, top, self._deferred == 0))

    def _defer(self, node: ast.AST) -> None:
        self._deferred += 1
        self.generic_visit(node)
        self._deferred -= 1

    visit_FunctionDef = visit_AsyncFunctionDef = visit_Lambda = _defer  # noqa: N815

    def visit_If(self, node: ast.If) -> None:
        test = node.test
        if isinstance(test, ast.Name | ast.Attribute) and ast.unparse(test).endswith(
            "TYPE_CHECKING"
        ):
            self._defer(ast.Module(body=node.body, type_ignores=[]))
            for stmt in node.orelse:
                self.visit(stmt)
        else:
            self.generic_visit(node)

    def visit_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            self._add(node, alias.name)

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        if node.level == 0 and node.module:
            self._add(node, node.module)


def imports_in_src() -> list[Import]:
    found: list[Import] = []
    for path in sorted(PACKAGE.rglob("*.py")):
        visitor = _Imports(path.relative_to(PACKAGE))
        visitor.visit(ast.parse(path.read_text(encoding="utf-8"), str(path)))
        found += visitor.found
    return found


@cache
def _project() -> dict[str, list[str]]:
    """`core` and every extra, as the requirement strings pyproject.toml declares."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    return {"core": project["dependencies"], **project["optional-dependencies"]}


def declared(group: str) -> set[str]:
    """The distributions a group declares, with what the extras it names bring directly
    (`uvicorn[standard]` declares uvloop; `soundseal[billing]` in `dev` declares billing's)."""
    names: set[str] = set()
    for text in _project()[group]:
        requirement = Requirement(text)
        name = _normalise(requirement.name)
        if name == "soundseal":
            for extra in requirement.extras:
                names |= declared(extra)
            continue
        names.add(name)
        for extra in requirement.extras:
            for brought in metadata.requires(requirement.name) or []:
                dependency = Requirement(brought)
                marker = dependency.marker
                in_extra = marker is not None and "extra" in str(marker)
                if in_extra and marker is not None and marker.evaluate({"extra": extra}):
                    names.add(_normalise(dependency.name))
    return names


@cache
def _providers() -> dict[str, list[str]]:
    return dict(metadata.packages_distributions())


def distributions(top: str) -> set[str]:
    return {_normalise(d) for d in _providers().get(top, [])}


def area_of(module: Path) -> str:
    text = module.as_posix()
    matches = [area for area in AREA_EXTRAS if text == area or text.startswith(area + "/")]
    return max(matches, key=len, default="")


def test_every_import_is_declared_for_its_area() -> None:
    core = declared("core")
    problems = []
    for found in imports_in_src():
        provided = distributions(found.top)
        if not provided:
            problems.append(f"{found.module}:{found.line}: {found.top} is installed by nothing")
            continue
        if provided & core:
            continue
        extras = AREA_EXTRAS.get(area_of(found.module), ())
        allowed = set().union(*(declared(extra) for extra in extras))
        if not provided & allowed:
            problems.append(
                f"{found.module}:{found.line}: {found.top} ({', '.join(sorted(provided))}) "
                f"is not declared for this code (core{''.join(', ' + e for e in extras)})"
            )
        elif found.at_import_time:
            problems.append(
                f"{found.module}:{found.line}: {found.top} is optional and must be imported "
                "where it is used, not when the module is imported"
            )
    assert problems == []


def test_the_client_needs_nothing_but_httpx() -> None:
    used = {f.top for f in imports_in_src() if f.module.parts[0] == "client"}
    assert used <= CLIENT_ONLY


def test_the_development_install_includes_every_extra() -> None:
    # scripts/setup installs `.[dev]`: the whole suite, billing and calibration included.
    dev = declared("dev")
    for extra in set(_project()) - {"core", "dev"}:
        assert declared(extra) <= dev, extra


def test_the_check_sees_an_undeclared_and_an_eager_optional_import(tmp_path: Path) -> None:
    module = Path("worker/example.py")
    source = (
        "from typing import TYPE_CHECKING\n"
        "import httpcore\n"
        "if TYPE_CHECKING:\n"
        "    import stripe\n"
        "def later() -> None:\n"
        "    import matplotlib\n"
    )
    visitor = _Imports(module)
    visitor.visit(ast.parse(source))
    assert [(f.top, f.at_import_time) for f in visitor.found] == [
        ("httpcore", True),
        ("stripe", False),
        ("matplotlib", False),
    ]
    assert area_of(Path("payments/checkout.py")) == "payments"
    assert area_of(Path("matching/calibration/plot.py")) == "matching/calibration"
    assert area_of(Path("matching/compare.py")) == ""
    assert "stripe" not in declared("core")
    assert "uvloop" in declared("core")
