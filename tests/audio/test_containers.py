"""The container sniffer: what real encoders write is recognised, what FFmpeg would follow
(playlists, scripts, manifests) or cannot use is refused by name, and no input crashes it."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from soundseal.audio import UnsupportedContainer, fingerprint_file
from soundseal.audio.containers import (
    ACCEPTED_CONTAINERS,
    SNIFF_BYTES,
    sniff_container,
    sniff_file,
)

# (file name, ffmpeg output options, the demuxer expected)
ENCODINGS = [
    ("c.wav", [], "wav"),
    ("c.rf64", ["-f", "wav", "-rf64", "always"], "wav"),
    ("c.w64", ["-f", "w64"], "w64"),
    ("c.flac", [], "flac"),
    ("c.mp3", ["-c:a", "libmp3lame"], "mp3"),
    ("c_bare.mp3", ["-c:a", "libmp3lame", "-id3v2_version", "0", "-write_xing", "0"], "mp3"),
    ("c.mp2", ["-c:a", "mp2", "-f", "mp2"], "mp3"),
    ("c.aac", ["-c:a", "aac", "-f", "adts"], "aac"),
    ("c.ogg", ["-c:a", "libvorbis"], "ogg"),
    ("c.opus", ["-c:a", "libopus"], "ogg"),
    ("c.oga", ["-c:a", "flac", "-f", "ogg"], "ogg"),
    ("c.m4a", ["-c:a", "aac"], "mov"),
    ("c.aiff", [], "aiff"),
    ("c.caf", [], "caf"),
    ("c.mka", ["-c:a", "flac"], "matroska"),
    ("c.webm", ["-c:a", "libopus"], "matroska"),
]


@pytest.fixture(scope="module")
def encoded(song_a_wav: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("containers")
    out = {}
    for name, options, _ in ENCODINGS:
        target = root / name
        subprocess.run(
            ["ffmpeg", "-nostdin", "-v", "error", "-y", "-i", str(song_a_wav), "-t", "12",
             *options, str(target)],
            check=True,
        )  # fmt: skip
        out[name] = target
    return out


@pytest.mark.parametrize(("name", "demuxer"), [(n, d) for n, _, d in ENCODINGS])
def test_what_encoders_write_is_recognised_by_content(
    encoded: dict[str, Path], tmp_path: Path, name: str, demuxer: str
) -> None:
    assert sniff_file(encoded[name]).demuxer == demuxer
    # The name plays no part: the same bytes under a misleading name are the same container.
    renamed = tmp_path / "playlist.m3u8"
    renamed.write_bytes(encoded[name].read_bytes())
    assert sniff_file(renamed).demuxer == demuxer


@pytest.mark.parametrize("name", ["c.opus", "c.m4a", "c.webm", "c.aiff", "c.caf", "c_bare.mp3"])
def test_every_accepted_container_fingerprints(encoded: dict[str, Path], name: str) -> None:
    assert len(fingerprint_file(encoded[name], length_s=0)) > 50


def test_a_large_id3_tag_is_looked_past(encoded: dict[str, Path], tmp_path: Path) -> None:
    # A 100 kB ID3v2 tag (cover art) in front of FLAC: the sniffer reads what follows it.
    size = 100_000
    syncsafe = bytes((size >> s) & 0x7F for s in (21, 14, 7, 0))
    tagged = tmp_path / "tagged"
    tagged.write_bytes(b"ID3\x04\x00\x00" + syncsafe + bytes(size) + encoded["c.flac"].read_bytes())
    assert size > SNIFF_BYTES
    assert sniff_file(tagged).demuxer == "flac"


def test_an_id3_tag_in_front_of_adts_aac_is_looked_past(
    encoded: dict[str, Path], tmp_path: Path
) -> None:
    tagged = tmp_path / "tagged.aac"
    tagged.write_bytes(
        b"ID3\x04\x00\x00\x00\x00\x00\x0a" + bytes(10) + encoded["c.aac"].read_bytes()
    )
    assert sniff_file(tagged).demuxer == "aac"


@pytest.mark.parametrize(
    ("content", "seen"),
    [
        (b"#EXTM3U\n#EXTINF:10,\n/etc/passwd\n", "an HLS/M3U playlist"),
        (b"\xef\xbb\xbf#EXTM3U\r\nhttp://example.com/a.ogg\r\n", "an HLS/M3U playlist"),
        (b"ffconcat version 1.0\nfile '/etc/hostname'\n", "an FFmpeg concat script"),
        (b'<?xml version="1.0"?>\n<MPD xmlns="urn:mpeg:dash:schema:mpd:2011">', "a DASH"),
        (b"v=0\r\no=- 0 0 IN IP4 127.0.0.1\r\nm=audio 5004 RTP/AVP 96\r\n", "an SDP session"),
        (b"[playlist]\nFile1=/etc/passwd\n", "a PLS playlist"),
        (b"<!DOCTYPE html><html><body>hi</body></html>", "an HTML document"),
        (b'<svg xmlns="http://www.w3.org/2000/svg"><text>a</text></svg>', "an XML document"),
        (b"\x00\x00\x00\x10moov\x00\x00\x00\x08mvhd", "a QuickTime file without an 'ftyp'"),
        (b"these are not the droids\n" * 10, "text"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "a PNG image"),
        (b"RIFF\x00\x10\x00\x00AVI LIST", "a RIFF file of type 'AVI '"),
        (b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic", "brand 'heic'"),
        (b"OggS\x00\x02" + bytes(20) + b"\x01\x1e\x80theora" + bytes(22), "Theora video"),
        (b"\x1aE\xdf\xa3\x93B\x82\x88unknowndoc", "an EBML file"),
        (b"\x00\x01\x02\x03\xfe\xfd", "unrecognised binary data starting 00 01 02 03"),
        (b"", "an empty file"),
    ],
)
def test_what_is_not_an_audio_container_is_refused_by_name(content: bytes, seen: str) -> None:
    with pytest.raises(UnsupportedContainer) as info:
        sniff_container(content)
    assert seen in info.value.seen
    assert "accepted: WAV" in str(info.value)


def test_a_refusal_depends_only_on_the_leading_bytes(tmp_path: Path) -> None:
    # Two playlists naming an existing and a missing file: one refusal, word for word.
    existing = tmp_path / "one.m3u8"
    existing.write_text(f"#EXTM3U\n#EXTINF:10,\n{existing}\n#EXT-X-ENDLIST\n")
    missing = tmp_path / "two.m3u8"
    missing.write_text("#EXTM3U\n#EXTINF:10,\n/nonexistent/x.ogg\n#EXT-X-ENDLIST\n")
    messages = set()
    for path in (existing, missing):
        with pytest.raises(UnsupportedContainer) as info:
            sniff_file(path)
        messages.add(info.value.reason)
    assert len(messages) == 1


_MAGICS = [
    b"", b"RIFF", b"RF64", b"FORM", b"fLaC", b"OggS", b"OggS\x00\x02", b"caff\x00\x01", b"ID3",
    b"ID3\x04\x00\x00", b"\x1aE\xdf\xa3", b"\xff\xfb", b"\xff\xf1", b"\x00\x00\x00\x20ftyp",
    b"#EXTM3U", bytes.fromhex("726966662e91cf11a5d628db04c10000"),
]  # fmt: skip


@settings(max_examples=2000, deadline=None)
@given(st.sampled_from(_MAGICS), st.binary(max_size=SNIFF_BYTES))
def test_any_bytes_give_a_container_or_a_clean_refusal(magic: bytes, rest: bytes) -> None:
    seen = ""
    try:
        found = sniff_container((magic + rest)[:SNIFF_BYTES])
    except UnsupportedContainer as exc:
        seen = exc.seen
    else:
        assert found in ACCEPTED_CONTAINERS
        return
    assert seen  # a refusal always says what was seen
