"""Deep verification: the full record, the duplicate-work scan, the history, 1 credit."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient

from tests.api.test_audio_api import samples, upload
from tests.api.test_certificates import issue
from tests.factories import Factory, Key


def deep(client: TestClient, key: Key, **query: str) -> Any:
    return client.get("/api/v1/verify/deep", params=query, headers=key.headers)


def test_deep_verification_returns_the_record_and_costs_one_credit(
    client: TestClient, factory: Factory
) -> None:
    key = factory.key(factory.account(credits=5))
    cert = issue(
        client,
        key,
        isrc="GX-HE7-26-00042",
        audio_file_name="rain.wav",
        ai_disclosure={"involvement": "assisted", "tools": ["Suno"]},
    ).json()["certificate"]
    client.post(
        f"/api/v1/certificates/{cert['id']}/revoke",
        json={"reason": "re-issued"},
        headers=key.headers,
    )
    response = deep(client, key, certificate_number=cert["certificate_number"])
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["verified"] is False  # revoked
    assert body["certificate"]["id"] == cert["id"]
    assert body["certificate"]["audio_file_name"] == "rain.wav"  # the owner sees everything
    assert body["ai_disclosure"] == {"involvement": "assisted", "tools": ["Suno"]}
    assert body["deep_scan"]["dwd_status"] == "not_fingerprinted"
    assert body["deep_scan"]["ai_detection_status"] == "not_run"
    assert [v["change"] for v in body["version_history"]] == ["created", "revoked"]
    assert body["contributors"] == []
    # 5 - 1 (the certificate) - 1 (this call)
    assert body["credits_remaining"] == 3


def test_another_workspace_sees_the_public_record_without_owner_details(
    client: TestClient, factory: Factory
) -> None:
    owner = factory.key()
    cert = issue(client, owner, audio_file_name="master.wav").json()["certificate"]
    other = factory.key()
    body = deep(client, other, sha256=cert["sha256_fingerprint"]).json()
    assert body["verified"] is True
    assert "audio_file_name" not in body["certificate"]
    assert "account_id" not in body["certificate"]
    (created,) = body["version_history"]
    assert "actor" not in created
    assert "audio_file_name" not in created["snapshot"]
    assert created["snapshot"]["track_title"] == cert["track_title"]


def test_finding_nothing_is_free(client: TestClient, factory: Factory) -> None:
    key = factory.key(factory.account(credits=1))
    body = deep(client, key, isrc="USS1Z9900001").json()
    assert body["verified"] is False
    assert body["credits_remaining"] == 1


def test_without_credits_it_is_402(client: TestClient, factory: Factory) -> None:
    owner = factory.key()
    cert = issue(client, owner).json()["certificate"]
    broke = factory.key(factory.account(credits=0))
    response = deep(client, broke, certificate_number=cert["certificate_number"])
    assert response.status_code == 402
    assert response.json()["credits_remaining"] == 0


@pytest.mark.parametrize(
    "query",
    [{}, {"sha256": "a" * 64, "isrc": "USS1Z9900001"}, {"sha256": "zz"}, {"isrc": "nope"}],
)
def test_bad_lookups_are_400_naming_the_field(
    client: TestClient, factory: Factory, query: dict[str, str]
) -> None:
    response = deep(client, factory.key(), **query)
    assert response.status_code == 400
    assert response.json()["code"] == "bad_request"
    assert response.json()["field"] in ("certificate_number", "sha256", "isrc")


def test_a_publishable_key_cannot_spend_credits(client: TestClient, factory: Factory) -> None:
    key = factory.key(kind="publishable")
    response = deep(client, key, isrc="USS1Z9900001")
    assert response.status_code == 403
    assert response.json()["required_scope"] == "verify:read"


def test_the_duplicate_work_scan_finds_a_longer_master_containing_the_audio(
    client: TestClient, factory: Factory, tmp_path: Path
) -> None:
    """An excerpt is certified first; a longer master that contains it is not an acoustic
    duplicate of the excerpt, so it can be issued — and the excerpt's deep scan shows it."""
    song = samples.write_wav(tmp_path / "song.wav", samples.render_song(60, seed=21))
    excerpt = samples.transcode(song, tmp_path / "excerpt.flac", "-ss", "15", "-t", "30")
    other = samples.write_wav(tmp_path / "other.wav", samples.render_song(45, seed=22))
    key = factory.key()
    short = upload(client, key, excerpt).json()["certificate"]
    long_response = upload(client, key, song)
    assert long_response.status_code == 201, long_response.text
    long = long_response.json()["certificate"]
    unrelated = upload(client, key, other).json()["certificate"]

    scan = deep(client, key, certificate_number=short["certificate_number"]).json()["deep_scan"]
    assert scan["dwd_status"] == "matches_found"
    (match,) = scan["dwd_matches"]
    assert match["certificate_id"] == long["id"]
    assert match["score"] > 0.8
    assert abs(match["offset_ms"] - 15_000) < 1_000
    assert scan["policy_version"]

    for cert in (long, unrelated):
        scan = deep(client, key, certificate_number=cert["certificate_number"]).json()
        assert scan["deep_scan"]["dwd_status"] == "clean", cert
