"""Audio every platform test serves: a master, its transcodes and an unrelated song."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.api.test_audio_api import samples


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
