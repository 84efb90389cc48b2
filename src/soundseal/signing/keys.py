"""Ed25519 signing keys: where the private key lives, and how it is made, loaded and replaced.

The private key is kept in a file, never in the database: backups, replicas and anyone who
can read the registry's tables would otherwise hold it too. An embedded registry makes its
own key in the data dir the first time it starts (mode 0600, PKCS#8 PEM), so a fresh install
signs without any set-up. A fleet — several processes sharing one database — must sign with
one key, so there the operator names a key file with ``SOUNDSEAL_SIGNING_KEY_FILE`` and every
process loads the same one. The key's ID (``kid``) is its RFC 7638 JWK thumbprint, so it is
derived from the key itself and every process computes the same one.

Rotation replaces the data dir's key file (the old one is kept beside it under its ``kid``,
and may be deleted: a retired key never signs again, and its public half stays published in
the database). A key named by the setting is the operator's to replace: point the setting at
a new file and restart.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    NoEncryption,
    PrivateFormat,
    load_pem_private_key,
)
from joserfc.jwk import OKPKey, thumbprint

from soundseal.settings import Settings
from soundseal.signing.errors import KeyFileError, RotationRefused

__all__ = [
    "KEY_FILE_NAME",
    "Rotation",
    "SigningKey",
    "create_key_file",
    "embedded_key_path",
    "jwk_thumbprint",
    "load_key_file",
    "load_signing_key",
    "rotate_signing_key",
]

KEY_FILE_NAME = "signing-key.pem"
# A PKCS#8 PEM Ed25519 key is about 120 bytes; anything far larger is not one.
_MAX_KEY_FILE_BYTES = 64 * 1024
_OWNER_ONLY = 0o600


@dataclass(frozen=True, slots=True)
class SigningKey:
    """A private Ed25519 key, the file it came from, and its ID."""

    private: OKPKey
    kid: str
    path: Path

    @property
    def public_jwk(self) -> dict[str, str]:
        """The public key as a JWK holding only its required members (``crv``, ``kty``, ``x``)."""
        values = self.private.as_dict(private=False)
        return {name: str(values[name]) for name in ("crv", "kty", "x")}


def jwk_thumbprint(jwk: Mapping[str, str]) -> str:
    """The RFC 7638 thumbprint (SHA-256, base64url) of a public JWK: a key's ``kid``."""
    return thumbprint(dict(jwk))


def embedded_key_path(data_dir: Path) -> Path:
    """Where an embedded registry keeps its signing key."""
    return data_dir / KEY_FILE_NAME


def load_key_file(path: Path) -> SigningKey:
    """Read an unencrypted Ed25519 private key in PKCS#8 PEM."""
    try:
        with path.open("rb") as file:
            data = file.read(_MAX_KEY_FILE_BYTES + 1)
    except OSError as exc:
        raise KeyFileError(f"cannot read the signing key file ({exc.strerror})", path=path) from exc
    if len(data) > _MAX_KEY_FILE_BYTES:
        raise KeyFileError("the signing key file is too large to be a key", path=path)
    try:
        private = load_pem_private_key(data, password=None)
    except (ValueError, TypeError, UnsupportedAlgorithm) as exc:
        raise KeyFileError(
            "the signing key file is not an unencrypted PKCS#8 PEM private key", path=path
        ) from exc
    if not isinstance(private, Ed25519PrivateKey):
        raise KeyFileError("the signing key file holds a key that is not Ed25519", path=path)
    return _signing_key(private, path)


def create_key_file(path: Path) -> SigningKey:
    """Generate a key into a new file readable by its owner alone.

    The file appears whole or not at all, and never replaces one already there: of several
    processes starting at once, one creates it, and :class:`KeyFileError` tells the others.
    """
    private = Ed25519PrivateKey.generate()
    with _staged(path, _pem(private)) as staged:
        try:
            os.link(staged, path)
        except FileExistsError as exc:
            raise KeyFileError("a signing key file is already there", path=path) from exc
    return _signing_key(private, path)


def load_signing_key(settings: Settings) -> SigningKey:
    """The key this registry signs with.

    ``SOUNDSEAL_SIGNING_KEY_FILE`` when set (never created: a fleet must share one key, so a
    missing file is an error); otherwise the data dir's key, generated on first use.
    """
    if settings.signing_key_file is not None:
        return load_key_file(settings.signing_key_file)
    path = embedded_key_path(settings.data_dir)
    if not path.exists():
        try:
            return create_key_file(path)
        except KeyFileError:
            if not path.exists():
                raise
            # Another process created it between the look and the link: use theirs.
    return load_key_file(path)


@dataclass(frozen=True, slots=True)
class Rotation:
    """What a rotation did: the key replaced (None when there was none yet) and the new one."""

    previous: SigningKey | None
    current: SigningKey


def rotate_signing_key(settings: Settings) -> Rotation:
    """Replace the data dir's key with a new one, keeping the old file as ``<kid>.retired.pem``.

    The new key is published (and the old one retired) when it is registered, which the
    caller does next, and which every start does too. Refused when the key comes from
    ``SOUNDSEAL_SIGNING_KEY_FILE``.
    """
    if settings.signing_key_file is not None:
        raise RotationRefused(
            "the signing key is SOUNDSEAL_SIGNING_KEY_FILE, which soundseal does not replace: "
            "write a new Ed25519 PKCS#8 PEM key (e.g. `openssl genpkey -algorithm ed25519 "
            "-out new-key.pem`), point SOUNDSEAL_SIGNING_KEY_FILE at it and restart every "
            "process; the first to start publishes it and retires the old key"
        )
    path = embedded_key_path(settings.data_dir)
    previous = None
    if path.exists():
        previous = load_key_file(path)
        kept = path.with_name(f"{previous.kid}.retired.pem")
        try:
            os.link(path, kept)
        except FileExistsError:
            pass  # kept by an earlier rotation that did not finish
        except OSError as exc:
            raise KeyFileError(f"cannot keep the old key ({exc.strerror})", path=kept) from exc
    private = Ed25519PrivateKey.generate()
    with _staged(path, _pem(private)) as staged:
        os.replace(staged, path)
    return Rotation(previous=previous, current=_signing_key(private, path))


def _signing_key(private: Ed25519PrivateKey, path: Path) -> SigningKey:
    key = OKPKey.import_key(private)
    return SigningKey(private=key, kid=key.thumbprint(), path=path)


def _pem(private: Ed25519PrivateKey) -> bytes:
    return private.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption())


@contextmanager
def _staged(path: Path, data: bytes) -> Iterator[Path]:
    """A new file beside ``path`` holding ``data``, mode 0600 and flushed to disk, for the
    caller to link or rename into place; its staging name is removed afterwards."""
    staged = path.with_name(f".{path.name}.{secrets.token_hex(8)}.new")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(staged, os.O_WRONLY | os.O_CREAT | os.O_EXCL, _OWNER_ONLY)
        with os.fdopen(descriptor, "wb") as file:
            # The mode given to open() is narrowed by the umask; set it exactly.
            os.fchmod(file.fileno(), _OWNER_ONLY)
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
        yield staged
    except OSError as exc:
        raise KeyFileError(
            f"cannot write the signing key file ({exc.strerror})", path=path
        ) from exc
    finally:
        staged.unlink(missing_ok=True)
