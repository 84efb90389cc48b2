"""The fast read path returns exactly what a session would."""

from __future__ import annotations

from soundseal.db import Database
from soundseal.registry.certificates.models import Certificate
from soundseal.registry.certificates.services import (
    find_for_verification,
    get_certificate,
    read_fingerprint,
    read_record,
    record_of,
)
from soundseal.registry.keys.services import authenticate
from tests.factories import Factory


def test_fast_and_session_reads_agree(database: Database, factory: Factory) -> None:
    key = factory.key(scopes="certificates:read,verify:read")
    plain = factory.certificate(key, isrc="GXHE72600042", ai_disclosure={"involvement": "assisted"})
    printed = factory.revoke(factory.certificate(key))
    with database.transaction() as session:
        # The read path only carries the stored bytes: any will do.
        row = session.get(Certificate, printed.id)
        assert row is not None
        row.fingerprint, row.duration_ms = bytes(range(256)) * 4, 61_000
    for cert in (plain, printed):
        with database.transaction(write=False) as session:
            through_orm = record_of(get_certificate(session, cert.id))
            through_session = read_record(session, cert.id)
            stored = read_fingerprint(session, cert.id)
        through_fast = read_record(database.fast, cert.certificate_number)
        assert through_fast == through_session == through_orm
        assert through_fast.issued_at.tzinfo is not None
        assert read_fingerprint(database.fast, cert.id) == stored
    assert read_record(database.fast, printed.id).has_fingerprint
    assert read_record(database.fast, printed.id).revoked_at is not None
    assert read_record(database.fast, plain.id).ai_disclosure == {
        "involvement": "assisted",
        "tools": [],
    }
    assert read_fingerprint(database.fast, plain.id) is None
    with database.transaction(write=False) as session:
        assert authenticate(database.fast, key.key) == authenticate(session, key.key)
        slow_verify = find_for_verification(session, mode="live", isrc="GXHE72600042")
    assert find_for_verification(database.fast, mode="live", isrc="GXHE72600042") == slow_verify
    principal = authenticate(database.fast, key.key)
    assert principal is not None
    assert principal.scopes == frozenset({"certificates:read", "verify:read"})
    assert authenticate(database.fast, "ss_sk_live_" + "x" * 32) is None
    assert find_for_verification(database.fast, mode="test", isrc="GXHE72600042") is None


def test_a_fast_read_leaves_the_connection_usable_for_writes(
    database: Database, factory: Factory
) -> None:
    key = factory.key()
    for _ in range(3):
        assert authenticate(database.fast, key.key) is not None
        factory.certificate(key)  # a write transaction on a pooled connection
    with database.transaction(write=False) as session:
        from soundseal.registry.certificates.services import list_certificates

        page = list_certificates(session, account_id=key.account_id, mode="live")
    assert page.total == 3
