"""`soundseal maintenance purge`: expired rows go, live ones stay, the counts are printed."""

from __future__ import annotations

from pathlib import Path

from soundseal.db import Database
from tests.cli.test_claims_cli import _env
from tests.cli.test_operator import run
from tests.factories import Factory
from tests.registry.test_maintenance import expired_session, keys_left, record


def test_purge_deletes_expired_rows_and_prints_what_it_did(
    database: Database, factory: Factory, tmp_path: Path
) -> None:
    record(database, "old", hours_ago=25)
    record(database, "live", hours_ago=2)
    expired_session(factory, database)
    code, out = run("maintenance", "purge", env=_env(database, tmp_path))
    assert code == 0, out
    assert isinstance(out, dict)
    assert out["purged"] == {"idempotency_records": 1, "web_sessions": 1}
    assert out["total"] == 2
    assert keys_left(database) == {"live"}
    code, again = run("maintenance", "purge", env=_env(database, tmp_path))
    assert (code, again["total"]) == (0, 0)  # type: ignore[index]


def test_purge_works_on_the_embedded_registry(tmp_path: Path) -> None:
    code, out = run("--data-dir", str(tmp_path / "registry"), "maintenance", "purge")
    assert code == 0, out
    assert out["purged"]["idempotency_records"] == 0  # type: ignore[index]
