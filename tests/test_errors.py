"""One registry of error codes: every code the source raises is in it, with its status, and
the README's list of codes is the registry's."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

import soundseal
from soundseal import errors
from soundseal.errors import ErrorCode, SoundsealError

SRC = Path(soundseal.__file__).resolve().parent
README = Path(__file__).resolve().parents[1] / "README.md"
# The registry's own module says what a code is; every other module can only use one.
_DOMAIN_ERRORS = {
    name
    for name, value in vars(errors).items()
    if isinstance(value, type) and issubclass(value, SoundsealError)
}


def _domain_error_names(tree: ast.Module) -> tuple[set[str], set[str], set[str]]:
    """The names one module binds to domain error classes, to `ErrorCode`, and to the
    `soundseal.errors` module itself (other packages, such as `client/`, have their own
    exception trees with the same names, which this must not confuse)."""
    classes: set[str] = set()
    enums: set[str] = set()
    modules: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module == "soundseal.errors":
            for alias in node.names:
                local = alias.asname or alias.name
                if alias.name == "ErrorCode":
                    enums.add(local)
                elif alias.name in _DOMAIN_ERRORS:
                    classes.add(local)
        elif isinstance(node, ast.ImportFrom) and node.module == "soundseal":
            modules.update(a.asname or a.name for a in node.names if a.name == "errors")
    if tree is _ERRORS_TREE:
        classes |= _DOMAIN_ERRORS
        enums.add("ErrorCode")
    # Subclasses defined elsewhere (the dashboard's CSRF refusal is a `Forbidden`).
    changed = True
    while changed:
        changed = False
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.ClassDef)
                and node.name not in classes
                and any(_names_class(base, classes, modules) for base in node.bases)
            ):
                classes.add(node.name)
                changed = True
    return classes, enums, modules


def _names_class(node: ast.expr, classes: set[str], modules: set[str]) -> bool:
    if isinstance(node, ast.Name):
        return node.id in classes
    return (
        isinstance(node, ast.Attribute)
        and isinstance(node.value, ast.Name)
        and node.value.id in modules
        and node.attr in _DOMAIN_ERRORS
    )


def _code_of(node: ast.expr, enums: set[str], modules: set[str]) -> str | None:
    """The code an expression names, or None when it names none this test can read."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.Attribute) and node.attr in ErrorCode.__members__:
        base = node.value
        if isinstance(base, ast.Name) and base.id in enums:
            return str(ErrorCode[node.attr])
        if (
            isinstance(base, ast.Attribute)
            and base.attr == "ErrorCode"
            and isinstance(base.value, ast.Name)
            and base.value.id in modules
        ):
            return str(ErrorCode[node.attr])
    return None


_ERRORS_TREE = ast.parse((SRC / "errors.py").read_text())


def _trees() -> list[tuple[Path, ast.Module]]:
    trees = []
    for path in sorted(SRC.rglob("*.py")):
        tree = _ERRORS_TREE if path == SRC / "errors.py" else ast.parse(path.read_text())
        trees.append((path, tree))
    return trees


def _raised_codes() -> list[tuple[str, str | None]]:
    """(where, code) for every code given to a domain error: `code=` in a call of a domain
    error class (or its `super().__init__` inside one), and each class's own `code = …`."""
    found: list[tuple[str, str | None]] = []
    for path, tree in _trees():
        classes, enums, modules = _domain_error_names(tree)
        where = str(path.relative_to(SRC.parent))
        for node in ast.walk(tree):
            if isinstance(node, ast.ClassDef) and node.name in classes:
                for item in node.body:
                    target = None
                    if isinstance(item, ast.Assign) and len(item.targets) == 1:
                        target, value = item.targets[0], item.value
                    elif isinstance(item, ast.AnnAssign) and item.value is not None:
                        target, value = item.target, item.value
                    if isinstance(target, ast.Name) and target.id == "code":
                        found.append((f"{where}:{item.lineno}", _code_of(value, enums, modules)))
                for call in ast.walk(node):
                    if (
                        isinstance(call, ast.Call)
                        and isinstance(call.func, ast.Attribute)
                        and call.func.attr == "__init__"
                    ):
                        for keyword in call.keywords:
                            if keyword.arg == "code":
                                code = _code_of(keyword.value, enums, modules)
                                found.append((f"{where}:{call.lineno}", code))
            if isinstance(node, ast.Call) and _names_class(node.func, classes, modules):
                for keyword in node.keywords:
                    if keyword.arg == "code":
                        code = _code_of(keyword.value, enums, modules)
                        found.append((f"{where}:{node.lineno}", code))
    return found


