"""The acoustic registry at the registry level, with real FFmpeg and Chromaprint: issuing
with a fingerprint fills the 1:N index, re-encodes are refused as acoustic duplicates,
revocation and modes bound what identification sees, and fingerprints and uploads that are
not usable audio are refused with the registry's own errors."""

from __future__ import annotations

import hashlib
import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from soundseal.audio import Fingerprint, FingerprintEncoding, encode_values, fingerprint_file
from soundseal.db import Database
from soundseal.errors import DuplicateCertificate, ErrorCode, InvalidAudio, InvalidInput
from soundseal.matching import compare
from soundseal.registry.acoustic.fingerprints import (
    MAX_DURATION_MS,
    decode_fingerprint,
    require_sufficient,
)
from soundseal.registry.acoustic.index import AcousticIndex
from soundseal.registry.acoustic.services import identify
from soundseal.registry.acoustic.uploads import hash_and_fingerprint_upload
from soundseal.registry.certificates.issuance import create_certificate
from soundseal.registry.certificates.models import Certificate
from soundseal.registry.certificates.services import NewCertificate
from tests.audio.conftest import audio_tools, render_song, transcode, write_wav
from tests.factories import BASE_URL, Factory, sha256_of

__all__ = ["audio_tools"]  # the autouse fixture that requires FFmpeg and Chromaprint


