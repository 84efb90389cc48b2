"""Deep verification at the registry level: the charge, and what the owner sees that
others do not (the privacy redaction of the history and the contributors)."""

from __future__ import annotations

from typing import Any

import pytest

from soundseal.db import Database
from soundseal.errors import InvalidInput, PaymentRequired
from soundseal.registry.acoustic.index import AcousticIndex
from soundseal.registry.credits.services import balance
from soundseal.registry.verification.deep import deep_verification, redacted_version
from tests.factories import BASE_URL, Factory, Key, sha256_of


def deep(database: Database, account_id: str, **lookup: str) -> dict[str, Any]:
    with database.transaction() as session:
        return deep_verification(
            session,
            account_id=account_id,
            mode="live",
            actor="key_caller",
            certificate_number=lookup.get("certificate_number"),
            sha256=lookup.get("sha256"),
            isrc=lookup.get("isrc"),
            base_url=BASE_URL,
            acoustic_index=AcousticIndex(),
            credits_enabled=True,
        )


@pytest.fixture
def owner(factory: Factory) -> Key:
    return factory.key()


@pytest.fixture
def disputed(factory: Factory, owner: Key) -> Any:
    """A certificate with a claim against it and an invited, unconfirmed contributor."""
    cert = factory.certificate(owner, sha256=sha256_of("disputed"), audio_file_name="m.wav")
    factory.claim(cert, claimant_name="Jane Claimant")
    factory.contributor(cert, name="Unconfirmed Person", role="Mixing")
    return cert


def test_another_workspace_sees_the_record_without_what_is_the_owners(
    database: Database, factory: Factory, disputed: Any
) -> None:
    caller = factory.account(credits=2)
    body = deep(database, caller, sha256=sha256_of("disputed"))
    assert body["verified"] is True
    assert body["credits_remaining"] == 1
    assert "audio_file_name" not in body["certificate"]
    assert body["contributors"] == []  # only credits the contributors confirmed are public
    history = body["version_history"]
    assert [v["change"] for v in history] == ["created", "claim.filed", "contributor.invited"]
    for version in history:
        assert "actor" not in version
        assert "audio_file_name" not in version["snapshot"]
    assert "claimant_name" not in history[1]["snapshot"]["claim"]
    invited = history[2]["snapshot"]["contributor"]
    assert "name" not in invited
    assert "role" not in invited


def test_the_owner_sees_everything(database: Database, owner: Key, disputed: Any) -> None:
    body = deep(database, owner.account_id, certificate_number=disputed.certificate_number)
    assert body["certificate"]["audio_file_name"] == "m.wav"
    assert [c["name"] for c in body["contributors"]] == ["Unconfirmed Person"]
    history = body["version_history"]
    assert all("actor" in v for v in history)
    assert history[1]["snapshot"]["claim"]["claimant_name"] == "Jane Claimant"
    assert history[2]["snapshot"]["contributor"]["name"] == "Unconfirmed Person"


def test_an_acknowledged_contributor_stays_named_in_others_view() -> None:
    entry = {
        "version": 3,
        "change": "contributor.acknowledged",
        "actor": "contributor",
        "changed_at": "2026-01-01T00:00:00.000Z",
        "snapshot": {"audio_file_name": "m.wav", "contributor": {"name": "N", "role": "R"}},
    }
    shown = redacted_version(entry, owner=False)
    assert shown["snapshot"] == {"contributor": {"name": "N", "role": "R"}}
    assert "actor" not in shown
    assert redacted_version(entry, owner=True) is entry


def test_finding_nothing_is_free_and_no_credits_is_payment_required(
    database: Database, factory: Factory, disputed: Any
) -> None:
    caller = factory.account(credits=0)
    body = deep(database, caller, isrc="USRC17607839")
    assert body["verified"] is False
    assert body["isrc"] == "USRC17607839"
    with pytest.raises(PaymentRequired):
        deep(database, caller, sha256=sha256_of("disputed"))
    with database.transaction(write=False) as session:
        assert balance(session, caller) == 0


def test_exactly_one_lookup_is_required(database: Database, factory: Factory) -> None:
    caller = factory.account()
    with pytest.raises(InvalidInput):
        deep(database, caller)
    with pytest.raises(InvalidInput):
        deep(database, caller, isrc="USRC17607839", sha256=sha256_of("x"))