def test_every_code_the_source_raises_is_registered() -> None:
    found = _raised_codes()
    registered = {str(code) for code in ErrorCode}
    unreadable = [where for where, code in found if code is None]
    assert not unreadable, f"a code that is not an ErrorCode member: {unreadable}"
    unknown = [(where, code) for where, code in found if code not in registered]
    assert not unknown, f"codes missing from ErrorCode: {unknown}"
    # The walk reaches the raising sites, not only the class bodies.
    codes = {code for _, code in found}
    for expected in ("already_revoked", "link_used", "idempotency_key_reused", "duplicate"):
        assert expected in codes
    assert len(found) >= 25


def test_the_walk_would_catch_an_unregistered_code(tmp_path: Path) -> None:
    source = (
        "from soundseal.errors import Conflict, ErrorCode\n"
        "class Gone(Conflict):\n    code = 'gone_for_good'\n"
        "raise Conflict('x', code='no_such_code')\n"
        "raise Conflict('x', code=ErrorCode.LINK_USED)\n"
        "raise Conflict('x', code=pick())\n"
    )
    tree = ast.parse(source)
    classes, enums, modules = _domain_error_names(tree)
    assert "Gone" in classes
    codes = [
        _code_of(k.value, enums, modules)
        for node in ast.walk(tree)
        if isinstance(node, ast.Call) and _names_class(node.func, classes, modules)
        for k in node.keywords
    ]
    assert codes == ["no_such_code", "link_used", None]


def _all_subclasses(cls: type[SoundsealError]) -> list[type[SoundsealError]]:
    subclasses = []
    for sub in cls.__subclasses__():
        subclasses += [sub, *_all_subclasses(sub)]
    return subclasses


def test_every_error_class_has_a_registered_default_code() -> None:
    import soundseal.web.sessions  # noqa: F401 - defines a subclass of its own

    classes = [SoundsealError, *_all_subclasses(SoundsealError)]
    assert len(classes) >= 16
    for cls in classes:
        assert isinstance(cls.code, ErrorCode), cls


@pytest.mark.parametrize("code", list(ErrorCode))
def test_every_code_has_an_error_status(code: ErrorCode) -> None:
    assert 400 <= code.status <= 599
    assert code == str(code) == code.value


def test_codes_are_unique_and_compare_as_their_text() -> None:
    assert len({str(code) for code in ErrorCode}) == len(ErrorCode)
    assert ErrorCode("duplicate") is ErrorCode.DUPLICATE
    assert ErrorCode.NOT_FOUND == "not_found"


def _readme_codes() -> dict[str, int]:
    text = README.read_text()
    bullet = text[text.index("- **Errors**") :]
    listing = bullet[bullet.index("Codes") : bullet.index("Nothing half-written")]
    found: dict[str, int] = {}
    for group, status in re.findall(r"((?:`[a-z_]+`(?:/| and )?)+)\s+(\d{3})", listing):
        for code in re.findall(r"`([a-z_]+)`", group):
            assert code not in found, f"{code} listed twice"
            found[code] = int(status)
    return found


def test_the_readme_lists_every_code_with_its_status() -> None:
    assert _readme_codes() == {str(code): code.status for code in ErrorCode}
