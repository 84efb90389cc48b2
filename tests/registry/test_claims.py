"""Claims in the registry: filing, answering, resolving and expiring, each step in the
certificate's history and in the events outbox, inside the caller's transaction."""

from __future__ import annotations

from datetime import timedelta

import pytest

from soundseal.db import Database
from soundseal.db.base import utcnow
from soundseal.errors import Conflict, InvalidInput, NotFound
from soundseal.registry.certificates.models import Certificate
from soundseal.registry.certificates.services import list_versions
from soundseal.registry.claims.models import Claim
from soundseal.registry.claims.services import (
    NewClaim,
    expire_overdue_claims,
    file_claim,
    get_claim,
    list_claims,
    resolve_claim,
    respond_to_claim,
)
from soundseal.registry.claims.views import claim_view
from soundseal.registry.events.services import list_events
from tests.factories import BASE_URL, Factory

NOW = utcnow()


def _draft(certificate: str, **fields: str) -> NewClaim:
    values = {
        "type": "ownership",
        "description": "I wrote and recorded this.",
        "claimant_name": "Jane Doe",
        "claimant_email": "Jane@Example.com",
        **fields,
    }
    return NewClaim(certificate=certificate, **values)


def _file(database: Database, certificate: str, mode: str = "live", **fields: str) -> Claim:
    with database.transaction() as session:
        return file_claim(
            session,
            _draft(certificate, **fields),
            mode=mode,
            filed_by="key_x",
            response_window=timedelta(days=14),
            now=NOW,
        )


def _history(database: Database, cert_id: str) -> list[str]:
    with database.transaction(write=False) as session:
        return [v.change for v in list_versions(session, cert_id)]


def _events(database: Database, account_id: str, mode: str = "live") -> list[str]:
    with database.transaction(write=False) as session:
        return [e.type for e in list_events(session, account_id=account_id, mode=mode)]


def test_a_claim_is_filed_by_certificate_id_or_number(database: Database, factory: Factory) -> None:
    cert = factory.certificate()
    by_id = _file(database, cert.id)
    by_number = _file(database, cert.certificate_number.lower(), type="credit")
    assert by_id.id.startswith("clm_")
    assert not by_id.id.startswith("clm_test_")
    assert by_id.certificate_id == by_number.certificate_id == cert.id
    assert by_id.status == "pending"
    assert by_id.claimant_email == "jane@example.com"
    assert by_id.response_deadline == NOW + timedelta(days=14)
    assert _history(database, cert.id) == ["created", "claim.filed", "claim.filed"]
    assert _events(database, cert.account_id) == [
        "certificate.created",
        "claim.filed",
        "claim.filed",
    ]


def test_the_filed_event_carries_the_vendor_fields(database: Database, factory: Factory) -> None:
    cert = factory.certificate()
    claim = _file(database, cert.id)
    with database.transaction(write=False) as session:
        event = list_events(session, account_id=cert.account_id, mode="live")[-1]
        versions = list_versions(session, cert.id)
    assert event.data["claim_id"] == claim.id
    assert event.data["claim_type"] == "ownership"
    assert event.data["status"] == "pending"
    assert event.data["certificate_number"] == cert.certificate_number
    assert event.data["claimant_name"] == "Jane Doe"
    assert "claimant_email" not in event.data
    assert versions[-1].version == 2
    assert versions[-1].snapshot["claim"]["id"] == claim.id


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"type": "piracy"}, "type"),
        ({"description": "   "}, "description"),
        ({"description": "x" * 5001}, "description"),
        ({"claimant_name": ""}, "claimant_name"),
        ({"claimant_email": "not an email"}, "claimant_email"),
    ],
)
def test_each_invalid_field_is_refused_by_name(
    database: Database, factory: Factory, fields: dict[str, str], field: str
) -> None:
    cert = factory.certificate()
    with pytest.raises(InvalidInput) as caught:
        _file(database, cert.id, **fields)
    assert caught.value.field == field
    assert _history(database, cert.id) == ["created"]


def test_unknown_other_mode_sandbox_and_revoked_certificates_take_no_claims(
    database: Database, factory: Factory
) -> None:
    live = factory.certificate()
    test = factory.certificate(factory.key(mode="test"))
    revoked = factory.revoke(factory.certificate())
    for ident, mode in (
        ("cer_01J0000000000000000000000Z", "live"),
        ("nonsense", "live"),
        (live.id, "test"),
        (test.id, "live"),
        ("cer_test_synthetic", "test"),
        (revoked.id, "live"),
    ):
        with pytest.raises(InvalidInput) as caught:
            _file(database, ident, mode=mode)
        assert caught.value.field == "certificate"


