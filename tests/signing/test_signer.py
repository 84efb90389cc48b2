"""Signing through the keyring, on SQLite and PostgreSQL: a start publishes the process's key;
after a rotation the old key stays published as retired, what it signed keeps verifying, new
statements carry the new kid, and the retired key refuses to sign."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat

from soundseal.db import Database
from soundseal.registry.certificates.models import Certificate
from soundseal.settings import Settings
from soundseal.signing import (
    KeyNotActive,
    SigningKey,
    jwks,
    load_key_file,
    register_key,
    rotate_signing_key,
    sign_certificate,
    sign_revocation,
    start_signing,
    verify_statement,
)
from soundseal.signing.statements import certificate_statement, revocation_statement
from tests.conftest import make_settings
from tests.factories import Factory
from tests.signing.helpers import ISSUER, fingerprinted_certificate, random_fingerprint


def start(database: Database, settings: Settings) -> SigningKey:
    with database.transaction() as session:
        return start_signing(session, settings)


def published(database: Database) -> dict[str, Any]:
    with database.transaction(write=False) as session:
        return jwks(session)


def sign(database: Database, key: SigningKey, cert: Certificate) -> str:
    with database.transaction(write=False) as session:
        return sign_certificate(session, key, cert, issuer=ISSUER)


def kid_of(jws: str) -> str:
    header = jws.split(".")[0]
    return str(json.loads(base64.urlsafe_b64decode(header + "=" * (-len(header) % 4)))["kid"])


def pem_file(path: Path) -> Path:
    key = Ed25519PrivateKey.generate()
    path.write_bytes(key.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption()))
    return path


def test_a_start_publishes_the_key_and_a_restart_keeps_it(
    database: Database, settings: Settings
) -> None:
    key = start(database, settings)
    again = start(database, settings)
    assert again.kid == key.kid
    keys = published(database)["keys"]
    assert [(k["kid"], k.get("status")) for k in keys] == [(key.kid, None)]


def test_a_signed_certificate_verifies_against_the_published_keys(
    database: Database, settings: Settings, factory: Factory
) -> None:
    key = start(database, settings)
    cert = fingerprinted_certificate(database, factory, random_fingerprint(seed=5), isrc=None)
    with database.transaction(write=False) as session:
        signed = sign_certificate(session, key, cert, issuer=ISSUER, log_index=12)
    statement = verify_statement(signed, published(database))
    assert statement == certificate_statement(cert, issuer=ISSUER, log_index=12)
    assert kid_of(signed) == key.kid


def test_a_signed_revocation_verifies(
    database: Database, settings: Settings, factory: Factory
) -> None:
    key = start(database, settings)
    cert = factory.revoke(factory.certificate(), reason="Released in error")
    with database.transaction(write=False) as session:
        signed = sign_revocation(session, key, cert, issuer=ISSUER, log_index=0)
    assert verify_statement(signed, published(database)) == revocation_statement(
        cert, issuer=ISSUER, log_index=0
    )


def test_rotation_keeps_old_statements_verifying_and_retires_the_old_key(
    database: Database, settings: Settings, factory: Factory
) -> None:
    old = start(database, settings)
    cert = factory.certificate()
    before = sign(database, old, cert)

    rotation = rotate_signing_key(settings)
    with database.transaction() as session:
        register_key(session, rotation.current)
    new = start(database, settings)  # the restart after a rotation
    assert new.kid == rotation.current.kid != old.kid

    keys = published(database)
    statuses = {k["kid"]: k.get("status") for k in keys["keys"]}
    assert statuses == {new.kid: None, old.kid: "retired"}
    # What the old key signed still verifies; new statements carry the new kid.
    assert verify_statement(before, keys) == certificate_statement(cert, issuer=ISSUER)
    after = sign(database, new, cert)
    assert kid_of(after) == new.kid
    assert verify_statement(after, keys) == certificate_statement(cert, issuer=ISSUER)
    # A process still holding the old key refuses to sign with it.
    with pytest.raises(KeyNotActive) as refused:
        sign(database, old, cert)
    assert refused.value.status == "retired"


def test_a_retired_key_refuses_revocations_too(
    database: Database, settings: Settings, factory: Factory
) -> None:
    old = start(database, settings)
    with database.transaction() as session:
        register_key(session, rotate_signing_key(settings).current)
    cert = factory.revoke(factory.certificate())
    with database.transaction(write=False) as session, pytest.raises(KeyNotActive):
        sign_revocation(session, old, cert, issuer=ISSUER)


def test_an_unpublished_key_refuses_to_sign(
    database: Database, settings: Settings, factory: Factory, tmp_path: Path
) -> None:
    stray = load_key_file(pem_file(tmp_path / "stray.pem"))
    with pytest.raises(KeyNotActive) as refused:
        sign(database, stray, factory.certificate())
    assert refused.value.status is None


def test_a_start_with_a_retired_key_file_is_refused(database: Database, tmp_path: Path) -> None:
    first = make_settings(database, tmp_path, signing_key_file=pem_file(tmp_path / "1.pem"))
    second = make_settings(database, tmp_path, signing_key_file=pem_file(tmp_path / "2.pem"))
    old = start(database, first)
    start(database, second)
    with pytest.raises(KeyNotActive) as refused:
        start(database, first)
    assert refused.value.kid == old.kid


def test_a_fleet_sharing_the_key_file_publishes_one_key(database: Database, tmp_path: Path) -> None:
    shared = pem_file(tmp_path / "fleet.pem")
    processes = [
        make_settings(database, tmp_path / str(n), signing_key_file=shared) for n in range(3)
    ]
    kids = {start(database, settings).kid for settings in processes}
    assert kids == {load_key_file(shared).kid}
    keys = published(database)["keys"]
    assert [k["kid"] for k in keys] == list(kids)
    # No process generated a key of its own in its data dir.
    assert not any((tmp_path / str(n) / "data").exists() for n in range(3))
