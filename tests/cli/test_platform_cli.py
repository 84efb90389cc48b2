"""`soundseal platform bind|poll|gate|status` against a real server, as a platform's cron would."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from soundseal.client import Client
from tests.api.test_audio_api import samples
from tests.conftest import LiveServer
from tests.factories import Factory


def platform(*args: str, env: dict[str, str]) -> tuple[int, Any]:
    out = subprocess.run(
        [sys.executable, "-m", "soundseal", "platform", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    return out.returncode, json.loads(out.stdout or out.stderr)


def test_bind_poll_gate_status(live_server: LiveServer, factory: Factory, tmp_path: Path) -> None:
    master = samples.write_wav(tmp_path / "m.wav", samples.render_song(40, seed=51))
    served = samples.transcode(master, tmp_path / "served.mp3", "-b:a", "160k")
    key = factory.key()
    with Client(key.key, live_server.url) as registry:
        cert = registry.certify_file(master, track_title="S", artist_name="B")["certificate"]
        log_key = registry.log_state("live")["verifier_key"]
    env = {
        **os.environ,
        "SOUNDSEAL_API_URL": live_server.url,
        "SOUNDSEAL_API_KEY": key.key,
        "SOUNDSEAL_PLATFORM_DB": f"sqlite:///{tmp_path / 'platform.sqlite3'}",
    }

    code, bound = platform("bind", "track-1", str(served), "--cert", cert["id"], env=env)
    assert code == 0, bound
    assert bound["bound"] is True
    code, gated = platform("gate", "track-1", "--file", str(served), env=env)
    assert gated["visible"] is False  # not polled yet: fail closed
    code, polled = platform("poll", env=env)
    assert code == 1  # no log key pinned: nothing is believed
    assert "no log key is pinned" in polled["error"]
    code, status = platform("status", env=env)
    assert status["log"]["pinned_key"] is None
    assert "no log key is pinned" in status["log"]["reason"]
    code, pinned = platform("pin", log_key, env=env)
    assert (code, pinned) == (0, {"pinned": True, "log_key": log_key})
    code, other = platform("pin", factory.notary.checkpoint_verifier("test").format(), env=env)
    assert code == 1
    assert "another log key is pinned" in other["error"]
    code, polled = platform("poll", env=env)
    assert code == 0, polled
    assert polled["ok"] is True
    code, gated = platform("gate", "track-1", "--file", str(served), env=env)
    assert gated == {
        "track_id": "track-1",
        "visible": True,
        "reasons": [],
        "certificate_id": cert["id"],
    }
    code, unknown = platform("gate", "track-1", env=env)
    assert unknown["visible"] is False
    assert unknown["reasons"] == ["the served file is unknown"]
    code, status = platform("status", env=env)
    assert status["bindings"] == {"verified": 1}
    assert status["feed_fresh"] is True
    assert status["log"]["verified"] is True
    assert status["log"]["verified_size"] == 1
    assert status["log"]["failure"] is None

    code, refused = platform(
        "bind", "track-2", str(master), "--cert", "cer_test_synthetic", env=env
    )
    assert code == 1
    assert refused["bound"] is False
