"""Certify by upload against hostile files, through the API and the real FFmpeg and fpcalc:
only audio containers recognised from their bytes are decoded (never a playlist, script or
manifest naming other files), decoding is bounded by the configured duration, and a decoder
that fails under its process limits is a clean refusal."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient

from soundseal.app import create_app
from soundseal.audio import child_process
from soundseal.db import Database
from tests.audio.conftest import render_song, transcode, write_wav
from tests.conftest import make_settings
from tests.factories import Factory, Key


@pytest.fixture(scope="module")
def media(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("uploads")
    song = write_wav(root / "song.wav", render_song(45, seed=21))
    liar = transcode(song, root / "liar_src.flac")
    return {
        "wav": song,
        "ogg": transcode(song, root / "song.ogg", "-c:a", "libvorbis"),
        "flac": transcode(song, root / "song.flac"),
        "clip": transcode(song, root / "clip.flac", "-t", "15"),
        "liar": _understate_flac_length(liar, root / "liar.flac", seconds=10),
    }


def _understate_flac_length(source: Path, target: Path, *, seconds: int) -> Path:
    """A FLAC file whose STREAMINFO claims ``seconds`` while all its frames follow."""
    data = bytearray(source.read_bytes())
    assert data[:4] == b"fLaC"
    fields = int.from_bytes(data[18:26], "big")  # rate, channels, depth, 36-bit sample count
    fields = (fields >> 36 << 36) | seconds * 44100
    data[18:26] = fields.to_bytes(8, "big")
    data[26:42] = bytes(16)  # and no MD5 of the (claimed) audio
    target.write_bytes(data)
    return target


def post(
    client: TestClient, key: Key, content: bytes, name: str, content_type: str = "audio/mpeg"
) -> Any:
    return client.post(
        "/api/v1/certificates",
        data={"track_title": "Song", "artist_name": "Band"},
        files={"file": (name, content, content_type)},
        headers=key.headers,
    )


def stored(client: TestClient, key: Key) -> int:
    listed = client.get("/api/v1/certificates", headers=key.headers).json()
    return int(listed["pagination"]["total"])


def test_a_playlist_naming_a_server_file_is_refused_exactly_like_one_naming_nothing(
    client: TestClient, factory: Factory, media: dict[str, Path]
) -> None:
    key = factory.key()
    real = f"#EXTM3U\n#EXT-X-TARGETDURATION:45\n#EXTINF:45,\n{media['ogg']}\n#EXT-X-ENDLIST\n"
    gone = real.replace(str(media["ogg"]), "/nonexistent/song.ogg")
    ten = "#EXTM3U\n" + f"#EXTINF:45,\n{media['ogg']}\n" * 10 + "#EXT-X-ENDLIST\n"
    answers = [post(client, key, body.encode(), "song.mp3") for body in (real, gone, ten)]
    for response in answers:
        assert response.status_code == 400, response.text
        body = response.json()
        assert body["code"] == "unsupported_media"
        assert body["field"] == "file"
        assert body["detected"] == "an HLS/M3U playlist"
    # No file-existence oracle: the refusal is the same word for word.
    assert len({r.json()["error"] for r in answers}) == 1
    assert stored(client, key) == 0


@pytest.mark.parametrize(
    ("make", "name", "detected"),
    [
        (lambda m: f"ffconcat version 1.0\nfile '{m['wav']}'\n", "song.wav", "concat script"),
        (
            lambda m: (
                '<?xml version="1.0"?>\n<MPD xmlns="urn:mpeg:dash:schema:mpd:2011" '
                f'type="static"><Period><BaseURL>file://{m["ogg"]}</BaseURL></Period></MPD>'
            ),
            "master.flac",
            "DASH manifest",
        ),
        (lambda m: "v=0\r\no=- 0 0 IN IP4 127.0.0.1\r\nm=audio 5004 RTP/AVP 0\r\n", "a.sdp", "SDP"),
        (lambda m: "liner notes, not audio\n" * 20, "notes.mp3", "text"),
    ],
)
def test_scripts_manifests_and_text_are_refused_by_what_they_are(
    client: TestClient,
    factory: Factory,
    media: dict[str, Path],
    make: Any,
    name: str,
    detected: str,
) -> None:
    key = factory.key()
    response = post(client, key, make(media).encode(), name)
    assert response.status_code == 400, response.text
    body = response.json()
    assert body["code"] == "unsupported_media"
    assert detected in body["detected"]
    assert detected in body["error"]
    assert "accepted: WAV" in body["error"]
    assert stored(client, key) == 0


def test_audio_under_a_misleading_name_and_type_is_accepted_by_its_content(
    client: TestClient, factory: Factory, media: dict[str, Path]
) -> None:
    key = factory.key()
    response = post(client, key, media["flac"].read_bytes(), "cover.m3u8", "image/jpeg")
    assert response.status_code == 201, response.text
    assert response.json()["certificate"]["audio_file_name"] == "cover.m3u8"


@pytest.fixture
def short_limit_client(database: Database, tmp_path: Path) -> Iterator[TestClient]:
    app = create_app(make_settings(database, tmp_path, max_audio_seconds=20), database)
    with TestClient(app, raise_server_exceptions=False) as test_client:
        yield test_client


def test_audio_longer_than_the_limit_is_refused_naming_it(
    short_limit_client: TestClient, factory: Factory, media: dict[str, Path]
) -> None:
    client, key = short_limit_client, factory.key()
    # An honest 45 s file, and one whose header claims 10 s while 45 s of frames follow.
    for sample in ("wav", "liar"):
        response = post(client, key, media[sample].read_bytes(), f"{sample}.bin")
        assert response.status_code == 400, response.text
        body = response.json()
        assert body["code"] == "audio_too_long"
        assert body["max_audio_seconds"] == 20
        assert "0:20 (20 s)" in body["error"]
    assert stored(client, key) == 0
    within = post(client, key, media["clip"].read_bytes(), "clip.flac")
    assert within.status_code == 201, within.text


def test_a_decoder_failing_under_its_memory_limit_is_a_clean_refusal(
    client: TestClient,
    factory: Factory,
    media: dict[str, Path],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    key = factory.key()
    # 64 MiB of address space is too little for the decoder even to map its libraries.
    monkeypatch.setattr(child_process, "ADDRESS_SPACE_BYTES", 64 * 1024 * 1024)
    response = post(client, key, media["flac"].read_bytes(), "song.flac")
    assert response.status_code == 400, response.text
    assert response.json()["code"] == "unsupported_media"
    assert stored(client, key) == 0
    monkeypatch.undo()
    again = post(client, key, media["flac"].read_bytes(), "song.flac")
    assert again.status_code == 201, again.text
