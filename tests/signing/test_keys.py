"""Signing key files: generated once in the data dir (0600, PKCS#8 PEM) and kept across
restarts, loaded from SOUNDSEAL_SIGNING_KEY_FILE, refused when they are not Ed25519 keys,
and replaced by rotation only when they are the data dir's."""

from __future__ import annotations

import stat
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import (
    BestAvailableEncryption,
    Encoding,
    NoEncryption,
    PrivateFormat,
    PublicFormat,
)

from soundseal.settings import Settings, load_settings
from soundseal.signing import (
    KeyFileError,
    RotationRefused,
    jwk_thumbprint,
    load_key_file,
    load_signing_key,
    rotate_signing_key,
)
from soundseal.signing.keys import KEY_FILE_NAME, create_key_file, embedded_key_path


def embedded(tmp_path: Path) -> Settings:
    return load_settings(data_dir=tmp_path / "data")


def write_pem(path: Path, key: object, encryption: object = None) -> Path:
    path.write_bytes(
        key.private_bytes(  # type: ignore[attr-defined]
            Encoding.PEM, PrivateFormat.PKCS8, encryption or NoEncryption()
        )
    )
    return path


def mode_of(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_a_fresh_data_dir_gets_a_key_readable_by_its_owner_alone(tmp_path: Path) -> None:
    key = load_signing_key(embedded(tmp_path))
    path = tmp_path / "data" / KEY_FILE_NAME
    assert key.path == path
    assert mode_of(path) == 0o600
    assert path.read_bytes().startswith(b"-----BEGIN PRIVATE KEY-----\n")  # PKCS#8, unencrypted
    # Nothing but the key file is left in the directory (the staging file is gone).
    assert [p.name for p in path.parent.iterdir()] == [KEY_FILE_NAME]


def test_the_generated_key_survives_a_restart(tmp_path: Path) -> None:
    first = load_signing_key(embedded(tmp_path))
    again = load_signing_key(embedded(tmp_path))
    assert again.kid == first.kid
    assert again.public_jwk == first.public_jwk
    assert load_key_file(first.path).kid == first.kid


def test_each_data_dir_gets_its_own_key(tmp_path: Path) -> None:
    one = load_signing_key(load_settings(data_dir=tmp_path / "one"))
    two = load_signing_key(load_settings(data_dir=tmp_path / "two"))
    assert one.kid != two.kid


def test_the_kid_is_the_thumbprint_of_the_public_jwk(tmp_path: Path) -> None:
    key = load_signing_key(embedded(tmp_path))
    assert set(key.public_jwk) == {"crv", "kty", "x"}
    assert key.public_jwk["kty"] == "OKP"
    assert key.public_jwk["crv"] == "Ed25519"
    assert key.kid == jwk_thumbprint(key.public_jwk)


def test_rfc_8037_a3_thumbprint() -> None:
    jwk = {"crv": "Ed25519", "kty": "OKP", "x": "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}
    assert jwk_thumbprint(jwk) == "kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k"


def test_a_second_creation_is_refused_and_leaves_the_first_key(tmp_path: Path) -> None:
    path = tmp_path / "key.pem"
    first = create_key_file(path)
    with pytest.raises(KeyFileError):
        create_key_file(path)
    assert load_key_file(path).kid == first.kid
    assert sorted(p.name for p in tmp_path.iterdir()) == ["key.pem"]


def test_the_key_file_setting_is_used_and_never_created(tmp_path: Path) -> None:
    private = Ed25519PrivateKey.generate()
    path = write_pem(tmp_path / "fleet.pem", private)
    settings = load_settings(data_dir=tmp_path / "data", signing_key_file=path)
    key = load_signing_key(settings)
    assert key.path == path
    assert key.kid == load_key_file(path).kid
    assert not embedded_key_path(settings.data_dir).exists()
    missing = load_settings(data_dir=tmp_path / "data", signing_key_file=tmp_path / "none.pem")
    with pytest.raises(KeyFileError) as refused:
        load_signing_key(missing)
    assert refused.value.path == tmp_path / "none.pem"
    assert not (tmp_path / "none.pem").exists()


def test_the_setting_is_read_from_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write_pem(tmp_path / "fleet.pem", Ed25519PrivateKey.generate())
    monkeypatch.setenv("SOUNDSEAL_SIGNING_KEY_FILE", str(path))
    settings = load_settings(data_dir=tmp_path / "data")
    assert settings.signing_key_file == path
    assert load_signing_key(settings).kid == load_key_file(path).kid


@pytest.mark.parametrize(
    "content",
    [
        pytest.param(lambda: b"", id="empty"),
        pytest.param(lambda: b"-----BEGIN PRIVATE KEY-----\nnot base64\n", id="garbage"),
        pytest.param(
            lambda: ec.generate_private_key(ec.SECP256R1()).private_bytes(
                Encoding.PEM, PrivateFormat.PKCS8, NoEncryption()
            ),
            id="p256",
        ),
        pytest.param(
            lambda: Ed25519PrivateKey.generate().private_bytes(
                Encoding.PEM, PrivateFormat.PKCS8, BestAvailableEncryption(b"secret")
            ),
            id="encrypted",
        ),
        pytest.param(
            lambda: (
                Ed25519PrivateKey.generate()
                .public_key()
                .public_bytes(Encoding.PEM, PublicFormat.SubjectPublicKeyInfo)
            ),
            id="public-key",
        ),
        pytest.param(lambda: b"A" * (65 * 1024), id="too-large"),
    ],
)
def test_a_file_that_is_not_an_ed25519_private_key_is_refused(
    tmp_path: Path, content: object
) -> None:
    path = tmp_path / "key.pem"
    path.write_bytes(content())  # type: ignore[operator]
    with pytest.raises(KeyFileError) as refused:
        load_key_file(path)
    assert refused.value.path == path


def test_rotation_replaces_the_data_dirs_key_and_keeps_the_old_file(tmp_path: Path) -> None:
    settings = embedded(tmp_path)
    old = load_signing_key(settings)
    rotation = rotate_signing_key(settings)
    assert rotation.previous is not None
    assert rotation.previous.kid == old.kid
    assert rotation.current.kid != old.kid
    assert load_signing_key(settings).kid == rotation.current.kid  # what a restart loads
    kept = tmp_path / "data" / f"{old.kid}.retired.pem"
    assert load_key_file(kept).kid == old.kid
    assert mode_of(settings.data_dir / KEY_FILE_NAME) == 0o600
    assert mode_of(kept) == 0o600
    assert sorted(p.name for p in settings.data_dir.iterdir()) == sorted([KEY_FILE_NAME, kept.name])


def test_rotation_of_an_empty_data_dir_makes_its_first_key(tmp_path: Path) -> None:
    rotation = rotate_signing_key(embedded(tmp_path))
    assert rotation.previous is None
    assert load_signing_key(embedded(tmp_path)).kid == rotation.current.kid


def test_rotation_is_refused_for_the_key_file_setting(tmp_path: Path) -> None:
    path = write_pem(tmp_path / "fleet.pem", Ed25519PrivateKey.generate())
    before = path.read_bytes()
    settings = load_settings(data_dir=tmp_path / "data", signing_key_file=path)
    with pytest.raises(RotationRefused) as refused:
        rotate_signing_key(settings)
    assert "SOUNDSEAL_SIGNING_KEY_FILE" in str(refused.value)
    assert "restart" in str(refused.value)
    assert path.read_bytes() == before
    assert not settings.data_dir.exists()


def test_rotation_refuses_to_replace_a_broken_key_file(tmp_path: Path) -> None:
    settings = embedded(tmp_path)
    settings.data_dir.mkdir()
    (settings.data_dir / KEY_FILE_NAME).write_bytes(b"not a key")
    with pytest.raises(KeyFileError):
        rotate_signing_key(settings)
    assert (settings.data_dir / KEY_FILE_NAME).read_bytes() == b"not a key"


def test_processes_starting_at_once_share_the_one_key_made(tmp_path: Path) -> None:
    settings = embedded(tmp_path)
    start = threading.Barrier(8)

    def first_start() -> str:
        start.wait()
        return load_signing_key(settings).kid

    with ThreadPoolExecutor(max_workers=8) as pool:
        kids = list(pool.map(lambda _: first_start(), range(8)))
    assert len(set(kids)) == 1
    assert kids[0] == load_key_file(embedded_key_path(settings.data_dir)).kid
    assert [p.name for p in settings.data_dir.iterdir()] == [KEY_FILE_NAME]
