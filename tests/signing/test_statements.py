"""Statements: the public facts of a certificate (and of its revocation) as RFC 8785
canonical JSON, built from certificates issued on SQLite and PostgreSQL; the acoustic digest
as defined; and the parser of verified payloads, which accepts exactly what is built."""

from __future__ import annotations

import contextlib
import hashlib
import json
import struct
from datetime import datetime, timedelta
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from soundseal.db import Database
from soundseal.matching import CURRENT_POLICY
from soundseal.signing import (
    CERTIFICATE_TYP,
    REVOCATION_TYP,
    AcousticDigest,
    CertificateStatement,
    MalformedStatement,
    RevocationStatement,
    Statement,
    StatementError,
    canonical_bytes,
    certificate_statement,
    revocation_statement,
)
from soundseal.signing.statements import acoustic_digest, statement_from_claims
from tests.factories import Factory
from tests.signing.helpers import ISSUER, fingerprinted_certificate, random_fingerprint
from tests.signing.strategies import statements


def plain_json(claims: dict[str, Any]) -> bytes:
    """An independent writer of the same form, valid for these statements' contents (no
    control characters, numbers that print alike): sorted members, no spaces, raw UTF-8."""
    return json.dumps(claims, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def parse_time(value: str) -> datetime:
    assert value.endswith("Z")
    return datetime.fromisoformat(value)


def test_a_certificate_statement_holds_its_public_facts(
    database: Database, factory: Factory
) -> None:
    cert = factory.certificate(
        track_title="Café Ωmega", artist_name="Ørsted & Sons", isrc="USRC17607839"
    )
    statement = certificate_statement(cert, issuer=ISSUER, log_index=7)
    assert statement.claims() == {
        "statement": "certificate",
        "certificate_id": cert.id,
        "certificate_number": cert.certificate_number,
        "mode": "live",
        "track_title": "Café Ωmega",
        "artist_name": "Ørsted & Sons",
        "isrc": "USRC17607839",
        "sha256_fingerprint": cert.sha256,
        "acoustic_fingerprint": None,
        "match_policy_version": CURRENT_POLICY.version,
        "issuer": ISSUER,
        "issued_at": statement.issued_at,
        "log_index": 7,
    }
    # RFC 3339 in UTC, to the millisecond the API shows.
    assert abs(parse_time(statement.issued_at) - cert.issued_at) < timedelta(milliseconds=1)
    assert certificate_statement(cert, issuer=ISSUER).log_index is None


def test_test_mode_certificates_say_so(database: Database, factory: Factory) -> None:
    cert = factory.certificate(factory.key(mode="test"))
    assert certificate_statement(cert, issuer=ISSUER).mode == "test"


def test_the_canonical_bytes_are_sorted_compact_utf8(database: Database, factory: Factory) -> None:
    cert = factory.certificate(track_title="Café Ωmega 🎵", artist_name="Zoë")
    statement = certificate_statement(cert, issuer=ISSUER)
    signed = canonical_bytes(statement)
    assert signed == plain_json(statement.claims())
    assert "Café Ωmega 🎵".encode() in signed  # not \u-escaped
    assert b" " not in signed.replace("Café Ωmega 🎵".encode(), b"")


def test_the_acoustic_digest_is_sha256_of_the_little_endian_values(
    database: Database, factory: Factory
) -> None:
    fingerprint = random_fingerprint(seed=11)
    cert = fingerprinted_certificate(database, factory, fingerprint)
    statement = certificate_statement(cert, issuer=ISSUER)
    values = [int(v) for v in fingerprint.values]
    expected = hashlib.sha256(struct.pack(f"<{len(values)}I", *values)).hexdigest()
    assert statement.acoustic_fingerprint == AcousticDigest(
        sha256=expected, duration_seconds=fingerprint.duration_ms / 1000
    )
    claims = json.loads(canonical_bytes(statement))
    assert claims["acoustic_fingerprint"] == {
        "sha256": expected,
        "duration_seconds": fingerprint.duration_ms / 1000,
    }
    other = fingerprinted_certificate(database, factory, random_fingerprint(seed=12))
    other_digest = certificate_statement(other, issuer=ISSUER).acoustic_fingerprint
    assert other_digest is not None
    assert other_digest.sha256 != expected


def test_the_acoustic_digest_of_known_values() -> None:
    # Two values, 1 and 0x04030201: their little-endian bytes are 01000000 01020304.
    digest = acoustic_digest(bytes.fromhex("0100000001020304"), 2500)
    assert digest.sha256 == hashlib.sha256(bytes.fromhex("0100000001020304")).hexdigest()
    assert digest.duration_seconds == 2.5


def test_a_revocation_statement_holds_when_and_why(database: Database, factory: Factory) -> None:
    cert = factory.revoke(factory.certificate(), reason="Rights dispute settled")
    statement = revocation_statement(cert, issuer=ISSUER, log_index=3)
    assert statement.claims() == {
        "statement": "revocation",
        "certificate_id": cert.id,
        "certificate_number": cert.certificate_number,
        "mode": "live",
        "revoked_at": statement.revoked_at,
        "reason": "Rights dispute settled",
        "issuer": ISSUER,
        "log_index": 3,
    }
    assert cert.revoked_at is not None
    assert abs(parse_time(statement.revoked_at) - cert.revoked_at) < timedelta(milliseconds=1)
    assert canonical_bytes(statement) == plain_json(statement.claims())


def test_an_active_certificate_has_no_revocation_statement(
    database: Database, factory: Factory
) -> None:
    with pytest.raises(StatementError):
        revocation_statement(factory.certificate(), issuer=ISSUER)


@pytest.mark.parametrize("index", [-1, True])
def test_a_log_index_is_a_whole_number_from_zero(
    database: Database, factory: Factory, index: int
) -> None:
    with pytest.raises(StatementError):
        certificate_statement(factory.certificate(), issuer=ISSUER, log_index=index)


def test_text_json_cannot_carry_is_refused_when_written() -> None:
    statement = RevocationStatement(
        certificate_id="cer_x",
        certificate_number="SS-2026-ABCDEFGH",
        mode="live",
        revoked_at="2026-12-01T00:00:00.000Z",
        reason="lone \ud800 surrogate",
        issuer=ISSUER,
        log_index=None,
    )
    with pytest.raises(StatementError):
        canonical_bytes(statement)


# --- the parser of verified payloads -------------------------------------------------------


@given(statements)
def test_a_written_statement_reads_back_the_same(statement: Statement) -> None:
    signed = canonical_bytes(statement)
    read = statement_from_claims(statement.typ, json.loads(signed))
    assert read == statement
    assert canonical_bytes(read) == signed


@given(statements, st.data())
def test_any_member_missing_extra_or_of_another_type_is_refused(
    statement: Statement, data: st.DataObject
) -> None:
    claims = statement.claims()
    name = data.draw(st.sampled_from(sorted(claims)))
    change = data.draw(st.sampled_from(["drop", "add", "retype"]))
    if change == "drop":
        del claims[name]
    elif change == "add":
        claims[name + "_extra"] = 1
    else:
        # A value of a kind that member never holds.
        claims[name] = [] if not isinstance(claims[name], list) else {}
    with pytest.raises(MalformedStatement):
        statement_from_claims(statement.typ, claims)


@given(statements)
def test_a_statement_read_as_the_other_kind_is_refused(statement: Statement) -> None:
    other = REVOCATION_TYP if statement.typ == CERTIFICATE_TYP else CERTIFICATE_TYP
    with pytest.raises(MalformedStatement):
        statement_from_claims(other, statement.claims())
    with pytest.raises(MalformedStatement):
        statement_from_claims("soundseal-other+jws", statement.claims())


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=20,
)


