"""`soundseal certify` and `soundseal verify` against a real server, with real audio."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.api.test_audio_api import samples
from tests.conftest import LiveServer
from tests.factories import Factory, Key


@pytest.fixture(scope="module")
def album(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("album")
    samples.write_wav(root / "one.wav", samples.render_song(40, seed=31))
    samples.write_wav(root / "two.wav", samples.render_song(40, seed=32))
    (root / "bonus").mkdir()
    # The same recording as one.wav, re-encoded: must come back as an acoustic duplicate.
    samples.transcode(root / "one.wav", root / "bonus" / "one-again.mp3", "-b:a", "192k")
    (root / "notes.txt").write_text("not audio, not picked up")
    (root / "meta.csv").write_text(
        "file,title,artist,isrc\ntwo.wav,Second Song,CSV Band,GXHE72600002\n"
    )
    return root


def run(*args: str, key: Key, url: str) -> tuple[int, Any]:
    env = {**os.environ, "SOUNDSEAL_API_URL": url, "SOUNDSEAL_API_KEY": key.key}
    out = subprocess.run(
        [sys.executable, "-m", "soundseal", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    text = out.stdout.strip() or out.stderr.strip()
    try:
        return out.returncode, json.loads(text)
    except json.JSONDecodeError:
        return out.returncode, text


def test_a_folder_is_certified_in_bulk_and_resumes(
    live_server: LiveServer, factory: Factory, album: Path, tmp_path: Path
) -> None:
    key = factory.key()
    folder = tmp_path / "album"
    subprocess.run(["cp", "-r", str(album), str(folder)], check=True)
    code, out = run(
        "certify",
        str(folder),
        "--artist",
        "The Band",
        "--metadata",
        str(folder / "meta.csv"),
        "--json",
        key=key,
        url=live_server.url,
    )
    assert code == 0, out
    by_file = {r["file"]: r for r in out["results"]}
    assert set(by_file) == {"one.wav", "two.wav", "bonus/one-again.mp3"}
    assert by_file["two.wav"]["status"] == "certified"
    statuses = sorted(r["status"] for r in out["results"])
    assert statuses == ["certified", "certified", "duplicate"]
    duplicate = next(r for r in out["results"] if r["status"] == "duplicate")
    assert duplicate["match_type"] == "acoustic"
    listed = httpx.get(f"{live_server.url}/api/v1/certificates", headers=key.headers).json()
    assert listed["pagination"]["total"] == 2
    two = next(c for c in listed["certificates"] if c["audio_file_name"] == "two.wav")
    assert (two["track_title"], two["artist_name"], two["isrc"]) == (
        "Second Song",
        "CSV Band",
        "GXHE72600002",
    )

    # Interrupted after the request was sent but before it was recorded: the run repeats the
    # request with the same Idempotency-Key and gets the same certificate back.
    state_path = folder / ".soundseal-certify.json"
    state = json.loads(state_path.read_text())
    forgotten = state.pop("two.wav")
    state_path.write_text(json.dumps(state))
    code, again = run(
        "certify",
        str(folder),
        "--artist",
        "The Band",
        "--metadata",
        str(folder / "meta.csv"),
        "--json",
        key=key,
        url=live_server.url,
    )
    assert code == 0, again
    redone = {r["file"]: r for r in again["results"]}
    assert redone["two.wav"]["certificate_id"] == forgotten["certificate_id"]
    listed = httpx.get(f"{live_server.url}/api/v1/certificates", headers=key.headers).json()
    assert listed["pagination"]["total"] == 2


def test_verify_prints_the_receipt_and_exits_by_the_verdict(
    live_server: LiveServer, factory: Factory, album: Path
) -> None:
    key = factory.key()
    code, out = run(
        "certify",
        str(album / "one.wav"),
        "--title",
        "One",
        "--artist",
        "Band",
        "--json",
        key=key,
        url=live_server.url,
    )
    assert code == 0, out
    cert_id = out["results"][0]["certificate_id"]
    code, receipt = run(
        "verify",
        str(album / "bonus" / "one-again.mp3"),
        "--cert",
        cert_id,
        key=key,
        url=live_server.url,
    )
    assert code == 0, receipt
    assert receipt["matched"] is True
    assert receipt["receipt_id"].startswith("vrc_")
    code, receipt = run(
        "verify", str(album / "two.wav"), "--cert", cert_id, key=key, url=live_server.url
    )
    assert code == 1
    assert receipt["matched"] is False


def test_certify_without_a_key_or_with_a_bad_key_fails_clearly(
    live_server: LiveServer, album: Path
) -> None:
    bad = Key(id="", key="ss_sk_live_" + "x" * 32, account_id="", mode="live")
    code, out = run(
        "certify", str(album / "two.wav"), "--artist", "A", "--json", key=bad, url=live_server.url
    )
    assert code == 1
    assert out["results"][0]["code"] == "unauthorized"
