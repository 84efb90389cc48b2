"""A certificate number (`SS-YYYY-XXXXXXXX`) that is already taken is drawn again: the
issuance succeeds, in the same transaction, instead of failing on the unique index."""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from starlette.testclient import TestClient

from soundseal import ids
from soundseal.db import Database
from soundseal.registry.certificates import issuance
from soundseal.registry.certificates.models import Certificate
from soundseal.registry.certificates.services import NewCertificate, create_certificate
from soundseal.registry.changes.models import Change
from tests.factories import BASE_URL, Factory, sha256_of


class Numbers:
    """The number generator, answering `taken` for the first `collisions` draws."""

    def __init__(self, taken: str, collisions: int) -> None:
        self.taken = taken
        self.collisions = collisions
        self.calls = 0

    def __call__(self, issued_at: datetime) -> str:
        self.calls += 1
        if self.calls <= self.collisions:
            return self.taken
        return ids.new_certificate_number(issued_at)


@pytest.fixture
def taken(factory: Factory) -> str:
    return factory.certificate().certificate_number


def test_an_issuance_over_http_draws_a_new_number_after_a_collision(
    client: TestClient,
    factory: Factory,
    database: Database,
    taken: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    numbers = Numbers(taken, collisions=1)
    monkeypatch.setattr(issuance, "new_certificate_number", numbers)
    key = factory.key()
    body = {"track_title": "T", "artist_name": "A", "sha256_fingerprint": sha256_of("fresh")}
    response = client.post("/api/v1/certificates", json=body, headers=key.headers)
    assert response.status_code == 201, response.text
    number = response.json()["certificate"]["certificate_number"]
    assert number != taken
    assert ids.is_certificate_number(number)
    assert numbers.calls == 2
    with database.transaction(write=False) as session:
        stored = session.scalar(select(Certificate).where(Certificate.certificate_number == number))
        assert stored is not None
        # The retry ran in the one transaction: the feed entry and history were written once.
        feed = select(func.count()).select_from(Change).where(Change.certificate_id == stored.id)
        assert session.scalar(feed) == 1


def test_several_collisions_in_a_row_are_retried_within_one_transaction(
    database: Database, factory: Factory, taken: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    numbers = Numbers(taken, collisions=issuance.NUMBER_ATTEMPTS - 1)
    monkeypatch.setattr(issuance, "new_certificate_number", numbers)
    key = factory.key()
    with database.transaction() as session:
        cert = create_certificate(
            session,
            account_id=key.account_id,
            mode="live",
            draft=NewCertificate(track_title="T", artist_name="A", sha256=sha256_of("again")),
            actor=key.id,
            base_url=BASE_URL,
            notary=factory.notary,
        )
        # The transaction is still usable after the failed inserts (PostgreSQL aborts a
        # transaction on an error outside a savepoint).
        assert session.scalar(select(func.count()).select_from(Certificate)) >= 2
    assert cert.certificate_number != taken
    assert numbers.calls == issuance.NUMBER_ATTEMPTS


def test_a_generator_that_only_collides_gives_up_after_a_bounded_number_of_draws(
    database: Database, factory: Factory, taken: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    numbers = Numbers(taken, collisions=10**6)
    monkeypatch.setattr(issuance, "new_certificate_number", numbers)
    key = factory.key()
    draft = NewCertificate(track_title="T", artist_name="A", sha256=sha256_of("never"))
    with pytest.raises(IntegrityError), database.transaction() as session:
        create_certificate(
            session,
            account_id=key.account_id,
            mode="live",
            draft=draft,
            actor=key.id,
            base_url=BASE_URL,
            notary=factory.notary,
        )
    assert numbers.calls == issuance.NUMBER_ATTEMPTS
    with database.transaction(write=False) as session:
        sha = sha256_of("never")
        assert session.scalar(select(Certificate).where(Certificate.sha256 == sha)) is None