@given(
    st.sampled_from([CERTIFICATE_TYP, REVOCATION_TYP]),
    st.dictionaries(st.text(), json_values, max_size=14),
)
def test_arbitrary_claims_are_a_statement_or_refused(typ: str, claims: dict[str, Any]) -> None:
    with contextlib.suppress(MalformedStatement):
        statement_from_claims(typ, claims)


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("mode", "staging"),
        ("issued_at", "2026-12-01T00:00:00+01:00"),
        ("issued_at", "2026-13-01T00:00:00Z"),
        ("issued_at", "yesterday"),
        ("sha256_fingerprint", "AB" * 32),
        ("sha256_fingerprint", "ab" * 31),
        ("log_index", -1),
        ("log_index", True),
        ("log_index", 1.5),
        ("track_title", ""),
        ("acoustic_fingerprint", {"sha256": "ab" * 32, "duration_seconds": -1}),
        ("acoustic_fingerprint", {"sha256": "ab" * 32, "duration_seconds": False}),
        ("acoustic_fingerprint", {"sha256": "ab" * 32}),
        ("statement", "revocation"),
    ],
)
def test_values_outside_a_members_domain_are_refused(name: str, value: Any) -> None:
    good = CertificateStatement(
        certificate_id="cer_x",
        certificate_number="SS-2026-ABCDEFGH",
        mode="live",
        track_title="t",
        artist_name="a",
        isrc=None,
        sha256_fingerprint="ab" * 32,
        acoustic_fingerprint=None,
        match_policy_version=CURRENT_POLICY.version,
        issuer=ISSUER,
        issued_at="2026-12-01T00:00:00.000Z",
        log_index=None,
    )
    assert statement_from_claims(CERTIFICATE_TYP, good.claims()) == good
    claims = {**good.claims(), name: value}
    with pytest.raises(MalformedStatement):
        statement_from_claims(CERTIFICATE_TYP, claims)
