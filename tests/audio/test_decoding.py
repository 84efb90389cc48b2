from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from soundseal.audio import UnsupportedMedia, decode_audio, fingerprint_file, sha256_file
from tests.audio.conftest import SR, render_song, transcode


def test_decodes_at_native_rate_and_channels(song_a_wav: Path) -> None:
    audio = decode_audio(song_a_wav)
    assert (audio.sample_rate, audio.channels) == (SR, 2)
    assert audio.duration_ms == 45_000
    expected = np.clip(np.rint(render_song(45, seed=1) * 32767), -32768, 32767).astype(np.int16)
    assert np.array_equal(audio.samples.reshape(-1, 2)[:, 0], expected)


def test_decodes_mono_22k(song_a_wav: Path) -> None:
    mono = transcode(
        song_a_wav, song_a_wav.with_name("dec_mono22k.flac"), "-ac", "1", "-ar", "22050"
    )
    audio = decode_audio(mono)
    assert (audio.sample_rate, audio.channels) == (22050, 1)
    assert abs(audio.duration_ms - 45_000) <= 1


def test_video_container_with_audio_track_decodes(song_a_wav: Path, audio_dir: Path) -> None:
    video = audio_dir / "with_video.mkv"
    if not video.exists():
        import subprocess

        subprocess.run(
            ["ffmpeg", "-nostdin", "-v", "error", "-f", "lavfi", "-i", "color=c=blue:s=64x64:d=45",
             "-i", str(song_a_wav), "-map", "0:v", "-map", "1:a", "-c:v", "mpeg4", "-c:a",
             "flac", "-shortest", str(video)],
            check=True,
        )  # fmt: skip
    assert fingerprint_file(video) == fingerprint_file(song_a_wav)


def test_text_file_is_unsupported_media(audio_dir: Path) -> None:
    path = audio_dir / "notes.txt"
    path.write_text("these are not the droids\n" * 100)
    with pytest.raises(UnsupportedMedia, match=r"notes\.txt"):
        decode_audio(path)


def test_random_bytes_are_unsupported_media(corrupt_file: Path) -> None:
    with pytest.raises(UnsupportedMedia):
        fingerprint_file(corrupt_file)


def test_empty_and_missing_files_are_unsupported_media(audio_dir: Path) -> None:
    empty = audio_dir / "empty.flac"
    empty.write_bytes(b"")
    with pytest.raises(UnsupportedMedia):
        decode_audio(empty)
    with pytest.raises(UnsupportedMedia):
        decode_audio(audio_dir / "does-not-exist.wav")


def test_image_without_audio_stream_is_unsupported_media(audio_dir: Path) -> None:
    png = audio_dir / "image.png"
    if not png.exists():
        import subprocess

        subprocess.run(
            ["ffmpeg", "-nostdin", "-v", "error", "-f", "lavfi", "-i", "color=c=red:s=16x16",
             "-frames:v", "1", str(png)],
            check=True,
        )  # fmt: skip
    with pytest.raises(UnsupportedMedia, match=r"image\.png"):
        fingerprint_file(png)


def test_truncated_flac_still_decodes_what_is_there(song_a_wav: Path, audio_dir: Path) -> None:
    flac = transcode(song_a_wav, audio_dir / "trunc_src.flac")
    cut = audio_dir / "truncated.flac"
    cut.write_bytes(flac.read_bytes()[: flac.stat().st_size // 2])
    audio = decode_audio(cut)
    assert 10_000 < audio.duration_ms < 40_000


def test_sha256_streams_exact_bytes(audio_dir: Path) -> None:
    import hashlib

    path = audio_dir / "big.bin"
    data = np.random.default_rng(3).integers(0, 256, 3 * 1024 * 1024 + 17, dtype=np.uint8)
    path.write_bytes(data.tobytes())
    assert sha256_file(path) == hashlib.sha256(data.tobytes()).hexdigest()
    assert sha256_file(path) != sha256_file(audio_dir / "song_a.wav")


def test_a_decode_past_its_deadline_is_killed(song_long_wav: Path) -> None:
    from soundseal.audio import DecodeError

    with pytest.raises(DecodeError, match="timed out") as info:
        fingerprint_file(song_long_wav, length_s=0, timeout_s=0.001)
    assert not isinstance(info.value, UnsupportedMedia)
