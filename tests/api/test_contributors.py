"""`/api/v1/certificates/{id}/contributors` and the contributors of deep verification."""

from __future__ import annotations

from typing import Any

import pytest
from starlette.testclient import TestClient

from soundseal.db import Database
from soundseal.db.base import utcnow
from soundseal.registry.contributors.services import acknowledge
from soundseal.registry.events.services import list_events
from tests.factories import BASE_URL, Factory, Key

INVITE = {"name": "John Producer", "role": "Producer", "email": "john@example.com"}


def invite(client: TestClient, key: Key, cert_id: str, **fields: Any) -> Any:
    return client.post(
        f"/api/v1/certificates/{cert_id}/contributors",
        json={**INVITE, **fields},
        headers=key.headers,
    )


def test_the_owner_invites_and_gets_the_link_once(
    client: TestClient, factory: Factory, database: Database
) -> None:
    key = factory.key()
    cert = factory.certificate(key)
    response = invite(client, key, cert.certificate_number)
    assert response.status_code == 201, response.text
    contributor = response.json()["contributor"]
    assert contributor["id"].startswith("ctb_")
    assert contributor["status"] == "pending"
    assert contributor["email"] == "john@example.com"
    link = contributor["acknowledgement_url"]
    assert link.startswith("https://registry.test/contributors/ack/ack_")
    listed = client.get(f"/api/v1/certificates/{cert.id}/contributors", headers=key.headers)
    (row,) = listed.json()["contributors"]
    assert row["id"] == contributor["id"]
    assert "acknowledgement_url" not in row
    assert link.rsplit("/", 1)[1] not in listed.text
    with database.transaction(write=False) as session:
        types = [e.type for e in list_events(session, account_id=key.account_id, mode="live")]
    assert types[-1] == "contributor.invited"
    versions = client.get(f"/api/v1/certificates/{cert.id}/versions", headers=key.headers)
    assert versions.json()["versions"][-1]["change"] == "contributor.invited"


@pytest.mark.parametrize(
    ("fields", "field"),
    [({"name": ""}, "name"), ({"role": " "}, "role"), ({"email": "john"}, "email")],
)
def test_bad_input_is_400_naming_the_field(
    client: TestClient, factory: Factory, fields: dict[str, str], field: str
) -> None:
    key = factory.key()
    cert = factory.certificate(key)
    response = invite(client, key, cert.id, **fields)
    assert (response.status_code, response.json()["field"]) == (400, field)
    listed = client.get(f"/api/v1/certificates/{cert.id}/contributors", headers=key.headers)
    assert listed.json()["contributors"] == []


def test_only_the_owner_invites_and_others_see_acknowledged_contributors_only(
    client: TestClient, factory: Factory, database: Database
) -> None:
    owner, other = factory.key(), factory.key()
    cert = factory.certificate(owner)
    assert invite(client, other, cert.id).status_code == 404
    test_key = factory.key(owner.account_id, mode="test")
    assert invite(client, test_key, cert.id).status_code == 404
    pending = invite(client, owner, cert.id, name="Pending Person").json()["contributor"]
    confirmed = invite(client, owner, cert.id).json()["contributor"]
    with database.transaction() as session:
        acknowledge(
            session,
            confirmed["acknowledgement_url"].rsplit("/", 1)[1],
            now=utcnow(),
            base_url=BASE_URL,
        )
    seen = client.get(f"/api/v1/certificates/{cert.id}/contributors", headers=other.headers)
    assert [c["id"] for c in seen.json()["contributors"]] == [confirmed["id"]]
    assert "email" not in seen.json()["contributors"][0]
    mine = client.get(f"/api/v1/certificates/{cert.id}/contributors", headers=owner.headers)
    assert [c["id"] for c in mine.json()["contributors"]] == [pending["id"], confirmed["id"]]
    hidden = client.get(f"/api/v1/certificates/{cert.id}/contributors", headers=test_key.headers)
    assert hidden.status_code == 404


def test_deep_verification_lists_the_contributors(
    client: TestClient, factory: Factory, database: Database
) -> None:
    owner, other = factory.key(), factory.key()
    cert = factory.certificate(owner)
    factory.contributor(cert, name="Still Pending")
    _, token = factory.contributor(cert, name="Mia Mixer", role="Mixing engineer")
    with database.transaction() as session:
        acknowledge(session, token, now=utcnow(), base_url=BASE_URL)
    query = {"certificate_number": cert.certificate_number}
    mine = client.get("/api/v1/verify/deep", params=query, headers=owner.headers).json()
    assert [(c["name"], c["status"]) for c in mine["contributors"]] == [
        ("Still Pending", "pending"),
        ("Mia Mixer", "acknowledged"),
    ]
    theirs = client.get("/api/v1/verify/deep", params=query, headers=other.headers).json()
    (shown,) = theirs["contributors"]
    assert (shown["name"], shown["role"]) == ("Mia Mixer", "Mixing engineer")
    assert "email" not in shown
    assert [v["change"] for v in theirs["version_history"]] == [
        "created",
        "contributor.invited",
        "contributor.invited",
        "contributor.acknowledged",
    ]
    invited = theirs["version_history"][1]["snapshot"]["contributor"]
    assert "name" not in invited  # not confirmed by the person: the owner's to see
    assert theirs["version_history"][3]["snapshot"]["contributor"]["name"] == "Mia Mixer"
