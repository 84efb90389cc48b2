"""Issuing, reading, listing and revoking certificates over the API."""

from __future__ import annotations

import re
from typing import Any

import pytest
from starlette.testclient import TestClient

from tests.factories import Factory, Key, sha256_of

ULID = "[0-9A-HJKMNP-TV-Z]{26}"


def issue(client: TestClient, key: Key, **fields: Any) -> Any:
    body = {
        "track_title": "Crystal Rain",
        "artist_name": "Sasa Radic",
        "sha256_fingerprint": sha256_of(str(fields.get("n", "x"))),
    }
    body.update({k: v for k, v in fields.items() if k != "n"})
    return client.post("/api/v1/certificates", json=body, headers=key.headers)


def test_issue_returns_the_vendor_shape_plus_ids(client: TestClient, factory: Factory) -> None:
    key = factory.key()
    response = issue(
        client,
        key,
        isrc="gx-he7-26-00042",
        type="composition",
        audio_file_name="rain.wav",
        ai_disclosure={"involvement": "assisted", "tools": ["Suno"]},
    )
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["success"] is True
    cert = body["certificate"]
    assert re.fullmatch(f"cer_{ULID}", cert["id"])
    assert re.fullmatch(r"SS-\d{4}-[0-9A-HJKMNP-TV-Z]{8}", cert["certificate_number"])
    assert cert["isrc"] == "GXHE72600042"
    assert cert["type"] == "composition"
    assert cert["declaration"] == "Original Work"
    assert cert["status"] == "active"
    assert cert["ai_disclosure"] == {"involvement": "assisted", "tools": ["Suno"]}
    assert cert["verification_url"] == f"https://registry.test/verify/{cert['certificate_number']}"
    assert cert["proof_url"] == f"https://registry.test/cert/{cert['id']}"
    assert cert["issued_at"].endswith("Z")


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("isrc", "US-123-45-6789"),
        ("isrc", "1SABC2500001"),
        ("sha256_fingerprint", "g" * 64),
        ("sha256_fingerprint", "ab"),
        ("track_title", "   "),
        ("type", "podcast"),
        ("ai_disclosure", {"involvement": "maybe"}),
        ("track_title", 42),
    ],
)
def test_bad_fields_are_refused_and_nothing_is_written(
    client: TestClient, factory: Factory, field: str, value: Any
) -> None:
    key = factory.key()
    response = issue(client, key, **{field: value})
    assert response.status_code == 400, response.text
    assert response.json()["field"].split(".")[0] == field
    listed = client.get("/api/v1/certificates", headers=key.headers).json()
    assert listed["pagination"]["total"] == 0
    feed = client.get("/api/v1/certificates/changes", headers=key.headers).json()
    assert feed["changes"] == []


def test_exact_duplicate_is_refused_with_the_existing_certificate(
    client: TestClient, factory: Factory
) -> None:
    first = issue(client, factory.key(), n=1).json()["certificate"]
    response = issue(client, factory.key(), n=1)
    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "duplicate"
    assert body["match_type"] == "exact"
    assert body["existing_certificate_id"] == first["id"]
    assert body["existing_certificate_number"] == first["certificate_number"]
    assert body["verification_url"] == first["verification_url"]


def test_a_revoked_master_can_be_certified_again(client: TestClient, factory: Factory) -> None:
    key = factory.key()
    first = issue(client, key, n=2).json()["certificate"]
    revoked = client.post(
        f"/api/v1/certificates/{first['id']}/revoke",
        json={"reason": "wrong master"},
        headers=key.headers,
    )
    assert revoked.status_code == 200
    assert issue(client, key, n=2).status_code == 201


def test_same_audio_may_exist_once_per_mode(client: TestClient, factory: Factory) -> None:
    account = factory.account()
    live = factory.key(account)
    test = factory.key(account, mode="test")
    assert issue(client, live, n=3).status_code == 201
    created = issue(client, test, n=3)
    assert created.status_code == 201
    assert created.json()["certificate"]["id"].startswith("cer_test_")
    assert created.json()["certificate"]["livemode"] is False


