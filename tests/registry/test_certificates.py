"""The certificate use cases at the registry level: issuing (with its credit), duplicate
refusal, owned lookups across account and mode, revocation, and who may read what."""

from __future__ import annotations

import numpy as np
import pytest
from sqlalchemy import func, select

from soundseal.audio import Fingerprint
from soundseal.db import Database
from soundseal.errors import Conflict, DuplicateCertificate, InvalidInput, NotFound, PaymentRequired
from soundseal.ids import SANDBOX_CERTIFICATE_ID
from soundseal.registry.acoustic.index import AcousticIndex
from soundseal.registry.certificates.access import (
    check_readable,
    get_owned_certificate,
    is_owner,
    mode_named_by,
)
from soundseal.registry.certificates.issuance import issue_certificate
from soundseal.registry.certificates.lifecycle import revoke_owned
from soundseal.registry.certificates.lookups import get_certificate, list_versions
from soundseal.registry.certificates.models import Certificate, CertificateVersion
from soundseal.registry.certificates.services import NewCertificate
from soundseal.registry.changes.models import Change
from soundseal.registry.credits.models import CreditEntry
from soundseal.registry.credits.services import balance
from soundseal.registry.events.models import Event
from soundseal.registry.events.services import list_events
from soundseal.registry.keys.services import Principal
from tests.factories import BASE_URL, Factory, notary_for, sha256_of


def issue(
    database: Database,
    account_id: str,
    *,
    mode: str = "live",
    sha256: str | None = None,
    credits_enabled: bool = True,
    draft: NewCertificate | None = None,
    test_mode_audio_hours: float | None = None,
    **fields: str,
) -> Certificate:
    draft = draft or NewCertificate(
        track_title=fields.get("track_title", "Night Drive"),
        artist_name=fields.get("artist_name", "The Examples"),
        sha256=sha256 or sha256_of(f"{account_id} {mode} {fields}"),
    )
    with database.transaction() as session:
        return issue_certificate(
            session,
            account_id=account_id,
            mode=mode,
            draft=draft,
            actor="key_test",
            base_url=BASE_URL,
            notary=notary_for(database),
            acoustic_index=AcousticIndex(),
            credits_enabled=credits_enabled,
            test_mode_audio_hours=test_mode_audio_hours,
        )


def counts(database: Database, account_id: str) -> dict[str, int]:
    """How many rows of each kind the workspace has: what a refused issuance must not add."""
    with database.transaction(write=False) as session:

        def count(model: type, *where: object) -> int:
            query = select(func.count()).select_from(model).where(*where)
            return int(session.scalar(query) or 0)

        mine = select(Certificate.id).where(Certificate.account_id == account_id)
        return {
            "certificates": count(Certificate, Certificate.account_id == account_id),
            "versions": count(CertificateVersion, CertificateVersion.certificate_id.in_(mine)),
            "changes": count(Change, Change.certificate_id.in_(mine)),
            "events": count(Event, Event.account_id == account_id),
            "ledger": count(CreditEntry, CreditEntry.account_id == account_id),
            "balance": balance(session, account_id),
        }


def test_issuing_charges_one_credit_and_writes_history_event_and_feed_entry(
    database: Database, factory: Factory
) -> None:
    account = factory.account(credits=3)
    cert = issue(database, account)
    assert cert.status == "active"
    assert cert.version == 1
    assert cert.sequence is not None
    with database.transaction(write=False) as session:
        assert balance(session, account) == 2
        (version,) = list_versions(session, cert.id)
        assert (version.change, version.actor) == ("created", "key_test")
        types = [e.type for e in list_events(session, account_id=account, mode="live")]
        assert types.count("certificate.created") == 1
        assert types.count("credits.used") == 1
        created = next(
            e
            for e in list_events(session, account_id=account, mode="live")
            if e.type == "certificate.created"
        )
        assert created.data["verification_url"] == (f"{BASE_URL}/verify/{cert.certificate_number}")
        feed = select(Change).where(Change.certificate_id == cert.id)
        assert [c.type for c in session.scalars(feed)] == ["certificate.created"]


