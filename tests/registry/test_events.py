"""Events are written in the transaction of the change that causes them (the outbox)."""

from __future__ import annotations

import pytest

from soundseal.db import Database
from soundseal.registry.certificates.services import get_certificate, revoke_certificate
from soundseal.registry.events.services import emit, event_payload, list_events
from tests.factories import BASE_URL, Factory


def test_issuing_and_revoking_a_certificate_each_record_an_event(
    database: Database, factory: Factory
) -> None:
    key = factory.key()
    cert = factory.certificate(key, isrc="US-S1Z-99-00001")
    factory.revoke(cert, reason="Wrong master")
    with database.transaction(write=False) as session:
        events = list_events(session, account_id=key.account_id, mode="live")
        payloads = [event_payload(e) for e in events]
    assert [p["event"] for p in payloads] == ["certificate.created", "certificate.revoked"]
    created, revoked = payloads
    assert created["id"].startswith("evt_")
    assert created["id"] != revoked["id"]
    assert created["timestamp"].endswith("Z")
    assert created["livemode"] is True
    assert created["data"] == {
        "certificate_id": cert.id,
        "certificate_number": cert.certificate_number,
        "track_title": cert.track_title,
        "artist_name": cert.artist_name,
        "status": "active",
        "isrc": "USS1Z9900001",
        "sha256_fingerprint": cert.sha256,
        "verification_url": f"{BASE_URL}/verify/{cert.certificate_number}",
        "version": 1,
        "revocation_reason": None,
    }
    assert revoked["data"]["status"] == "revoked"
    assert revoked["data"]["revocation_reason"] == "Wrong master"
    assert revoked["data"]["version"] == 2


def test_a_rolled_back_change_leaves_no_event(database: Database, factory: Factory) -> None:
    key = factory.key()
    cert = factory.certificate(key)

    def revoke_then_fail() -> None:
        with database.transaction() as session:
            revoke_certificate(
                session,
                get_certificate(session, cert.id),
                reason="r",
                actor=None,
                base_url="",
                notary=factory.notary,
            )
            raise RuntimeError("abort after the revocation, before the commit")

    with pytest.raises(RuntimeError):
        revoke_then_fail()
    with database.transaction(write=False) as session:
        types = [e.type for e in list_events(session, account_id=key.account_id, mode="live")]
    assert types == ["certificate.created"]


def test_test_mode_events_are_kept_apart_and_marked(database: Database, factory: Factory) -> None:
    account = factory.account()
    factory.certificate(factory.key(account, mode="test"))
    with database.transaction(write=False) as session:
        assert list_events(session, account_id=account, mode="live") == []
        (event,) = list_events(session, account_id=account, mode="test")
        assert event.id.startswith("evt_test_")
        assert event_payload(event)["livemode"] is False


def test_an_undeclared_event_type_is_a_programming_error(
    database: Database, factory: Factory
) -> None:
    account = factory.account()
    with pytest.raises(ValueError, match="unknown event type"), database.transaction() as session:
        emit(session, account_id=account, mode="live", type="certificate.exploded", data={})
