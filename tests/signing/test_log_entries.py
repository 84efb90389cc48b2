"""Log entries must be the registry's statements, each signed for its own position."""

from __future__ import annotations

import pytest

from soundseal.signing.log_entries import log_origin, verify_entry_statements
from soundseal.signing.statements import CertificateStatement, RevocationStatement
from soundseal.transparency.audit_errors import EntryRefused, MisplacedEntry
from tests.signing.helpers import key_set, memory_key
from tests.transparency.registry_log import ORIGIN, certificate, new_log, revocation

LOG = new_log()
LOG.grow(10)
LOG.append(LOG.sign(revocation(10, of=3)))


def test_the_entries_are_the_statements_in_their_places() -> None:
    statements = verify_entry_statements(LOG.entries[4:], 4, LOG.jwks, origin=ORIGIN)
    assert [s.log_index for s in statements] == list(range(4, 11))
    assert all(isinstance(s, CertificateStatement) for s in statements[:-1])
    assert isinstance(statements[-1], RevocationStatement)
    assert statements[0].certificate_id == certificate(4).certificate_id


def test_a_statement_signed_for_another_position_is_refused() -> None:
    entries = [*LOG.entries[:3], LOG.entries[5]]
    with pytest.raises(MisplacedEntry) as raised:
        verify_entry_statements(entries, 0, LOG.jwks)
    assert raised.value.index == 3
    assert raised.value.evidence.offending == LOG.entries[5].decode()
    with pytest.raises(MisplacedEntry):
        verify_entry_statements(LOG.entries[5:6], 6, LOG.jwks)


def test_a_statement_of_an_unpublished_key_is_refused() -> None:
    with pytest.raises(EntryRefused, match="entry 2"):
        verify_entry_statements(LOG.entries[2:3], 2, key_set(memory_key()))


@pytest.mark.parametrize("entry", [b"\xff\xfe", b"not.a.jws", "é".encode(), b""])
def test_an_entry_that_is_not_a_jws_is_refused(entry: bytes) -> None:
    with pytest.raises(EntryRefused):
        verify_entry_statements([LOG.entries[0], entry], 0, LOG.jwks)


def test_an_altered_payload_is_refused() -> None:
    header, payload, signature = LOG.entries[1].split(b".")
    altered = b".".join([header, payload[:-2] + b"xx", signature])
    with pytest.raises(EntryRefused):
        verify_entry_statements([altered], 1, LOG.jwks)


def test_a_statement_of_another_mode_is_refused_in_this_log() -> None:
    test_mode = LOG.sign(certificate(0, mode="test"))
    assert verify_entry_statements([test_mode], 0, LOG.jwks)[0].mode == "test"
    with pytest.raises(EntryRefused, match=r"registry\.test/log/test"):
        verify_entry_statements([test_mode], 0, LOG.jwks, origin=ORIGIN)


@pytest.mark.parametrize(
    ("issuer", "origin"),
    [
        ("https://registry.test", "registry.test/log/live"),
        ("http://127.0.0.1:8000/", "127.0.0.1:8000/log/live"),
        ("https://example.org/soundseal", "example.org/soundseal/log/live"),
    ],
)
def test_the_origin_is_the_public_url_without_its_scheme(issuer: str, origin: str) -> None:
    assert log_origin(issuer, "live") == origin