def test_test_mode_and_disabled_credits_issue_without_charging(
    database: Database, factory: Factory
) -> None:
    account = factory.account(credits=0)
    issue(database, account, mode="test")
    issue(database, account, credits_enabled=False)
    assert counts(database, account)["balance"] == 0
    assert counts(database, account)["certificates"] == 2


def test_without_credits_issuing_is_payment_required_and_writes_nothing(
    database: Database, factory: Factory
) -> None:
    account = factory.account(credits=0)
    before = counts(database, account)
    with pytest.raises(PaymentRequired) as refused:
        issue(database, account)
    assert refused.value.code == "payment_required"
    assert refused.value.extra["credits_remaining"] == 0
    assert counts(database, account) == before


def test_a_duplicate_is_refused_and_its_credit_is_not_taken(
    database: Database, factory: Factory
) -> None:
    account = factory.account(credits=5)
    first = issue(database, account, sha256=sha256_of("master"))
    before = counts(database, account)
    with pytest.raises(DuplicateCertificate) as refused:
        issue(database, account, sha256=sha256_of("master"), track_title="Again")
    assert refused.value.extra["existing_certificate_id"] == first.id
    assert refused.value.extra["verification_url"] == (
        f"{BASE_URL}/verify/{first.certificate_number}"
    )
    # The charge came first and was rolled back with the refused issuance.
    assert counts(database, account) == before
    # The same master in the other mode is not a duplicate: modes are separate registries.
    issue(database, account, mode="test", sha256=sha256_of("master"))


def test_an_invalid_draft_is_refused_naming_the_field_and_writes_nothing(
    database: Database, factory: Factory
) -> None:
    account = factory.account(credits=5)
    before = counts(database, account)
    with pytest.raises(InvalidInput) as refused:
        issue(database, account, track_title="   ")
    assert refused.value.extra["field"] == "track_title"
    assert counts(database, account) == before


@pytest.mark.parametrize("ident", ["id", "number"])
def test_an_owned_certificate_is_found_by_id_or_number_only_in_its_account_and_mode(
    database: Database, factory: Factory, ident: str
) -> None:
    live = factory.key()
    cert = factory.certificate(live)
    name = cert.id if ident == "id" else cert.certificate_number.lower()
    with database.transaction(write=False) as session:
        found = get_owned_certificate(session, name, account_id=live.account_id, mode="live")
        assert found.id == cert.id
        for account_id, mode in ((live.account_id, "test"), (factory.account(), "live")):
            with pytest.raises(NotFound, match="in this workspace"):
                get_owned_certificate(session, name, account_id=account_id, mode=mode)
        with pytest.raises(NotFound):
            get_owned_certificate(session, "not-an-id", account_id=live.account_id, mode="live")


def test_revoking_an_owned_certificate_records_it_once(
    database: Database, factory: Factory
) -> None:
    key = factory.key()
    cert = factory.certificate(key)
    with database.transaction() as session:
        revoked = revoke_owned(
            session,
            cert.id,
            account_id=key.account_id,
            mode="live",
            reason="  Sold the master  ",
            actor="user:u1",
            base_url=BASE_URL,
            notary=notary_for(database),
        )
        assert (revoked.status, revoked.version, revoked.revocation_reason) == (
            "revoked",
            2,
            "Sold the master",
        )
    with database.transaction(write=False) as session:
        assert [v.change for v in list_versions(session, cert.id)] == ["created", "revoked"]
        events = list_events(session, account_id=key.account_id, mode="live")
        assert [e.type for e in events].count("certificate.revoked") == 1
    with pytest.raises(Conflict) as again, database.transaction() as session:
        revoke_owned(
            session,
            cert.id,
            account_id=key.account_id,
            mode="live",
            reason="twice",
            actor=None,
            base_url=BASE_URL,
            notary=notary_for(database),
        )
    assert again.value.code == "already_revoked"