def test_modes_do_not_see_each_other(client: TestClient, factory: Factory) -> None:
    account = factory.account()
    live, test = factory.key(account), factory.key(account, mode="test")
    live_cert = factory.certificate(live)
    test_cert = factory.certificate(test)
    assert (
        client.get(f"/api/v1/certificates/{live_cert.id}", headers=test.headers).status_code == 404
    )
    assert (
        client.get(f"/api/v1/certificates/{test_cert.id}", headers=live.headers).status_code == 404
    )
    assert [
        c["id"]
        for c in client.get("/api/v1/certificates", headers=test.headers).json()["certificates"]
    ] == [test_cert.id]
    verify = client.get(f"/api/v1/verify?sha256={live_cert.sha256}", headers=test.headers).json()
    assert verify["verified"] is False


def test_sandbox_certificate_is_readable_by_anyone(client: TestClient, factory: Factory) -> None:
    for headers in ({}, factory.key().headers, factory.key(mode="test").headers):
        response = client.get("/api/v1/certificates/cer_test_synthetic", headers=headers)
        assert response.status_code == 200
        assert response.json()["status"] == "active"
        status = client.get(
            "/api/v1/certificates/cer_test_synthetic/status?no_cache=true", headers=headers
        )
        assert status.status_code == 200
        assert status.headers["cache-control"] == "no-store"
        assert set(status.json()) == {"id", "status", "updated_at", "sequence"}


def test_without_a_key_other_certificates_are_unauthorized_not_revealed(
    client: TestClient, factory: Factory
) -> None:
    cert = factory.certificate()
    known = client.get(f"/api/v1/certificates/{cert.id}")
    unknown = client.get("/api/v1/certificates/cer_01KS9QWHV7PHETYGQAYMHB3DM6")
    assert known.status_code == unknown.status_code == 401


def test_other_workspaces_see_public_fields_only(client: TestClient, factory: Factory) -> None:
    owner = factory.key()
    cert = factory.certificate(owner, audio_file_name="master.wav")
    mine = client.get(f"/api/v1/certificates/{cert.id}", headers=owner.headers).json()
    theirs = client.get(f"/api/v1/certificates/{cert.id}", headers=factory.key().headers).json()
    assert mine["audio_file_name"] == "master.wav"
    assert "audio_file_name" not in theirs
    assert "account_id" not in theirs
    assert theirs["sha256_fingerprint"] == cert.sha256


def test_lookup_by_number_and_not_found(client: TestClient, factory: Factory) -> None:
    key = factory.key()
    cert = factory.certificate(key)
    by_number = client.get(
        f"/api/v1/certificates/{cert.certificate_number.lower()}", headers=key.headers
    )
    assert by_number.json()["id"] == cert.id
    for ident in ("cer_01KS9QWHV7PHETYGQAYMHB3DM6", "SS-2026-AAAAAAAA", "bogus"):
        response = client.get(f"/api/v1/certificates/{ident}", headers=key.headers)
        assert response.status_code == 404
        assert response.json()["code"] == "not_found"


def test_status_is_cacheable_for_at_most_five_minutes(client: TestClient, factory: Factory) -> None:
    key = factory.key()
    cert = factory.certificate(key)
    cached = client.get(f"/api/v1/certificates/{cert.id}/status", headers=key.headers)
    assert cached.headers["cache-control"] == "private, max-age=300"
    assert cached.json() == {
        "id": cert.id,
        "status": "active",
        "updated_at": cached.json()["updated_at"],
        "sequence": cert.sequence,
    }
    fresh = client.get(f"/api/v1/certificates/{cert.id}/status?no_cache=true", headers=key.headers)
    assert fresh.headers["cache-control"] == "no-store"


def test_revoke_records_time_reason_history_and_the_feed(
    client: TestClient, factory: Factory
) -> None:
    key = factory.key()
    cert = factory.certificate(key)
    response = client.post(
        f"/api/v1/certificates/{cert.id}/revoke",
        json={"reason": "Sample not cleared"},
        headers=key.headers,
    )
    assert response.status_code == 200
    revoked = response.json()["certificate"]
    assert revoked["status"] == "revoked"
    assert revoked["revocation_reason"] == "Sample not cleared"
    assert revoked["revoked_at"]
    again = client.post(
        f"/api/v1/certificates/{cert.id}/revoke", json={"reason": "x"}, headers=key.headers
    )
    assert again.status_code == 409
    assert again.json()["code"] == "already_revoked"
    versions = client.get(f"/api/v1/certificates/{cert.id}/versions", headers=key.headers).json()[
        "versions"
    ]
    assert [(v["version"], v["change"], v["snapshot"]["status"]) for v in versions] == [
        (1, "created", "active"),
        (2, "revoked", "revoked"),
    ]
    status = client.get(f"/api/v1/certificates/{cert.id}/status", headers=key.headers).json()
    feed = client.get("/api/v1/certificates/changes", headers=key.headers).json()
    assert feed["changes"][-1]["type"] == "certificate.revoked"
    assert feed["changes"][-1]["sequence"] == status["sequence"] == feed["last_sequence"]