@pytest.fixture(scope="module")
def media(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("acoustic")
    master = write_wav(root / "master.wav", render_song(30, seed=61))
    return {
        "master": master,
        "reencode": transcode(master, root / "reencode.mp3", "-c:a", "libmp3lame", "-b:a", "128k"),
        "other": write_wav(root / "other.wav", render_song(30, seed=62)),
        "silence": write_wav(root / "silence.wav", np.zeros(30 * 44100)),
        "short": transcode(master, root / "short.flac", "-t", "3"),
    }


@pytest.fixture(scope="module")
def prints(media: dict[str, Path]) -> dict[str, Fingerprint]:
    """Whole-length fingerprints, as a master is fingerprinted at issuance."""
    return {name: fingerprint_file(path, length_s=0) for name, path in media.items()}


IssueFn = Callable[..., Certificate]


@pytest.fixture
def index() -> AcousticIndex:
    """One process's index, shared by the issuances and searches of a test."""
    return AcousticIndex()


@pytest.fixture
def issue(database: Database, factory: Factory, index: AcousticIndex) -> IssueFn:
    account = factory.account()

    def issue(fingerprint: Fingerprint, *, mode: str = "live", name: str = "x") -> Certificate:
        draft = NewCertificate(
            track_title=f"Song {name}",
            artist_name="The Examples",
            sha256=sha256_of(f"{mode} {name}"),
            acoustic=fingerprint,
        )
        with database.transaction() as session:
            return create_certificate(
                session,
                account_id=account,
                mode=mode,
                draft=draft,
                actor="test",
                base_url=BASE_URL,
                notary=factory.notary,
                acoustic_index=index,
            )

    return issue


def found(
    database: Database, index: AcousticIndex, query: Fingerprint, mode: str = "live"
) -> list[str]:
    """The IDs of the certificates identification matches to `query`."""
    with database.transaction(write=False) as session:
        hits = identify(session, index, mode=mode, query=query, limit=5)
        return [hit.certificate.id for hit in hits if hit.decision.matched]


def certificate_count(database: Database, mode: str) -> int:
    with database.transaction(write=False) as session:
        query = select(func.count()).select_from(Certificate).where(Certificate.mode == mode)
        return int(session.scalar(query) or 0)


def test_issuing_with_a_fingerprint_adds_it_to_the_index(
    database: Database, index: AcousticIndex, issue: IssueFn, prints: dict[str, Fingerprint]
) -> None:
    # The index is loaded (empty) before the issuance, so only the change feed can bring it.
    assert found(database, index, prints["master"]) == []
    cert = issue(prints["master"])
    assert cert.fingerprint is not None
    assert found(database, index, prints["reencode"]) == [cert.id]
    assert index.size("live") == 1
    # Another process's index, loading from the database, finds it too.
    assert found(database, AcousticIndex(), prints["master"]) == [cert.id]
    # A different song is no match.
    assert found(database, index, prints["other"]) == []


def test_a_re_encode_is_refused_as_an_acoustic_duplicate_and_nothing_is_written(
    database: Database, issue: IssueFn, prints: dict[str, Fingerprint]
) -> None:
    master = issue(prints["master"], name="master")
    with pytest.raises(DuplicateCertificate) as refused:
        issue(prints["reencode"], name="mp3 of the master")
    extra: dict[str, Any] = refused.value.extra
    assert extra["match_type"] == "acoustic"
    assert extra["existing_certificate_id"] == master.id
    assert extra["existing_certificate_number"] == master.certificate_number
    assert extra["verification_url"].endswith(master.certificate_number)
    assert 0.9 <= extra["score"] <= 1.0
    assert extra["policy_version"]
    assert certificate_count(database, "live") == 1
    # A different song is certified beside it.
    issue(prints["other"], name="other")
    assert certificate_count(database, "live") == 2


def test_revoking_takes_a_certificate_out_of_identification(
    database: Database,
    factory: Factory,
    index: AcousticIndex,
    issue: IssueFn,
    prints: dict[str, Fingerprint],
) -> None:
    cert = issue(prints["master"], name="master")
    assert found(database, index, prints["reencode"]) == [cert.id]
    factory.revoke(cert)
    assert found(database, index, prints["reencode"]) == []
    assert index.size("live") == 0
    assert found(database, AcousticIndex(), prints["master"]) == []
    # With the master revoked, its audio can be certified again.
    again = issue(prints["reencode"], name="reissued")
    assert found(database, index, prints["master"]) == [again.id]


def test_modes_do_not_see_each_others_masters(
    database: Database, index: AcousticIndex, issue: IssueFn, prints: dict[str, Fingerprint]
) -> None:
    live = issue(prints["master"], mode="live", name="master")
    assert found(database, index, prints["master"], mode="test") == []
    # The same audio in test mode is no duplicate of the live certificate.
    test = issue(prints["reencode"], mode="test", name="sandbox copy")
    assert found(database, index, prints["master"], mode="test") == [test.id]
    assert found(database, index, prints["master"], mode="live") == [live.id]
    assert index.size("live") == index.size("test") == 1


def wire(fingerprint: Fingerprint) -> str:
    return encode_values(fingerprint.values, FingerprintEncoding.RAW_LE_BASE64)


def test_a_callers_fingerprint_decodes_to_the_same_values(prints: dict[str, Fingerprint]) -> None:
    master = prints["master"]
    for encoding in FingerprintEncoding:
        data = encode_values(master.values, encoding)
        decoded = decode_fingerprint(
            data, duration_ms=master.duration_ms, encoding=encoding.value, algorithm="chromaprint"
        )
        assert decoded.values.tolist() == master.values.tolist()
        assert decoded.duration_ms == master.duration_ms
    require_sufficient(master)


@pytest.mark.parametrize("name", ["silence", "short"])
def test_silence_and_short_audio_are_refused_as_insufficient(
    database: Database,
    index: AcousticIndex,
    issue: IssueFn,
    prints: dict[str, Fingerprint],
    name: str,
) -> None:
    sent = prints[name]
    fingerprint = decode_fingerprint(wire(sent), duration_ms=sent.duration_ms, encoding=None)
    for refuse in (
        lambda: require_sufficient(fingerprint),
        lambda: found(database, index, fingerprint),
        lambda: issue(fingerprint),
    ):
        with pytest.raises(InvalidAudio) as refused:
            refuse()
        assert refused.value.code is ErrorCode.INSUFFICIENT_AUDIO
        assert refused.value.message.startswith("Not enough audio to match")
    assert certificate_count(database, "live") == 0


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"duration_ms": None}, "duration_ms"),
        ({"duration_ms": True}, "duration_ms"),
        ({"duration_ms": "30000"}, "duration_ms"),
        ({"duration_ms": 0}, "duration_ms"),
        ({"duration_ms": MAX_DURATION_MS + 1}, "duration_ms"),
        ({"encoding": "mp3"}, "encoding"),
        ({"algorithm": "echoprint"}, "algorithm"),
        ({"data": "not base64 !"}, "fingerprint"),
        ({"data": ""}, "fingerprint"),
    ],
)
def test_a_malformed_fingerprint_is_refused_naming_the_field(
    prints: dict[str, Fingerprint], fields: dict[str, Any], field: str
) -> None:
    call: dict[str, Any] = {
        "data": wire(prints["master"]),
        "duration_ms": 30_000,
        "encoding": None,
        **fields,
    }
    data = call.pop("data")
    with pytest.raises(InvalidInput) as refused:
        decode_fingerprint(data, **call)
    assert refused.value.field == field