def test_claims_are_listed_for_the_owner_only_with_filters_and_pages(
    database: Database, factory: Factory
) -> None:
    key = factory.key()
    one, two = factory.certificate(key), factory.certificate(key)
    claims = [_file(database, one.id), _file(database, two.id, type="ai_use")]
    claims += [_file(database, one.id, type="credit") for _ in range(3)]
    other = factory.certificate()
    _file(database, other.id)
    with database.transaction(write=False) as session:

        def ids(**kwargs: object) -> list[str]:
            page = list_claims(
                session,
                account_id=key.account_id,
                mode="live",
                now=NOW,
                **kwargs,  # type: ignore[arg-type]
            )
            return [c.id for c in page.claims]

        newest_first = [c.id for c in reversed(claims)]
        assert ids() == newest_first
        assert ids(type="ai_use") == [claims[1].id]
        assert ids(certificate=two.certificate_number) == [claims[1].id]
        assert ids(limit=2) == newest_first[:2]
        assert ids(limit=2, offset=2) == newest_first[2:4]
        assert ids(limit=2, starting_after=newest_first[1]) == newest_first[2:4]
        page = list_claims(session, account_id=key.account_id, mode="live", now=NOW, limit=4)
        assert (page.total, page.has_more) == (5, True)
        assert ids(status="responded") == []
        assert list_claims(session, account_id=key.account_id, mode="test", now=NOW).total == 0
        for bad in ({"status": "open"}, {"type": "piracy"}, {"starting_after": "x"}):
            with pytest.raises(InvalidInput) as caught:
                ids(**bad)
            assert caught.value.field == next(iter(bad))


def test_another_workspace_or_mode_does_not_find_a_claim(
    database: Database, factory: Factory
) -> None:
    cert = factory.certificate()
    claim = _file(database, cert.id)
    with database.transaction(write=False) as session:
        assert get_claim(session, claim.id, account_id=cert.account_id, mode="live").id == claim.id
        for account_id, mode in ((factory.account(), "live"), (cert.account_id, "test")):
            with pytest.raises(NotFound):
                get_claim(session, claim.id, account_id=account_id, mode=mode)


def test_the_owner_responds_once_before_the_deadline(database: Database, factory: Factory) -> None:
    cert = factory.certificate()
    claim = _file(database, cert.id)
    with database.transaction() as session:
        row = get_claim(session, claim.id, account_id=cert.account_id, mode="live")
        respond_to_claim(session, row, response="Here is the session file.", actor="k", now=NOW)
    with database.transaction() as session:
        row = get_claim(session, claim.id, account_id=cert.account_id, mode="live")
        assert row.status == "responded"
        with pytest.raises(Conflict) as caught:
            respond_to_claim(session, row, response="Again", actor="k", now=NOW)
        assert caught.value.code == "claim_closed"
        with pytest.raises(InvalidInput) as empty:
            respond_to_claim(session, row, response=" ", actor="k", now=NOW)
        assert empty.value.field == "response"
    assert _history(database, cert.id)[-1] == "claim.responded"
    assert _events(database, cert.account_id)[-1] == "claim.responded"


def test_upholding_a_claim_revokes_the_certificate_with_the_claim_as_reason(
    database: Database, factory: Factory
) -> None:
    cert = factory.certificate()
    claim = _file(database, cert.id)
    with database.transaction() as session:
        row = get_claim(session, claim.id, account_id=None, mode="live")
        resolve_claim(
            session,
            row,
            outcome="upheld",
            note="Session files prove it.",
            actor="operator",
            base_url=BASE_URL,
            notary=factory.notary,
            now=NOW,
        )
    with database.transaction(write=False) as session:
        revoked = session.get(Certificate, cert.id)
        assert revoked is not None
        assert revoked.status == "revoked"
        assert claim.id in (revoked.revocation_reason or "")
        versions = list_versions(session, cert.id)
    assert [v.change for v in versions] == ["created", "claim.filed", "claim.resolved", "revoked"]
    assert versions[2].snapshot["claim"]["resolution"] == "upheld"
    assert _events(database, cert.account_id)[-2:] == ["claim.resolved", "certificate.revoked"]