def test_another_workspace_or_mode_cannot_revoke_and_nothing_changes(
    database: Database, factory: Factory
) -> None:
    key = factory.key()
    cert = factory.certificate(key)
    for account_id, mode in ((factory.account(), "live"), (key.account_id, "test")):
        with pytest.raises(NotFound), database.transaction() as session:
            revoke_owned(
                session,
                cert.id,
                account_id=account_id,
                mode=mode,
                reason="not mine",
                actor=None,
                base_url=BASE_URL,
                notary=notary_for(database),
            )
    with pytest.raises(InvalidInput), database.transaction() as session:
        revoke_owned(
            session,
            cert.id,
            account_id=key.account_id,
            mode="live",
            reason=" ",
            actor=None,
            base_url=BASE_URL,
            notary=notary_for(database),
        )
    with database.transaction(write=False) as session:
        assert get_certificate(session, cert.id).status == "active"
        assert len(list_versions(session, cert.id)) == 1


def principal(account_id: str, *, mode: str = "live", kind: str = "secret") -> Principal:
    return Principal(
        key_id="key_x", account_id=account_id, kind=kind, mode=mode, scopes=frozenset()
    )


def test_keys_read_their_own_mode_and_only_the_owners_secret_key_sees_owner_fields(
    database: Database, factory: Factory
) -> None:
    key = factory.key()
    cert = factory.certificate(key)
    other = principal(factory.account())
    assert check_readable(cert, other, cert.id) is cert
    assert not is_owner(cert, other)
    assert is_owner(cert, principal(key.account_id))
    assert not is_owner(cert, principal(key.account_id, kind="publishable"))
    assert not is_owner(cert, None)
    with pytest.raises(NotFound):
        check_readable(cert, principal(key.account_id, mode="test"), cert.id)
    with pytest.raises(NotFound):
        check_readable(cert, None, cert.id)


def test_the_sandbox_certificate_is_readable_by_anyone(database: Database) -> None:
    with database.transaction(write=False) as session:
        sandbox = get_certificate(session, SANDBOX_CERTIFICATE_ID)
    assert check_readable(sandbox, None, SANDBOX_CERTIFICATE_ID) is sandbox
    assert check_readable(sandbox, principal("acc_x"), SANDBOX_CERTIFICATE_ID) is sandbox


def test_a_certificate_id_names_its_mode_and_a_number_does_not() -> None:
    assert mode_named_by("cer_test_01J0000000000000000000000") == "test"
    assert mode_named_by("cer_01J0000000000000000000000") == "live"
    assert mode_named_by("SS-2026-ABCDEFGH") is None


def _fingerprinted(seed: int, minutes: int) -> NewCertificate:
    """A draft with a fingerprint of `minutes` of random (so never matching) values."""
    rng = np.random.default_rng(seed)
    values = rng.integers(0, 2**32, size=minutes * 485, dtype=np.uint64).astype(np.uint32)
    return NewCertificate(
        track_title=f"Take {seed}",
        artist_name="The Examples",
        sha256=sha256_of(f"take {seed}"),
        acoustic=Fingerprint(values=values, duration_ms=minutes * 60_000),
    )


def _issue_within_an_hour(
    database: Database, account_id: str, mode: str, draft: NewCertificate
) -> Certificate:
    return issue(
        database,
        account_id,
        mode=mode,
        draft=draft,
        credits_enabled=False,
        test_mode_audio_hours=1,
    )


def test_test_mode_holds_a_bounded_amount_of_fingerprinted_audio(
    database: Database, factory: Factory
) -> None:
    """Test certificates are free, so what a workspace may keep in every process's match
    index is bounded; revoking makes room, live mode and other workspaces are not counted."""
    account = factory.account()
    other = factory.account()
    first = _issue_within_an_hour(database, account, "test", _fingerprinted(1, 40))
    with pytest.raises(Conflict) as refused:
        _issue_within_an_hour(database, account, "test", _fingerprinted(2, 30))
    assert refused.value.code == "test_mode_full"
    assert refused.value.extra["held_ms"] == 40 * 60_000
    assert counts(database, account)["certificates"] == 1
    # Another workspace, and live mode, have their own room.
    _issue_within_an_hour(database, other, "test", _fingerprinted(3, 30))
    _issue_within_an_hour(database, account, "live", _fingerprinted(4, 30))
    with database.transaction() as session:
        revoke_owned(
            session,
            first.id,
            account_id=account,
            mode="test",
            reason="done testing",
            actor="key_test",
            base_url=BASE_URL,
            notary=notary_for(database),
        )
    _issue_within_an_hour(database, account, "test", _fingerprinted(5, 30))
