"""Proving the audio over the API: certify by upload, acoustic duplicates, verify-audio with
receipts, identify. Real audio (synthesized music transcoded by FFmpeg), real libchromaprint."""

from __future__ import annotations

import base64
import hashlib
import importlib.util
import json
import struct
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient

from soundseal.app import create_app
from soundseal.db import Database
from tests.conftest import make_settings
from tests.factories import Factory, Key

_path = Path(__file__).resolve().parents[1] / "audio" / "conftest.py"
_name = "soundseal_test_audio_fixtures"
if _name not in sys.modules:
    _spec = importlib.util.spec_from_file_location(_name, _path)
    assert _spec is not None
    assert _spec.loader is not None
    _module = importlib.util.module_from_spec(_spec)
    sys.modules[_name] = _module
    _spec.loader.exec_module(_module)
samples = sys.modules[_name]


@pytest.fixture(scope="module")
def songs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("songs")
    a = samples.write_wav(root / "a.wav", samples.render_song(45, seed=11))
    b = samples.write_wav(root / "b.wav", samples.render_song(45, seed=12))
    silence = samples.write_wav(root / "silence.wav", samples.np.zeros(30 * samples.SR))
    corrupt = root / "corrupt.mp3"
    corrupt.write_bytes(bytes(range(256)) * 200)
    return {
        "a": a,
        "a_mp3": samples.transcode(a, root / "a.mp3", "-b:a", "128k"),
        "a_clip": samples.transcode(a, root / "a_clip.ogg", "-ss", "10", "-t", "25"),
        "b": b,
        "silence": silence,
        "corrupt": corrupt,
    }


def fpcalc(path: Path) -> tuple[list[int], int]:
    """The platform doc's recipe: `fpcalc -raw -json` (exit 3 after a valid print is normal)."""
    out = subprocess.run(["fpcalc", "-raw", "-json", str(path)], capture_output=True, text=True)
    data = json.loads(out.stdout)
    return [int(x) & 0xFFFFFFFF for x in data["fingerprint"]], round(data["duration"] * 1000)


def packed(values: list[int]) -> str:
    return base64.b64encode(b"".join(struct.pack("<I", x) for x in values)).decode()


def upload(client: TestClient, key: Key, path: Path, **fields: str) -> Any:
    data = {"track_title": "Song", "artist_name": "Band", **fields}
    with path.open("rb") as handle:
        return client.post(
            "/api/v1/certificates",
            data=data,
            files={"file": (path.name, handle, "application/octet-stream")},
            headers=key.headers,
        )


def verify(client: TestClient, key: Key, cert_id: str, path: Path, **extra: Any) -> Any:
    values, duration = fpcalc(path)
    body = {"fingerprint": packed(values), "duration_ms": duration, "algorithm": "chromaprint"}
    body.update(extra)
    return client.post(
        f"/api/v1/certificates/{cert_id}/verify-audio", json=body, headers=key.headers
    )


def test_upload_certifies_with_hash_and_fingerprint(
    client: TestClient, factory: Factory, songs: dict[str, Path]
) -> None:
    key = factory.key()
    response = upload(client, key, songs["a"], isrc="GXHE72600001")
    assert response.status_code == 201, response.text
    cert = response.json()["certificate"]
    assert cert["sha256_fingerprint"] == hashlib.sha256(songs["a"].read_bytes()).hexdigest()
    assert cert["has_acoustic_fingerprint"] is True
    assert abs(cert["duration_ms"] - 45_000) < 100
    assert cert["audio_file_name"] == "a.wav"


def test_a_re_encode_of_a_certified_master_is_an_acoustic_duplicate(
    client: TestClient, factory: Factory, songs: dict[str, Path]
) -> None:
    original = upload(client, factory.key(), songs["a"]).json()["certificate"]
    thief = factory.key()
    response = upload(client, thief, songs["a_mp3"], track_title="Totally Mine")
    assert response.status_code == 409, response.text
    body = response.json()
    assert body["code"] == "duplicate"
    assert body["match_type"] == "acoustic"
    assert body["existing_certificate_id"] == original["id"]
    assert body["score"] > 0.5
    assert (
        client.get("/api/v1/certificates", headers=thief.headers).json()["pagination"]["total"] == 0
    )
    different = upload(client, thief, songs["b"])
    assert different.status_code == 201, different.text


