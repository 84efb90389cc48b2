"""`/api/v1/claims`: filing, listing, reading, responding and resolving over HTTP."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient

from soundseal.db import Database
from soundseal.db.base import utcnow
from soundseal.registry.certificates.models import Certificate
from soundseal.registry.events.services import list_events
from soundseal.settings import Settings
from tests.conftest import make_settings
from tests.factories import Factory, Key

OPERATOR_KEY = "op-" + "s3cret" * 8
OPERATOR = {"Authorization": f"Bearer {OPERATOR_KEY}"}


@pytest.fixture
def settings(database: Database, tmp_path: Path) -> Settings:
    return make_settings(database, tmp_path, operator_key=OPERATOR_KEY)


def claim_body(certificate: str, **fields: Any) -> dict[str, Any]:
    return {
        "certificate": certificate,
        "type": "ownership",
        "description": "I am the original author of this recording.",
        "claimant_name": "Jane Doe",
        "claimant_email": "jane@example.com",
        **fields,
    }


def file(client: TestClient, key: Key, certificate: str, **fields: Any) -> Any:
    return client.post(
        "/api/v1/claims", json=claim_body(certificate, **fields), headers=key.headers
    )


def _event_types(database: Database, account_id: str) -> list[str]:
    with database.transaction(write=False) as session:
        return [e.type for e in list_events(session, account_id=account_id, mode="live")]


def test_anyone_with_claims_write_files_by_id_or_number(
    client: TestClient, factory: Factory, database: Database
) -> None:
    owner = factory.key()
    cert = factory.certificate(owner)
    claimant = factory.key()
    by_id = file(client, claimant, cert.id)
    assert by_id.status_code == 201, by_id.text
    claim = by_id.json()["claim"]
    assert claim["id"].startswith("clm_")
    assert claim["status"] == "pending"
    assert claim["type"] == "ownership"
    assert claim["claimant"] == {"name": "Jane Doe", "email": "jane@example.com"}
    assert claim["certificate"]["certificate_number"] == cert.certificate_number
    assert claim["certificate"]["track_title"] == cert.track_title
    assert claim["response_deadline"].endswith("Z")
    assert claim["response"] is None
    assert claim["resolution"] is None
    by_number = file(client, claimant, cert.certificate_number, type="ai_use")
    assert by_number.status_code == 201
    assert by_number.json()["claim"]["certificate"]["id"] == cert.id
    # The certificate's owner is told, not the filer.
    assert _event_types(database, owner.account_id)[-2:] == ["claim.filed", "claim.filed"]
    assert "claim.filed" not in _event_types(database, claimant.account_id)


def test_the_deadline_follows_the_setting(
    database: Database, factory: Factory, tmp_path: Path
) -> None:
    from soundseal.app import create_app

    app = create_app(make_settings(database, tmp_path, claim_response_days=3), database)
    key = factory.key()
    cert = factory.certificate(key)
    with TestClient(app) as client:
        claim = file(client, key, cert.id).json()["claim"]
    assert claim["response_deadline"] > (utcnow() + timedelta(days=2)).isoformat()
    assert claim["response_deadline"] < (utcnow() + timedelta(days=3, minutes=1)).isoformat()


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"type": "piracy"}, "type"),
        ({"description": ""}, "description"),
        ({"description": "x" * 5001}, "description"),
        ({"claimant_name": "  "}, "claimant_name"),
        ({"claimant_email": "jane"}, "claimant_email"),
        ({"certificate": "cer_01J0000000000000000000000Z"}, "certificate"),
        ({"certificate": "SS-2026-NOTTHERE"}, "certificate"),
        ({"unexpected": 1}, "unexpected"),
    ],
)
def test_bad_input_is_400_naming_the_field_and_writes_nothing(
    client: TestClient,
    factory: Factory,
    database: Database,
    fields: dict[str, Any],
    field: str,
) -> None:
    key = factory.key()
    cert = factory.certificate(key)
    body = {**claim_body(cert.id), **fields}
    response = client.post("/api/v1/claims", json=body, headers=key.headers)
    assert response.status_code == 400, response.text
    assert response.json()["code"] == "bad_request"
    assert response.json()["field"] == field
    assert _event_types(database, key.account_id) == ["certificate.created"]
    assert client.get("/api/v1/claims", headers=key.headers).json()["pagination"]["total"] == 0


def test_missing_fields_and_a_non_object_body_are_400(client: TestClient, factory: Factory) -> None:
    key = factory.key()
    response = client.post("/api/v1/claims", json={"type": "credit"}, headers=key.headers)
    assert response.status_code == 400
    assert response.json()["field"] == "certificate"
    response = client.post("/api/v1/claims", json=["x"], headers=key.headers)
    assert (response.status_code, response.json()["field"]) == (400, "body")


def test_scopes_and_key_kinds(client: TestClient, factory: Factory) -> None:
    owner = factory.key()
    cert = factory.certificate(owner)
    read_only = factory.key(owner.account_id, scopes="claims:read")
    response = file(client, read_only, cert.id)
    assert (response.status_code, response.json()["required_scope"]) == (403, "claims:write")
    publishable = factory.key(owner.account_id, kind="publishable")
    assert client.get("/api/v1/claims", headers=publishable.headers).status_code == 403
    assert client.get("/api/v1/claims").status_code == 401


def test_test_keys_see_only_test_certificates_and_claims(
    client: TestClient, factory: Factory
) -> None:
    account = factory.account()
    live, test = factory.key(account), factory.key(account, mode="test")
    live_cert, test_cert = factory.certificate(live), factory.certificate(test)
    assert file(client, test, live_cert.id).json()["field"] == "certificate"
    assert file(client, live, test_cert.id).json()["field"] == "certificate"
    live_claim = file(client, live, live_cert.id).json()["claim"]
    test_claim = file(client, test, test_cert.id).json()["claim"]
    assert test_claim["id"].startswith("clm_test_")
    assert test_claim["livemode"] is False
    listed = client.get("/api/v1/claims", headers=test.headers).json()["claims"]
    assert [c["id"] for c in listed] == [test_claim["id"]]
    assert client.get(f"/api/v1/claims/{live_claim['id']}", headers=test.headers).status_code == 404


def test_a_workspace_never_sees_or_answers_another_workspaces_claims(
    client: TestClient, factory: Factory
) -> None:
    owner, other = factory.key(), factory.key()
    claim = factory.claim(factory.certificate(owner))
    assert client.get(f"/api/v1/claims/{claim.id}", headers=owner.headers).status_code == 200
    assert client.get(f"/api/v1/claims/{claim.id}", headers=other.headers).status_code == 404
    assert client.get("/api/v1/claims", headers=other.headers).json()["claims"] == []
    answer = client.post(
        f"/api/v1/claims/{claim.id}/respond", json={"response": "Mine"}, headers=other.headers
    )
    assert answer.status_code == 404
    assert client.get("/api/v1/claims/clm_nope", headers=owner.headers).status_code == 404


def test_list_pages_and_filters_as_the_vendor_doc(client: TestClient, factory: Factory) -> None:
    key = factory.key()
    one, two = factory.certificate(key), factory.certificate(key)
    ids = [factory.claim(one).id for _ in range(3)]
    ids.append(factory.claim(two, type="credit").id)
    newest_first = ids[::-1]

    def listed(**query: Any) -> Any:
        response = client.get("/api/v1/claims", params=query, headers=key.headers)
        assert response.status_code == 200, response.text
        return response.json()

    body = listed()
    assert [c["id"] for c in body["claims"]] == newest_first
    assert body["pagination"] == {
        "total": 4,
        "limit": 20,
        "offset": 0,
        "has_more": False,
        "next_cursor": None,
        "next_starting_after": None,
    }
    first = listed(limit=3)
    assert first["pagination"]["has_more"] is True
    assert first["pagination"]["next_starting_after"] == newest_first[2]
    rest = listed(limit=3, starting_after=first["pagination"]["next_starting_after"])
    assert [c["id"] for c in rest["claims"]] == newest_first[3:]
    assert [c["id"] for c in listed(limit=2, offset=2)["claims"]] == newest_first[2:]
    assert [c["id"] for c in listed(type="credit")["claims"]] == [ids[3]]
    assert [c["id"] for c in listed(certificate=two.certificate_number)["claims"]] == [ids[3]]
    assert listed(status="pending")["pagination"]["total"] == 4
    assert listed(status="resolved")["claims"] == []
    for query, field in (
        ({"status": "open"}, "status"),
        ({"type": "x"}, "type"),
        ({"limit": 101}, "limit"),
        ({"offset": -1}, "offset"),
        ({"starting_after": "cer_x"}, "starting_after"),
        ({"certificate": "SS-2026-NOTTHERE"}, "certificate"),
    ):
        response = client.get("/api/v1/claims", params=query, headers=key.headers)
        assert (response.status_code, response.json()["field"]) == (400, field), query


def test_the_owner_responds_once(client: TestClient, factory: Factory, database: Database) -> None:
    key = factory.key()
    cert = factory.certificate(key)
    claim = factory.claim(cert)
    path = f"/api/v1/claims/{claim.id}/respond"
    empty = client.post(path, json={"response": " "}, headers=key.headers)
    assert (empty.status_code, empty.json()["field"]) == (400, "response")
    answered = client.post(path, json={"response": "Session files attached."}, headers=key.headers)
    assert answered.status_code == 200, answered.text
    view = answered.json()["claim"]
    assert view["status"] == "responded"
    assert view["response"]["text"] == "Session files attached."
    again = client.post(path, json={"response": "And again"}, headers=key.headers)
    assert (again.status_code, again.json()["code"]) == (409, "claim_closed")
    assert _event_types(database, key.account_id)[-1] == "claim.responded"
    history = client.get(f"/api/v1/certificates/{cert.id}/versions", headers=key.headers).json()
    assert [v["change"] for v in history["versions"]] == [
        "created",
        "claim.filed",
        "claim.responded",
    ]
    assert history["versions"][-1]["actor"] == key.id


def test_an_overdue_claim_reads_as_expired_and_cannot_be_answered(
    client: TestClient, factory: Factory
) -> None:
    key = factory.key()
    claim = factory.claim(factory.certificate(key), now=utcnow() - timedelta(days=15))
    view = client.get(f"/api/v1/claims/{claim.id}", headers=key.headers).json()["claim"]
    assert view["status"] == "expired"
    pending = client.get("/api/v1/claims", params={"status": "pending"}, headers=key.headers)
    assert pending.json()["claims"] == []
    expired = client.get("/api/v1/claims", params={"status": "expired"}, headers=key.headers)
    assert [c["id"] for c in expired.json()["claims"]] == [claim.id]
    late = client.post(
        f"/api/v1/claims/{claim.id}/respond", json={"response": "Late"}, headers=key.headers
    )
    assert (late.status_code, late.json()["code"]) == (409, "claim_closed")


def test_the_operator_upholds_and_the_certificate_is_revoked(
    client: TestClient, factory: Factory, database: Database
) -> None:
    key = factory.key()
    cert = factory.certificate(key)
    claim = factory.claim(cert)
    response = client.post(
        f"/api/v1/claims/{claim.id}/resolve",
        json={"outcome": "upheld", "note": "Evidence checked"},
        headers=OPERATOR,
    )
    assert response.status_code == 200, response.text
    view = response.json()["claim"]
    assert view["status"] == "resolved"
    assert view["resolution"]["outcome"] == "upheld"
    assert view["certificate"]["status"] == "revoked"
    read = client.get(f"/api/v1/certificates/{cert.id}", headers=key.headers).json()
    assert read["status"] == "revoked"
    assert claim.id in read["revocation_reason"]
    versions = client.get(f"/api/v1/certificates/{cert.id}/versions", headers=key.headers).json()
    assert [v["change"] for v in versions["versions"]][-2:] == ["claim.resolved", "revoked"]
    assert versions["versions"][-2]["snapshot"]["claim"]["id"] == claim.id
    assert _event_types(database, key.account_id)[-2:] == ["claim.resolved", "certificate.revoked"]
    again = client.post(
        f"/api/v1/claims/{claim.id}/resolve",
        json={"outcome": "dismissed", "note": "n"},
        headers=OPERATOR,
    )
    assert again.status_code == 409


def test_the_operator_dismisses_and_the_certificate_stands(
    client: TestClient, factory: Factory, database: Database
) -> None:
    cert = factory.certificate()
    claim = factory.claim(cert)
    bad = client.post(
        f"/api/v1/claims/{claim.id}/resolve",
        json={"outcome": "sustained", "note": "n"},
        headers=OPERATOR,
    )
    assert (bad.status_code, bad.json()["field"]) == (400, "outcome")
    response = client.post(
        f"/api/v1/claims/{claim.id}/resolve",
        json={"outcome": "dismissed", "note": "No evidence"},
        headers=OPERATOR,
    )
    assert response.json()["claim"]["resolution"]["outcome"] == "dismissed"
    with database.transaction(write=False) as session:
        row = session.get(Certificate, cert.id)
        assert row is not None
        assert row.status == "active"


def test_workspace_keys_cannot_resolve(client: TestClient, factory: Factory) -> None:
    key = factory.key()
    claim = factory.claim(factory.certificate(key))
    body = {"outcome": "dismissed", "note": "Mine anyway"}
    own = client.post(f"/api/v1/claims/{claim.id}/resolve", json=body, headers=key.headers)
    assert (own.status_code, own.json()["required_scope"]) == (403, "operator")
    wrong = client.post(
        f"/api/v1/claims/{claim.id}/resolve", json=body, headers={"X-API-Key": "op-guess" * 6}
    )
    assert wrong.status_code == 401
    assert client.post(f"/api/v1/claims/{claim.id}/resolve", json=body).status_code == 401


def test_without_an_operator_key_configured_nobody_resolves_over_http(
    database: Database, factory: Factory, tmp_path: Path
) -> None:
    from soundseal.app import create_app

    app = create_app(make_settings(database, tmp_path), database)
    claim = factory.claim(factory.certificate())
    with TestClient(app) as client:
        response = client.post(
            f"/api/v1/claims/{claim.id}/resolve",
            json={"outcome": "upheld", "note": "n"},
            headers=OPERATOR,
        )
    assert response.status_code == 401


def test_the_list_pages_by_cursor_like_every_other_list(
    client: TestClient, factory: Factory
) -> None:
    key = factory.key()
    cert = factory.certificate(key)
    newest_first = [factory.claim(cert).id for _ in range(5)][::-1]

    def listed(**query: Any) -> Any:
        response = client.get("/api/v1/claims", params=query, headers=key.headers)
        assert response.status_code == 200, response.text
        return response.json()

    seen: list[str] = []
    page = listed(limit=2)
    while True:
        seen.extend(c["id"] for c in page["claims"])
        cursor = page["pagination"]["next_cursor"]
        if cursor is None:
            assert page["pagination"]["has_more"] is False
            break
        assert page["pagination"]["has_more"] is True
        page = listed(limit=2, cursor=cursor)
    assert seen == newest_first
    # Offset keeps working, and the two do not mix.
    assert [c["id"] for c in listed(limit=2, offset=3)["claims"]] == newest_first[3:]
    cursor = listed(limit=2)["pagination"]["next_cursor"]
    for query in ({"cursor": cursor, "offset": 1}, {"cursor": "not-a-cursor"}):
        response = client.get("/api/v1/claims", params=query, headers=key.headers)
        assert (response.status_code, response.json()["field"]) == (400, "cursor"), query


def test_a_certificates_cursor_is_not_a_claims_cursor(client: TestClient, factory: Factory) -> None:
    key = factory.key()
    for _ in range(3):
        factory.certificate(key)
    page = client.get("/api/v1/certificates", params={"limit": 1}, headers=key.headers).json()
    cursor = page["pagination"]["next_cursor"]
    response = client.get("/api/v1/claims", params={"cursor": cursor}, headers=key.headers)
    assert (response.status_code, response.json()["field"]) == (400, "cursor")


def test_the_claimant_is_accepted_as_claims_are_returned(
    client: TestClient, factory: Factory
) -> None:
    key = factory.key()
    cert = factory.certificate(key)
    body = claim_body(cert.id)
    del body["claimant_name"], body["claimant_email"]
    body["claimant"] = {"name": "Jane Doe", "email": "Jane@Example.com"}
    response = client.post("/api/v1/claims", json=body, headers=key.headers)
    assert response.status_code == 201, response.text
    claim = response.json()["claim"]
    assert claim["claimant"] == {"name": "Jane Doe", "email": "jane@example.com"}
    # What a claim returns can be sent back as it is.
    again = {k: claim[k] for k in ("type", "description", "claimant")}
    response = client.post(
        "/api/v1/claims", json={**again, "certificate": cert.id}, headers=key.headers
    )
    assert response.status_code == 201, response.text


def test_both_claimant_forms_must_agree(
    client: TestClient, factory: Factory, database: Database
) -> None:
    key = factory.key()
    cert = factory.certificate(key)
    agreeing = claim_body(cert.id, claimant={"name": "Jane Doe", "email": "JANE@example.com"})
    response = client.post("/api/v1/claims", json=agreeing, headers=key.headers)
    assert response.status_code == 201, response.text
    for claimant in (
        {"name": "John Roe", "email": "jane@example.com"},
        {"name": "Jane Doe", "email": "john@example.com"},
    ):
        body = claim_body(cert.id, claimant=claimant)
        response = client.post("/api/v1/claims", json=body, headers=key.headers)
        assert response.status_code == 400, response.text
        assert response.json()["code"] == "bad_request"
        assert response.json()["field"] == "claimant"
        assert "disagree" in response.json()["error"]
    body = claim_body(cert.id)
    del body["claimant_email"]
    response = client.post("/api/v1/claims", json=body, headers=key.headers)
    assert (response.status_code, response.json()["field"]) == (400, "claimant_email")
    partial = claim_body(cert.id, claimant={"name": "Jane Doe"})
    response = client.post("/api/v1/claims", json=partial, headers=key.headers)
    assert (response.status_code, response.json()["field"]) == (400, "claimant.email")
    assert client.get("/api/v1/claims", headers=key.headers).json()["pagination"]["total"] == 1