def test_a_dismissed_claim_leaves_the_certificate_active_and_cannot_be_resolved_twice(
    database: Database, factory: Factory
) -> None:
    cert = factory.certificate()
    claim = _file(database, cert.id)
    with database.transaction() as session:
        row = get_claim(session, claim.id, account_id=None, mode="live")
        with pytest.raises(InvalidInput) as bad:
            resolve_claim(
                session,
                row,
                outcome="maybe",
                note="n",
                actor="op",
                notary=factory.notary,
                base_url="",
                now=NOW,
            )
        assert bad.value.field == "outcome"
        resolve_claim(
            session,
            row,
            outcome="dismissed",
            note="No evidence",
            actor="op",
            notary=factory.notary,
            base_url="",
            now=NOW,
        )
    with database.transaction() as session:
        row = get_claim(session, claim.id, account_id=None, mode="live")
        assert (row.status, row.resolution, row.certificate.status) == (
            "resolved",
            "dismissed",
            "active",
        )
        with pytest.raises(Conflict):
            resolve_claim(
                session,
                row,
                outcome="upheld",
                note="n",
                actor="op",
                notary=factory.notary,
                base_url="",
                now=NOW,
            )


def test_an_unanswered_claim_expires_after_the_deadline(
    database: Database, factory: Factory
) -> None:
    cert = factory.certificate()
    claim = _file(database, cert.id)
    deadline = NOW + timedelta(days=14)
    with database.transaction() as session:
        assert expire_overdue_claims(session, deadline - timedelta(seconds=1)) == []
    with database.transaction(write=False) as session:
        row = get_claim(session, claim.id, account_id=None, mode="live")
        # Lazily: before any sweep, a read after the deadline shows it expired.
        assert claim_view(row, row.certificate, now=deadline)["status"] == "expired"
        assert claim_view(row, row.certificate, now=NOW)["status"] == "pending"
        for status, expected in (("pending", []), ("expired", [claim.id])):
            page = list_claims(
                session, account_id=cert.account_id, mode="live", now=deadline, status=status
            )
            assert [c.id for c in page.claims] == expected
    with database.transaction() as session:
        row = get_claim(session, claim.id, account_id=None, mode="live")
        with pytest.raises(Conflict, match="expired unanswered"):
            respond_to_claim(session, row, response="Too late", actor="k", now=deadline)
    with database.transaction() as session:
        assert [c.id for c in expire_overdue_claims(session, deadline)] == [claim.id]
    with database.transaction() as session:
        assert expire_overdue_claims(session, deadline + timedelta(days=1)) == []
        row = get_claim(session, claim.id, account_id=None, mode="live")
        assert (row.status, row.expired_at) == ("expired", deadline)
        assert row.certificate.status == "active"
    assert _history(database, cert.id)[-1] == "claim.expired"
    assert _events(database, cert.account_id)[-1] == "claim.expired"


def test_an_overdue_claim_resolved_before_the_sweep_is_expired_first(
    database: Database, factory: Factory
) -> None:
    cert = factory.certificate()
    claim = _file(database, cert.id)
    later = NOW + timedelta(days=30)
    with database.transaction() as session:
        row = get_claim(session, claim.id, account_id=None, mode="live")
        resolve_claim(
            session,
            row,
            outcome="upheld",
            note="Unanswered",
            actor="op",
            notary=factory.notary,
            base_url="",
            now=later,
        )
    assert _history(database, cert.id) == [
        "created",
        "claim.filed",
        "claim.expired",
        "claim.resolved",
        "revoked",
    ]


def test_a_rolled_back_filing_leaves_no_claim_event_or_history(
    database: Database, factory: Factory
) -> None:
    cert = factory.certificate()

    def file_then_fail() -> None:
        with database.transaction() as session:
            file_claim(
                session,
                _draft(cert.id),
                mode="live",
                filed_by="k",
                response_window=timedelta(days=1),
                now=NOW,
            )
            raise RuntimeError("abort before the commit")

    with pytest.raises(RuntimeError):
        file_then_fail()
    assert _events(database, cert.account_id) == ["certificate.created"]
    assert _history(database, cert.id) == ["created"]
    with database.transaction(write=False) as session:
        assert list_claims(session, account_id=cert.account_id, mode="live", now=NOW).total == 0


def test_test_mode_claims_are_marked_and_kept_apart(database: Database, factory: Factory) -> None:
    key = factory.key(mode="test")
    cert = factory.certificate(key)
    claim = _file(database, cert.id, mode="test")
    assert claim.id.startswith("clm_test_")
    assert _events(database, key.account_id, "test")[-1] == "claim.filed"
    with database.transaction(write=False) as session:
        assert list_claims(session, account_id=key.account_id, mode="live", now=NOW).total == 0