def test_the_same_file_again_is_an_exact_duplicate(
    client: TestClient, factory: Factory, songs: dict[str, Path]
) -> None:
    key = factory.key()
    assert upload(client, key, songs["b"]).status_code == 201
    again = upload(client, key, songs["b"])
    assert again.status_code == 409
    assert again.json()["match_type"] == "exact"


@pytest.mark.parametrize(
    ("sample", "code"), [("silence", "insufficient_audio"), ("corrupt", "unsupported_media")]
)
def test_unusable_audio_is_refused_and_nothing_is_stored(
    client: TestClient, factory: Factory, songs: dict[str, Path], sample: str, code: str
) -> None:
    key = factory.key()
    response = upload(client, key, songs[sample])
    assert response.status_code == 400, response.text
    assert response.json()["code"] == code
    listed = client.get("/api/v1/certificates", headers=key.headers).json()
    assert listed["pagination"]["total"] == 0


def test_upload_without_a_file_or_with_bad_fields(
    client: TestClient, factory: Factory, songs: dict[str, Path]
) -> None:
    key = factory.key()
    missing = client.post(
        "/api/v1/certificates",
        data={"track_title": "t", "artist_name": "a"},
        files={"other": ("x.txt", b"x")},
        headers=key.headers,
    )
    assert missing.status_code == 400
    bad = upload(client, key, songs["a"], isrc="nope")
    assert bad.status_code == 400
    assert bad.json()["field"] == "isrc"


def test_verify_audio_matches_a_transcode_and_a_clip_and_keeps_receipts(
    client: TestClient, factory: Factory, songs: dict[str, Path]
) -> None:
    key = factory.key()
    cert = upload(client, key, songs["a"]).json()["certificate"]
    for sample in ("a_mp3", "a_clip"):
        response = verify(client, key, cert["id"], songs[sample])
        assert response.status_code == 200, response.text
        receipt = response.json()
        assert receipt["matched"] is True, receipt
        assert receipt["cert_status"] == "active"
        assert receipt["policy_version"]
        assert receipt["receipt_id"].startswith("vrc_")
        stored = client.get(
            f"/api/v1/verification-receipts/{receipt['receipt_id']}", headers=key.headers
        )
        assert stored.json() == receipt
    clip = verify(client, key, cert["id"], songs["a_clip"]).json()
    assert 8_000 <= clip["offset_ms"] <= 12_000
    other = factory.key()
    hidden = client.get(
        f"/api/v1/verification-receipts/{clip['receipt_id']}", headers=other.headers
    )
    assert hidden.status_code == 404


def test_a_different_track_does_not_match(
    client: TestClient, factory: Factory, songs: dict[str, Path]
) -> None:
    key = factory.key()
    cert = upload(client, key, songs["a"]).json()["certificate"]
    receipt = verify(client, key, cert["id"], songs["b"]).json()
    assert receipt["matched"] is False
    assert receipt["reasons"]


def test_a_revoked_certificate_never_matches(
    client: TestClient, factory: Factory, songs: dict[str, Path]
) -> None:
    key = factory.key()
    cert = upload(client, key, songs["a"]).json()["certificate"]
    client.post(
        f"/api/v1/certificates/{cert['id']}/revoke", json={"reason": "r"}, headers=key.headers
    )
    receipt = verify(client, key, cert["id"], songs["a"]).json()
    assert receipt["matched"] is False
    assert receipt["cert_status"] == "revoked"


def test_every_encoding_is_accepted(
    client: TestClient, factory: Factory, songs: dict[str, Path]
) -> None:
    from soundseal.audio import encode_values

    key = factory.key()
    cert = upload(client, key, songs["a"]).json()["certificate"]
    values, duration = fpcalc(songs["a_mp3"])
    for encoding, wire in (
        ("int_array", values),
        ("chromaprint_compressed", encode_values(values, "chromaprint_compressed")),
        ("raw_le_base64", packed(values)),
    ):
        body = {"fingerprint": wire, "duration_ms": duration, "encoding": encoding}
        response = client.post(
            f"/api/v1/certificates/{cert['id']}/verify-audio", json=body, headers=key.headers
        )
        assert response.status_code == 200, (encoding, response.text)
        assert response.json()["matched"] is True, encoding


