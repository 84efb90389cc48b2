"""Webhook endpoints and the delivery rows `emit` queues in the emitting transaction."""

from __future__ import annotations

import ipaddress

import pytest

from soundseal.db import Database
from soundseal.errors import InvalidInput
from soundseal.registry.events.services import emit
from soundseal.registry.webhooks.addresses import address_allowed, check_url
from soundseal.registry.webhooks.models import WebhookDelivery, WebhookEndpoint
from soundseal.registry.webhooks.services import Update, update_endpoint
from tests.factories import Factory

URL = "https://hooks.example.com/in"


def deliveries(database: Database, endpoint_id: str) -> list[WebhookDelivery]:
    with database.transaction(write=False) as session:
        query = session.query(WebhookDelivery).filter_by(endpoint_id=endpoint_id)
        return list(query.order_by(WebhookDelivery.id))


def test_an_event_is_queued_for_each_subscribed_endpoint_of_its_mode(
    database: Database, factory: Factory
) -> None:
    account = factory.account()
    live, test = factory.key(account), factory.key(account, mode="test")
    created, _ = factory.webhook(live, URL, events=["certificate.created"])
    revoked, _ = factory.webhook(live, URL, events=["certificate.revoked"])
    test_mode, _ = factory.webhook(test, URL, events=["certificate.created"])
    cert = factory.certificate(live)
    factory.revoke(cert)
    assert [d.status for d in deliveries(database, created)] == ["pending"]
    assert [d.status for d in deliveries(database, revoked)] == ["pending"]
    assert deliveries(database, test_mode) == []


def test_a_rolled_back_change_queues_no_delivery(database: Database, factory: Factory) -> None:
    key = factory.key()
    endpoint_id, _ = factory.webhook(key, URL, events=["credits.used"])

    def emit_then_fail() -> None:
        with database.transaction() as session:
            emit(session, account_id=key.account_id, mode="live", type="credits.used", data={})
            raise RuntimeError("abort before the commit")

    with pytest.raises(RuntimeError):
        emit_then_fail()
    assert deliveries(database, endpoint_id) == []


def test_switched_off_endpoints_get_nothing_failing_ones_get_dead_letters(
    database: Database, factory: Factory
) -> None:
    key = factory.key()
    manual, _ = factory.webhook(key, URL, events=["credits.used"])
    failing, _ = factory.webhook(key, URL, events=["credits.used"])
    with database.transaction() as session:
        endpoint = session.get(WebhookEndpoint, manual)
        assert endpoint is not None
        update_endpoint(session, endpoint, Update(is_active=False), allow_private=True)
        session.query(WebhookEndpoint).filter_by(id=failing).update(
            {"is_active": False, "disabled_reason": "failing"}
        )
    with database.transaction() as session:
        emit(session, account_id=key.account_id, mode="live", type="credits.used", data={})
    assert deliveries(database, manual) == []
    assert [d.status for d in deliveries(database, failing)] == ["dead"]
    with database.transaction() as session:
        endpoint = session.get(WebhookEndpoint, failing)
        assert endpoint is not None
        update_endpoint(session, endpoint, Update(is_active=True), allow_private=True)
    (requeued,) = deliveries(database, failing)
    assert requeued.status == "pending"
    assert requeued.next_attempt_at is not None


@pytest.mark.parametrize(
    ("address", "allowed"),
    [
        ("93.184.216.34", True),
        ("2606:2800:220:1:248:1893:25c8:1946", True),
        ("127.0.0.1", False),
        ("10.0.0.1", False),
        ("172.16.5.4", False),
        ("192.168.1.1", False),
        ("169.254.169.254", False),
        ("100.64.0.1", False),
        ("100.100.100.200", False),
        ("224.0.0.1", False),
        ("240.0.0.1", False),
        ("0.0.0.0", False),
        ("255.255.255.255", False),
        ("::1", False),
        ("::", False),
        ("fe80::1", False),
        ("fc00::1", False),
        ("fd00:ec2::254", False),
        ("ff02::1", False),
        ("::ffff:127.0.0.1", False),
        ("::ffff:93.184.216.34", True),
        ("64:ff9b::a00:1", False),
    ],
)
def test_address_rules(address: str, allowed: bool) -> None:
    assert address_allowed(ipaddress.ip_address(address)) is allowed


def test_allow_private_lifts_the_address_and_scheme_rules_only() -> None:
    assert check_url("http://127.0.0.1:8080/x", allow_private=True)
    with pytest.raises(InvalidInput):
        check_url("ftp://127.0.0.1/x", allow_private=True)
    with pytest.raises(InvalidInput):
        check_url("http://127.0.0.1/x", allow_private=False)
