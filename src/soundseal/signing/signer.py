"""Signing with the registry's key, only while the published keys say it is the active one.

A key file cannot tell a running process that its key was retired: another process of the
fleet may have started with a new key, or an operator rotated the embedded key while the
server ran. The `signing_keys` table can, so every signature is refused
(:class:`~soundseal.signing.errors.KeyNotActive`) unless the key's row, read in the caller's
transaction, says it is active. A retired key keeps verifying what it signed before.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from soundseal.matching import CURRENT_POLICY
from soundseal.registry.certificates.models import Certificate
from soundseal.settings import Settings
from soundseal.signing.errors import KeyNotActive
from soundseal.signing.jws import sign_statement
from soundseal.signing.keyring import register_key, require_active
from soundseal.signing.keys import SigningKey, load_signing_key
from soundseal.signing.models import ACTIVE
from soundseal.signing.statements import certificate_statement, revocation_statement

__all__ = ["sign_certificate", "sign_revocation", "start_signing"]


def start_signing(session: Session, settings: Settings) -> SigningKey:
    """Load (or, embedded, first generate) the signing key and publish it: what a process
    does when it starts. A new key becomes the active one and retires the one before it.

    Raises :class:`KeyNotActive` when the key was retired since it was published (a process
    started with the file of a key that was rotated away): it could sign nothing, and the
    settings should name the current key.
    """
    key = load_signing_key(settings)
    record = register_key(session, key)
    if record.status != ACTIVE:
        raise KeyNotActive(key.kid, record.status)
    return key


def sign_certificate(
    session: Session,
    key: SigningKey,
    cert: Certificate,
    *,
    issuer: str,
    log_index: int | None = None,
    policy_version: str = CURRENT_POLICY.version,
) -> str:
    """The compact JWS of ``cert``'s statement, signed with ``key`` if it is active."""
    require_active(session, key.kid)
    statement = certificate_statement(
        cert, issuer=issuer, log_index=log_index, policy_version=policy_version
    )
    return sign_statement(statement, key)


def sign_revocation(
    session: Session,
    key: SigningKey,
    cert: Certificate,
    *,
    issuer: str,
    log_index: int | None = None,
) -> str:
    """The compact JWS stating that ``cert`` was revoked, signed with ``key`` if it is active."""
    require_active(session, key.kid)
    return sign_statement(revocation_statement(cert, issuer=issuer, log_index=log_index), key)