@pytest.mark.parametrize(
    ("body", "field", "says"),
    [
        ({"fingerprint": "[1,2,3]", "duration_ms": 1000}, "fingerprint", "raw_le_base64"),
        ({"fingerprint": "AAEC", "duration_ms": 1000}, "fingerprint", "multiple of 4"),
        ({"fingerprint": "AQAAAA==", "duration_ms": 1000, "encoding": "hex"}, "encoding", "hex"),
        ({"fingerprint": "AQAAAA=="}, "duration_ms", "duration_ms"),
        (
            {"fingerprint": "AQAAAA==", "duration_ms": -5},
            "duration_ms",
            "greater than or equal to 1",
        ),
        ({"fingerprint": "AQAAAA==", "duration_ms": 5, "algorithm": "md5"}, "algorithm", ""),
    ],
)
def test_malformed_fingerprints_say_what_was_expected(
    client: TestClient, factory: Factory, body: dict[str, Any], field: str, says: str
) -> None:
    key = factory.key()
    cert = factory.certificate(key)
    response = client.post(
        f"/api/v1/certificates/{cert.id}/verify-audio", json=body, headers=key.headers
    )
    assert response.status_code == 400, response.text
    assert response.json()["field"] == field
    assert says in response.json()["error"]


def test_silence_cannot_match(client: TestClient, factory: Factory, songs: dict[str, Path]) -> None:
    key = factory.key()
    cert = upload(client, key, songs["a"]).json()["certificate"]
    response = verify(client, key, cert["id"], songs["silence"])
    assert response.status_code == 400
    assert response.json()["code"] == "insufficient_audio"


def test_publishable_keys_cannot_verify_audio(client: TestClient, factory: Factory) -> None:
    cert = factory.certificate()
    publishable = factory.key(kind="publishable")
    response = client.post(
        f"/api/v1/certificates/{cert.id}/verify-audio",
        json={"fingerprint": "AQAAAA==", "duration_ms": 1000},
        headers=publishable.headers,
    )
    assert response.status_code == 403


def test_identify_finds_the_master_of_a_clip(
    client: TestClient, factory: Factory, songs: dict[str, Path]
) -> None:
    key = factory.key()
    a = upload(client, key, songs["a"]).json()["certificate"]
    upload(client, key, songs["b"])
    values, duration = fpcalc(songs["a_clip"])
    response = client.post(
        "/api/v1/identify",
        json={"fingerprint": packed(values), "duration_ms": duration},
        headers=key.headers,
    )
    assert response.status_code == 200, response.text
    matches = response.json()["matches"]
    assert matches[0]["certificate_id"] == a["id"]
    assert matches[0]["matched"] is True
    assert all(m["certificate_id"] != a["id"] or m is matches[0] for m in matches)


def test_json_issuance_with_a_client_fingerprint_is_checked_acoustically(
    client: TestClient, factory: Factory, songs: dict[str, Path]
) -> None:
    from soundseal.audio import encode_values, fingerprint_file

    first = factory.key()
    upload(client, first, songs["a"])
    master = fingerprint_file(songs["a_mp3"], length_s=0)
    body = {
        "track_title": "t",
        "artist_name": "a",
        "sha256_fingerprint": hashlib.sha256(songs["a_mp3"].read_bytes()).hexdigest(),
        "fingerprint": encode_values(master.values),
        "duration_ms": master.duration_ms,
    }
    response = client.post("/api/v1/certificates", json=body, headers=factory.key().headers)
    assert response.status_code == 409, response.text
    assert response.json()["match_type"] == "acoustic"


def test_test_mode_refuses_fingerprints_past_its_audio_budget(
    database: Database, tmp_path: Path, factory: Factory, songs: dict[str, Path]
) -> None:
    """Test certificates are free, so a workspace's test mode holds a bounded amount of
    fingerprinted audio (here 1 minute): the second 45 s song is 409 `test_mode_full`."""
    settings = make_settings(database, tmp_path, test_mode_audio_hours=1 / 60)
    with TestClient(create_app(settings, database), raise_server_exceptions=False) as client:
        key = factory.key(mode="test")
        first = upload(client, key, songs["a"])
        assert first.status_code == 201, first.text
        refused = upload(client, key, songs["b"])
        assert refused.status_code == 409, refused.text
        body = refused.json()
        assert body["code"] == "test_mode_full"
        assert body["limit_hours"] == pytest.approx(1 / 60)
        listed = client.get("/api/v1/certificates", headers=key.headers).json()
        assert listed["pagination"]["total"] == 1