def test_only_the_owner_can_revoke(client: TestClient, factory: Factory) -> None:
    cert = factory.certificate()
    response = client.post(
        f"/api/v1/certificates/{cert.id}/revoke",
        json={"reason": "mine now"},
        headers=factory.key().headers,
    )
    assert response.status_code == 404
    owner_view = client.get("/api/v1/certificates/cer_test_synthetic").json()
    assert owner_view["status"] == "active"


def test_list_paginates_by_offset_and_cursor_and_filters(
    client: TestClient, factory: Factory
) -> None:
    key = factory.key()
    made = [
        factory.certificate(key, artist_name=f"The {'Band' if i % 2 else 'Solo'} {i}")
        for i in range(7)
    ]
    newest_first = [c.id for c in reversed(made)]
    page = client.get("/api/v1/certificates?limit=3&offset=3", headers=key.headers).json()
    assert [c["id"] for c in page["certificates"]] == newest_first[3:6]
    assert page["pagination"] == {
        "total": 7,
        "limit": 3,
        "offset": 3,
        "has_more": True,
        "next_cursor": page["pagination"]["next_cursor"],
    }
    seen, cursor = [], None
    while True:
        query = "limit=2" + (f"&cursor={cursor}" if cursor else "")
        body = client.get(f"/api/v1/certificates?{query}", headers=key.headers).json()
        seen += [c["id"] for c in body["certificates"]]
        cursor = body["pagination"]["next_cursor"]
        if not cursor:
            assert body["pagination"]["has_more"] is False
            break
    assert seen == newest_first
    band = client.get("/api/v1/certificates?artist=band", headers=key.headers).json()
    assert band["pagination"]["total"] == 3
    client.post(
        f"/api/v1/certificates/{made[0].id}/revoke", json={"reason": "r"}, headers=key.headers
    )
    revoked = client.get("/api/v1/certificates?status=revoked", headers=key.headers).json()
    assert [c["id"] for c in revoked["certificates"]] == [made[0].id]
    assert (
        client.get("/api/v1/certificates?status=lost", headers=key.headers).json()["field"]
        == "status"
    )
    assert (
        client.get("/api/v1/certificates?cursor=garbage", headers=key.headers).json()["field"]
        == "cursor"
    )
    assert (
        client.get("/api/v1/certificates?artist=%25", headers=key.headers).json()["pagination"][
            "total"
        ]
        == 0
    )


def test_verify_by_number_sha256_and_isrc(client: TestClient, factory: Factory) -> None:
    key = factory.key()
    cert = factory.certificate(key, isrc="GXHE72600042")
    for query in (
        f"certificate_number={cert.certificate_number}",
        f"sha256={cert.sha256}",
        "isrc=gx-he7-26-00042",
    ):
        body = client.get(f"/api/v1/verify?{query}", headers=key.headers).json()
        assert body["verified"] is True, query
        assert body["certificate"]["certificate_number"] == cert.certificate_number
        assert body["certificate"]["declaration"] == "Original Work"
    posted = client.post("/api/v1/verify", json={"sha256": cert.sha256}, headers=key.headers).json()
    assert posted["verified"] is True
    missing = client.post(
        "/api/v1/verify", json={"sha256": sha256_of("none")}, headers=key.headers
    ).json()
    assert missing == {
        "verified": False,
        "message": "No matching certificate found for this hash",
        "sha256": sha256_of("none"),
    }
    client.post(f"/api/v1/certificates/{cert.id}/revoke", json={"reason": "r"}, headers=key.headers)
    after = client.get(f"/api/v1/verify?sha256={cert.sha256}", headers=key.headers).json()
    assert after["verified"] is False
    assert after["certificate"]["status"] == "revoked"


@pytest.mark.parametrize(
    "query", ["", "sha256=abc", "isrc=bad", f"sha256={sha256_of('a')}&isrc=GXHE72600042"]
)
def test_verify_refuses_bad_queries(client: TestClient, factory: Factory, query: str) -> None:
    response = client.get(f"/api/v1/verify?{query}", headers=factory.key().headers)
    assert response.status_code == 400
    assert response.json()["field"]
