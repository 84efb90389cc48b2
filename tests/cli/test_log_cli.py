"""`soundseal log rebuild|show`: the rebuild of a log behind its feed, with the registry's own
key, appends exactly what the log lacks; `show` prints each log's signed checkpoint."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import delete

from soundseal.db import Database
from soundseal.registry.log.models import LogEntry, LogHash
from tests.cli.test_operator import run
from tests.factories import Factory
from tests.registry.log_helpers import entries


def test_rebuild_appends_what_the_log_lacks_and_show_prints_the_checkpoints(
    database: Database, factory: Factory, tmp_path: Path
) -> None:
    key = factory.key()
    factory.revoke(factory.certificate(key))
    factory.certificate(key)
    logged = entries(database)
    with database.transaction() as session:
        session.execute(delete(LogHash))
        session.execute(delete(LogEntry))
    env = {
        "SOUNDSEAL_DATABASE_URL": database.engine.url.render_as_string(hide_password=False),
        # The factory's settings: the key the registry signs with.
        "SOUNDSEAL_DATA_DIR": str(tmp_path / "data"),
        "SOUNDSEAL_PUBLIC_URL": "https://registry.test",
    }
    code, out = run("log", "rebuild", env=env)
    assert code == 0, out
    assert isinstance(out, dict)
    assert out["appended"] == {"live": 3, "test": 0}
    assert entries(database) == logged
    code, again = run("log", "rebuild", env=env)
    assert isinstance(again, dict)
    assert again["appended"] == {"live": 0, "test": 0}
    code, shown = run("log", "show", env=env)
    assert code == 0, shown
    assert isinstance(shown, dict)
    assert shown["live"]["size"] == 3
    assert shown["live"]["checkpoint"].startswith("registry.test/log/live\n3\n")
