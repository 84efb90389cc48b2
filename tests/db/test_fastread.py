"""The fast read path returns exactly what a session would."""

from __future__ import annotations

from soundseal.db import Database
from soundseal.registry.certificates.services import find_for_verification, get_status
from soundseal.registry.keys.services import authenticate
from tests.factories import Factory


def test_fast_and_session_reads_agree(database: Database, factory: Factory) -> None:
    key = factory.key(scopes="certificates:read,verify:read")
    cert = factory.certificate(key, isrc="GXHE72600042")
    with database.transaction(write=False) as session:
        assert authenticate(database.fast, key.key) == authenticate(session, key.key)
        slow_status = tuple(get_status(session, cert.id))
        slow_verify = tuple(find_for_verification(session, mode="live", isrc="GXHE72600042"))
    fast_status = tuple(get_status(database.fast, cert.certificate_number))
    fast_verify = tuple(find_for_verification(database.fast, mode="live", isrc="GXHE72600042"))
    assert fast_status == slow_status
    assert fast_verify == slow_verify
    assert fast_status[3].tzinfo is not None
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