_JSONISH = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=40),
    lambda inner: st.lists(inner, max_size=5) | st.dictionaries(st.text(max_size=5), inner),
    max_leaves=20,
)


@settings(max_examples=300, deadline=None)
@given(
    data=st.one_of(
        _JSONISH,
        st.binary(max_size=200),
        st.lists(st.integers(-(2**40), 2**40), max_size=200),
        st.text(alphabet="AQgw+/=-_0123456789,", max_size=200),
    ),
    duration_ms=_JSONISH,
    encoding=st.one_of(
        st.none(), st.sampled_from([e.value for e in FingerprintEncoding]), st.text()
    ),
    algorithm=st.one_of(st.none(), st.just("chromaprint"), st.text(max_size=12)),
)
def test_decode_fingerprint_gives_a_fingerprint_or_a_clean_error(
    data: Any, duration_ms: Any, encoding: str | None, algorithm: str | None
) -> None:
    refusal: InvalidInput | None = None
    try:
        fingerprint = decode_fingerprint(
            data, duration_ms=duration_ms, encoding=encoding, algorithm=algorithm
        )
    except InvalidInput as exc:
        refusal = exc
    if refusal is not None:
        assert refusal.field in {"fingerprint", "duration_ms", "encoding", "algorithm"}
        return
    assert fingerprint.values.size > 0
    assert 0 < fingerprint.duration_ms <= MAX_DURATION_MS
    # What decodes is judged, never crashed on: sufficient, or refused as insufficient.
    insufficient: InvalidAudio | None = None
    try:
        require_sufficient(fingerprint)
    except InvalidAudio as exc:
        insufficient = exc
    assert insufficient is None or insufficient.code is ErrorCode.INSUFFICIENT_AUDIO


def upload(content: bytes, max_audio_seconds: int = 600) -> tuple[str, Fingerprint]:
    return hash_and_fingerprint_upload(io.BytesIO(content), max_audio_seconds=max_audio_seconds)


def test_an_uploaded_re_encode_is_hashed_and_fingerprinted(
    media: dict[str, Path], prints: dict[str, Fingerprint]
) -> None:
    content = media["reencode"].read_bytes()
    sha256, fingerprint = upload(content)
    assert sha256 == hashlib.sha256(content).hexdigest()
    assert abs(fingerprint.duration_ms - 30_000) < 200
    assert compare(fingerprint, prints["master"]).score > 0.9


def test_a_playlist_upload_is_refused_as_unsupported_media(media: dict[str, Path]) -> None:
    playlist = f"#EXTM3U\n#EXTINF:30,\n{media['reencode']}\n#EXT-X-ENDLIST\n".encode()
    with pytest.raises(InvalidAudio) as refused:
        upload(playlist)
    assert refused.value.code is ErrorCode.UNSUPPORTED_MEDIA
    assert refused.value.extra["field"] == "file"
    assert refused.value.extra["detected"] == "an HLS/M3U playlist"


@pytest.mark.parametrize(
    ("name", "limit", "code"),
    [
        ("empty", 600, ErrorCode.UNSUPPORTED_MEDIA),
        ("noise", 600, ErrorCode.UNSUPPORTED_MEDIA),
        ("silence", 600, ErrorCode.INSUFFICIENT_AUDIO),
        ("master", 10, ErrorCode.AUDIO_TOO_LONG),
    ],
)
def test_an_upload_that_is_not_usable_audio_is_refused_with_the_registrys_error(
    media: dict[str, Path], name: str, limit: int, code: ErrorCode
) -> None:
    contents = {
        "empty": b"",
        "noise": bytes(range(256)) * 64,
    }
    content = contents[name] if name in contents else media[name].read_bytes()
    with pytest.raises(InvalidAudio) as refused:
        upload(content, max_audio_seconds=limit)
    assert refused.value.code is code
    assert refused.value.message
