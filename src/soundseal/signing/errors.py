"""Errors of the signing package.

Signing keys live in files and in the `signing_keys` table; statements are checked by anyone
holding the published key set, offline. Each way this can fail is one class below, so that a
caller can tell a broken key file from a refused statement without reading messages, and so
that parsing outside input (a JWS, a key set) can promise to raise nothing but
`VerificationError`. Third-party errors (cryptography, joserfc, json, rfc8785) are converted
at the boundary with ``raise … from``.

    SigningError                     base of every error raised by soundseal.signing
    ├── KeyFileError                 a key file is missing, unreadable, or not an unencrypted
    │                                Ed25519 private key in PKCS#8 PEM (``path``)
    ├── RotationRefused              the key comes from SOUNDSEAL_SIGNING_KEY_FILE, which only
    │                                the operator can point elsewhere
    ├── KeyNotActive                 the key is retired or not published: it signs nothing
    │                                (``kid``, ``status``)
    ├── KeyringConflict              another process kept making a different key active while
    │                                this one registered its own
    ├── StatementError               a certificate cannot be stated as asked (a revocation of
    │                                a certificate that is not revoked, text JSON cannot carry)
    └── VerificationError            a JWS is refused; the only error `verify_statement` raises
        ├── MalformedJWS             not a compact JWS whose header is the statements' header
        ├── UnsupportedAlgorithm     ``alg`` is anything but EdDSA (``none`` and HS256 included)
        ├── UnknownKey               ``kid`` names no key of the key set (``kid``)
        ├── MalformedKeySet          the key set, or the key ``kid`` names in it, is not an
        │                            Ed25519 public JWK whose thumbprint is its ``kid``
        ├── BadSignature             the signature does not verify with the named key
        ├── NonCanonicalPayload      the signed bytes are not the RFC 8785 form of their JSON
        └── MalformedStatement       the payload is canonical JSON but not a statement
"""

from __future__ import annotations

from pathlib import Path

__all__ = [
    "BadSignature",
    "KeyFileError",
    "KeyNotActive",
    "KeyringConflict",
    "MalformedJWS",
    "MalformedKeySet",
    "MalformedStatement",
    "NonCanonicalPayload",
    "RotationRefused",
    "SigningError",
    "StatementError",
    "UnknownKey",
    "UnsupportedAlgorithm",
    "VerificationError",
]


class SigningError(Exception):
    """Base of every error raised by :mod:`soundseal.signing`."""


class KeyFileError(SigningError):
    """A signing key file cannot be used."""

    def __init__(self, message: str, *, path: Path) -> None:
        super().__init__(f"{message}: {path}")
        self.path = path


class RotationRefused(SigningError):
    """Rotation is the operator's when the key file is named by the settings."""


class KeyNotActive(SigningError):
    """The key is retired or unpublished, so it may not sign new statements."""

    def __init__(self, kid: str, status: str | None) -> None:
        shown = "not published" if status is None else status
        super().__init__(f"signing key {kid} is {shown}: it signs no new statements")
        self.kid = kid
        self.status = status


class KeyringConflict(SigningError):
    """Registering a key lost every race against processes registering other keys."""


class StatementError(SigningError):
    """A certificate cannot be made into the statement asked for."""


class VerificationError(SigningError):
    """A signed statement is refused."""


class MalformedJWS(VerificationError):
    """The input is not a compact JWS with the statements' protected header."""


class UnsupportedAlgorithm(VerificationError):
    """The header names an algorithm other than EdDSA."""


class UnknownKey(VerificationError):
    """The header's ``kid`` is not in the key set."""

    def __init__(self, kid: str) -> None:
        super().__init__(f"no key {kid!r} in the key set")
        self.kid = kid


class MalformedKeySet(VerificationError):
    """The key set, or the named key in it, is not usable."""


class BadSignature(VerificationError):
    """The signature does not verify."""


class NonCanonicalPayload(VerificationError):
    """The signed payload is not in RFC 8785 canonical form."""


class MalformedStatement(VerificationError):
    """The payload is not a certificate or revocation statement."""
