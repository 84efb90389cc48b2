"""`soundseal signing-key show|rotate`: the JWKS as JSON; rotation of the embedded key, which
keeps the old key published as retired; refusal, with advice, for a key file set by the
settings. On the embedded registry, and on both databases through SOUNDSEAL_DATABASE_URL."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat

from soundseal.db import Database
from soundseal.settings import load_settings
from soundseal.signing import load_key_file, load_signing_key, verify_statement
from soundseal.signing.jws import sign_statement
from soundseal.signing.keys import KEY_FILE_NAME
from soundseal.signing.statements import RevocationStatement
from tests.cli.test_claims_cli import _env
from tests.cli.test_operator import run


def statuses(jwks: Any) -> list[tuple[str, str | None]]:
    return [(entry["kid"], entry.get("status")) for entry in jwks["keys"]]


def test_show_prints_an_empty_set_before_any_key_and_makes_none(tmp_path: Path) -> None:
    data = tmp_path / "registry"
    code, out = run("--data-dir", str(data), "signing-key", "show")
    assert (code, out) == (0, {"keys": []})
    assert not (data / KEY_FILE_NAME).exists()


def test_rotate_publishes_a_new_key_and_keeps_the_old_one_retired(tmp_path: Path) -> None:
    data = tmp_path / "registry"
    code, first = run("--data-dir", str(data), "signing-key", "rotate")
    assert code == 0, first
    assert isinstance(first, dict)
    assert first["retired"] is None
    assert first["key_file"] == str(data / KEY_FILE_NAME)
    assert statuses(first["jwks"]) == [(first["active"], None)]

    code, second = run("--data-dir", str(data), "signing-key", "rotate")
    assert code == 0, second
    assert isinstance(second, dict)
    assert second["retired"] == first["active"]
    assert second["active"] != first["active"]
    assert load_signing_key(load_settings(data_dir=data)).kid == second["active"]

    code, shown = run("--data-dir", str(data), "signing-key", "show")
    assert code == 0
    assert statuses(shown) == [(second["active"], None), (first["active"], "retired")]
    for entry in shown["keys"]:  # type: ignore[index]
        assert (entry["use"], entry["alg"], entry["kty"], entry["crv"]) == (
            "sig",
            "EdDSA",
            "OKP",
            "Ed25519",
        )


def test_what_the_old_key_signed_verifies_against_the_shown_keys(tmp_path: Path) -> None:
    data = tmp_path / "registry"
    run("--data-dir", str(data), "signing-key", "rotate")
    old = load_key_file(data / KEY_FILE_NAME)
    statement = RevocationStatement(
        certificate_id="cer_x",
        certificate_number="SS-2026-ABCDEFGH",
        mode="live",
        revoked_at="2026-12-01T00:00:00.000Z",
        reason=None,
        issuer="https://registry.test",
        log_index=None,
    )
    signed = sign_statement(statement, old)
    run("--data-dir", str(data), "signing-key", "rotate")
    code, shown = run("--data-dir", str(data), "signing-key", "show")
    assert code == 0
    assert isinstance(shown, dict)
    assert verify_statement(signed, shown) == statement


def test_rotate_is_refused_for_the_key_file_setting_with_advice(
    database: Database, tmp_path: Path
) -> None:
    key_file = tmp_path / "fleet.pem"
    key_file.write_bytes(
        Ed25519PrivateKey.generate().private_bytes(
            Encoding.PEM, PrivateFormat.PKCS8, NoEncryption()
        )
    )
    before = key_file.read_bytes()
    env = {**_env(database, tmp_path), "SOUNDSEAL_SIGNING_KEY_FILE": str(key_file)}
    code, out = run("signing-key", "rotate", env=env)
    assert code == 1
    assert isinstance(out, dict)
    assert out["code"] == "rotation_refused"
    assert "SOUNDSEAL_SIGNING_KEY_FILE" in out["error"]
    assert "restart" in out["error"]
    assert key_file.read_bytes() == before
    code, shown = run("signing-key", "show", env=env)
    assert (code, shown) == (0, {"keys": []})


def test_rotate_and_show_on_the_database_named_by_the_url(
    database: Database, tmp_path: Path
) -> None:
    env = _env(database, tmp_path)
    code, first = run("signing-key", "rotate", env=env)
    assert code == 0, first
    code, second = run("signing-key", "rotate", env=env)
    assert code == 0, second
    code, shown = run("signing-key", "show", env=env)
    assert code == 0
    assert statuses(shown) == [
        (second["active"], None),  # type: ignore[index]
        (first["active"], "retired"),  # type: ignore[index]
    ]
