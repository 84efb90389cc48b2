"""Audio every platform test serves (a master, its transcodes and an unrelated song), and
the platform's own database."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import make_url

from tests.api.test_audio_api import samples
from tests.backends import Backend, postgres_admin_url


@pytest.fixture(scope="module")
def audio(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("platform-audio")
    master = samples.write_wav(root / "master.wav", samples.render_song(45, seed=41))
    other = samples.write_wav(root / "other.wav", samples.render_song(45, seed=42))
    return {
        "master": master,
        "served": samples.transcode(master, root / "served.mp3", "-b:a", "192k"),
        "retranscoded": samples.transcode(master, root / "served-64k.mp3", "-b:a", "64k"),
        "other": other,
    }


@pytest.fixture
def platform_url(backend: Backend, tmp_path: Path) -> Iterator[str]:
    """The platform's own database, of the kind the registry runs on: a SQLite file, or a
    PostgreSQL database of its own, dropped afterwards."""
    if backend.name == "sqlite":
        yield f"sqlite:///{tmp_path / 'platform.sqlite3'}"
        return
    admin_url = make_url(postgres_admin_url())
    name = f"soundseal_platform_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
        yield admin_url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()
