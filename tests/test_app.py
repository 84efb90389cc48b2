"""The application factories."""

from __future__ import annotations

import gc
from pathlib import Path

import pytest

from soundseal.app import create_server_app


def test_the_server_app_freezes_what_start_up_built(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SOUNDSEAL_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("SOUNDSEAL_DATABASE_URL", raising=False)
    gc.unfreeze()
    try:
        app = create_server_app()
        # Start-up's objects (the app's routes among them) sit in the permanent generation.
        assert gc.get_freeze_count() > 0
        assert app.router.routes
        app.state.context.database.dispose()
    finally:
        gc.unfreeze()
    assert gc.get_freeze_count() == 0
