"""Signed certificate statements: the registry's Ed25519 keys, and statements anyone can verify.

A certificate is only as trustworthy as the registry's word for it. Here that word is signed:
the public facts of a certificate (and of its revocation) as RFC 8785 canonical JSON, in a
compact JWS under an Ed25519 key whose public half is published in a JWK Set. Whoever holds
the key set verifies a statement offline, without asking the registry.

- `keys`: the private key in its file (generated in the data dir, or named by
  ``SOUNDSEAL_SIGNING_KEY_FILE``), its ``kid``, rotation.
- `keyring`: the published public keys (the `signing_keys` table), active or retired; the JWKS.
- `statements`: what is signed about a certificate, and its canonical bytes.
- `jws`: signing and offline verification.
- `signer`: signing through the keyring, refused for a key that is not active.
- `errors`: the exception tree.

This package knows nothing about HTTP.
"""

from soundseal.signing.errors import (
    BadSignature,
    KeyFileError,
    KeyNotActive,
    KeyringConflict,
    MalformedJWS,
    MalformedKeySet,
    MalformedStatement,
    NonCanonicalPayload,
    RotationRefused,
    SigningError,
    StatementError,
    UnknownKey,
    UnsupportedAlgorithm,
    VerificationError,
)
from soundseal.signing.jws import verify_statement
from soundseal.signing.keyring import (
    jwks,
    key_status,
    published_keys,
    register_key,
    retire_key,
)
from soundseal.signing.keys import (
    Rotation,
    SigningKey,
    jwk_thumbprint,
    load_key_file,
    load_signing_key,
    rotate_signing_key,
)
from soundseal.signing.signer import sign_certificate, sign_revocation, start_signing
from soundseal.signing.statements import (
    CERTIFICATE_TYP,
    REVOCATION_TYP,
    AcousticDigest,
    CertificateStatement,
    RevocationStatement,
    Statement,
    canonical_bytes,
    certificate_statement,
    revocation_statement,
)

__all__ = [
    "CERTIFICATE_TYP",
    "REVOCATION_TYP",
    "AcousticDigest",
    "BadSignature",
    "CertificateStatement",
    "KeyFileError",
    "KeyNotActive",
    "KeyringConflict",
    "MalformedJWS",
    "MalformedKeySet",
    "MalformedStatement",
    "NonCanonicalPayload",
    "RevocationStatement",
    "Rotation",
    "RotationRefused",
    "SigningError",
    "SigningKey",
    "Statement",
    "StatementError",
    "UnknownKey",
    "UnsupportedAlgorithm",
    "VerificationError",
    "canonical_bytes",
    "certificate_statement",
    "jwk_thumbprint",
    "jwks",
    "key_status",
    "load_key_file",
    "load_signing_key",
    "published_keys",
    "register_key",
    "retire_key",
    "revocation_statement",
    "rotate_signing_key",
    "sign_certificate",
    "sign_revocation",
    "start_signing",
    "verify_statement",
]
