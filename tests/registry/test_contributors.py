"""Contributors: invited by the owner, acknowledged once through a link whose token is
stored only as a hash; both steps in the certificate's history and the events outbox."""

from __future__ import annotations

import hashlib

import pytest
import sqlalchemy as sa

from soundseal.db import Database
from soundseal.db.base import utcnow
from soundseal.errors import Conflict, InvalidInput, NotFound
from soundseal.registry.certificates.models import Certificate
from soundseal.registry.certificates.services import list_versions
from soundseal.registry.contributors.models import Contributor
from soundseal.registry.contributors.services import (
    acknowledge,
    find_by_token,
    invite_contributor,
    list_contributors,
)
from soundseal.registry.events.services import list_events
from tests.factories import BASE_URL, Factory


def test_inviting_records_history_and_an_event_and_keeps_only_a_hash(
    database: Database, factory: Factory
) -> None:
    cert = factory.certificate()
    contributor, token = factory.contributor(cert)
    assert contributor.id.startswith("ctb_")
    assert contributor.status == "pending"
    assert token.startswith("ack_")
    assert len(token) > 40
    with database.engine.connect() as conn:
        stored = conn.execute(sa.select(Contributor.token_hash)).scalar_one()
    assert stored == hashlib.sha256(token.encode()).hexdigest()
    with database.transaction(write=False) as session:
        versions = list_versions(session, cert.id)
        (event,) = [
            e
            for e in list_events(session, account_id=cert.account_id, mode="live")
            if e.type.startswith("contributor.")
        ]
    assert [v.change for v in versions] == ["created", "contributor.invited"]
    assert versions[-1].snapshot["contributor"]["name"] == "John Producer"
    assert event.type == "contributor.invited"
    assert event.data == {
        "contributor_id": contributor.id,
        "contributor_name": "John Producer",
        "role": "Producer",
        "certificate_id": cert.id,
        "certificate_number": cert.certificate_number,
        "status": "pending",
    }


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"name": " "}, "name"),
        ({"role": ""}, "role"),
        ({"role": "r" * 101}, "role"),
        ({"email": "john.example.com"}, "email"),
    ],
)
def test_each_invalid_field_is_refused_by_name(
    database: Database, factory: Factory, fields: dict[str, str], field: str
) -> None:
    cert = factory.certificate()
    values = {"name": "John", "role": "Producer", "email": "john@example.com", **fields}
    with database.transaction() as session:
        row = session.get(Certificate, cert.id)
        assert row is not None
        with pytest.raises(InvalidInput) as caught:
            invite_contributor(session, row, actor="k", now=utcnow(), **values)
    assert caught.value.field == field


def test_a_link_acknowledges_once(database: Database, factory: Factory) -> None:
    cert = factory.certificate()
    contributor, token = factory.contributor(cert)
    with database.transaction(write=False) as session:
        assert find_by_token(session, token).id == contributor.id
    with database.transaction() as session:
        acknowledge(session, token, now=utcnow(), base_url=BASE_URL)
    with database.transaction() as session, pytest.raises(Conflict) as again:
        acknowledge(session, token, now=utcnow(), base_url=BASE_URL)
    assert again.value.code == "link_used"
    with database.transaction(write=False) as session, pytest.raises(NotFound):
        find_by_token(session, token)
    with database.transaction(write=False) as session:
        (row,) = list_contributors(session, cert.id, acknowledged_only=True)
        assert (row.status, row.token_hash) == ("acknowledged", None)
        assert row.acknowledged_at is not None
        assert [v.change for v in list_versions(session, cert.id)][-1] == (
            "contributor.acknowledged"
        )
        events = list_events(session, account_id=cert.account_id, mode="live")
    assert [e.type for e in events][-2:] == ["contributor.acknowledged", "certificate.updated"]
    # The certificate's credits changed: its new version, said as an update.
    assert events[-1].data["changes"] == ["contributors"]
    assert events[-1].data["version"] > 1


def test_an_unknown_link_is_refused(database: Database, factory: Factory) -> None:
    factory.contributor(factory.certificate())
    with database.transaction() as session, pytest.raises(Conflict):
        acknowledge(session, "ack_made-up", now=utcnow(), base_url=BASE_URL)
    with database.transaction(write=False) as session, pytest.raises(NotFound):
        find_by_token(session, "ack_made-up")


def test_pending_contributors_are_listed_but_not_as_acknowledged(
    database: Database, factory: Factory
) -> None:
    cert = factory.certificate()
    first, _ = factory.contributor(cert, name="A")
    second, token = factory.contributor(cert, name="B", role="Writer")
    with database.transaction() as session:
        acknowledge(session, token, now=utcnow(), base_url=BASE_URL)
    with database.transaction(write=False) as session:
        assert [c.id for c in list_contributors(session, cert.id)] == [first.id, second.id]
        assert [c.id for c in list_contributors(session, cert.id, acknowledged_only=True)] == [
            second.id
        ]


def test_a_revoked_certificate_takes_no_new_contributors(
    database: Database, factory: Factory
) -> None:
    cert = factory.revoke(factory.certificate())
    with pytest.raises(InvalidInput) as caught:
        factory.contributor(cert)
    assert caught.value.field == "certificate"
