"""Signed statements as compact JWS (RFC 7515), and their verification offline.

A statement is signed with Ed25519 under the ``alg`` RFC 8037 names, ``EdDSA``; the header
also carries ``kid``, the RFC 7638 thumbprint of the signing key, and ``typ``, the kind of
statement. The payload is the statement's RFC 8785 canonical JSON.

Verification trusts nothing in the JWS but what it checks: the one algorithm (so ``none``,
HMAC with a public key as its secret, or any other choice a forger could make is refused
before a key is looked at), a key the caller's key set names by that ``kid`` and whose
thumbprint it is, the signature, and a payload that is exactly the canonical form of its own
JSON, so that one statement has one signed byte form. Every refusal is a
:class:`~soundseal.signing.errors.VerificationError`.

RFC 9864 prefers the fully specified ``Ed25519`` to the polymorphic ``EdDSA``; statements
keep RFC 8037's name, which every JOSE library verifies, and the JOSE library's warning about
it is not raised on every signature.
"""

from __future__ import annotations

import base64
import binascii
import functools
import json
import re
from collections.abc import Mapping, Sequence
from typing import Any, Final

import rfc8785
from joserfc import jws as jose
from joserfc.errors import JoseError
from joserfc.jwa import EdDSAAlgorithm
from joserfc.jwk import OKPKey

from soundseal.signing.errors import (
    BadSignature,
    MalformedJWS,
    MalformedKeySet,
    NonCanonicalPayload,
    UnknownKey,
    UnsupportedAlgorithm,
)
from soundseal.signing.keyring import JWS_ALGORITHM
from soundseal.signing.keys import SigningKey, jwk_thumbprint
from soundseal.signing.statements import (
    CERTIFICATE_TYP,
    REVOCATION_TYP,
    Statement,
    canonical_bytes,
    statement_from_claims,
)

__all__ = ["sign_compact", "sign_statement", "verify_statement"]

_HEADER_MEMBERS: Final = frozenset({"alg", "kid", "typ"})
_TYPES: Final = frozenset({CERTIFICATE_TYP, REVOCATION_TYP})
# Far above any statement (titles are at most 500 characters); bounds the work of a refusal.
_MAX_JWS_CHARS: Final = 64 * 1024
_MAX_HEADER_CHARS: Final = 1024
_COMPACT = re.compile(r"([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]*)\.([A-Za-z0-9_-]*)")


class _EdDSA(EdDSAAlgorithm):
    # The library types it as a warning's text; None is what it reads as no warning.
    security_warning = None  # type: ignore[assignment]  # see the module docstring


class _StatementAlgorithms(jose.JWSRegistry):
    """EdDSA and nothing else."""

    algorithms = {JWS_ALGORITHM: _EdDSA()}  # replaces the library's table of every algorithm
    recommended = [JWS_ALGORITHM]


_REGISTRY = _StatementAlgorithms(algorithms=[JWS_ALGORITHM])


def sign_compact(header: Mapping[str, str], payload: bytes, key: OKPKey) -> str:
    """The compact JWS of ``payload`` under ``header`` (whose ``alg`` must be EdDSA), signed
    with the private Ed25519 ``key``; the header's members are written in the order given."""
    if header.get("alg") != JWS_ALGORITHM:
        raise ValueError(f"statements are signed with {JWS_ALGORITHM} only")
    return jose.serialize_compact(dict(header), payload, key, registry=_REGISTRY)


def sign_statement(statement: Statement, key: SigningKey) -> str:
    """The statement signed with ``key``. This does not ask whether the key is still active:
    :mod:`soundseal.signing.signer` does, and is what the registry signs through."""
    header = {"alg": JWS_ALGORITHM, "kid": key.kid, "typ": statement.typ}
    return sign_compact(header, canonical_bytes(statement), key.private)


def verify_statement(jws: str, jwks: Mapping[str, Any]) -> Statement:
    """The statement ``jws`` holds, if it verifies with the key ``jwks`` names by its ``kid``.

    Retired keys verify too: they stay published so that what they signed keeps verifying.
    Raises only :class:`~soundseal.signing.errors.VerificationError`.
    """
    if not isinstance(jws, str) or len(jws) > _MAX_JWS_CHARS:
        raise MalformedJWS("a statement is a compact JWS string")
    parts = _COMPACT.fullmatch(jws)
    if parts is None:
        raise MalformedJWS("not a compact JWS: three base64url parts joined by dots")
    header = _protected_header(parts[1])
    if header.get("alg") != JWS_ALGORITHM:
        raise UnsupportedAlgorithm(f"statements are signed with {JWS_ALGORITHM} only")
    if set(header) != _HEADER_MEMBERS:
        raise MalformedJWS(f"the header has exactly the members {sorted(_HEADER_MEMBERS)}")
    kid, typ = header["kid"], header["typ"]
    if not isinstance(kid, str) or typ not in _TYPES:
        raise MalformedJWS("the header's kid must be a string and typ a statement type")
    key = _public_key(jwks, kid)
    try:
        signed = jose.extract_compact(jws.encode("ascii"), registry=_REGISTRY)
        valid = jose.validate_compact(signed, key, registry=_REGISTRY)
    except (JoseError, ValueError) as exc:
        raise MalformedJWS(f"not a valid compact JWS ({exc})") from exc
    if not valid:
        raise BadSignature("the signature does not verify with the key its kid names")
    return statement_from_claims(typ, _canonical_claims(signed.payload))


def _b64url(segment: str) -> bytes:
    """Strict base64url without padding: one encoding per value, as RFC 7515 writes it."""
    try:
        raw = base64.b64decode(segment + "=" * (-len(segment) % 4), altchars=b"-_", validate=True)
    except binascii.Error as exc:
        raise MalformedJWS("a part is not base64url") from exc
    if base64.urlsafe_b64encode(raw).rstrip(b"=") != segment.encode("ascii"):
        raise MalformedJWS("a part is not in canonical base64url")
    return raw


def _protected_header(segment: str) -> dict[str, Any]:
    if len(segment) > _MAX_HEADER_CHARS:
        raise MalformedJWS("the protected header is too large")
    try:
        header = json.loads(_b64url(segment).decode("utf-8"), object_pairs_hook=_unique_members)
    except (ValueError, RecursionError) as exc:
        raise MalformedJWS("the protected header is not a JSON object") from exc
    if not isinstance(header, dict):
        raise MalformedJWS("the protected header is not a JSON object")
    return header


def _canonical_claims(payload: bytes) -> Mapping[str, Any]:
    try:
        claims = json.loads(payload.decode("utf-8"), object_pairs_hook=_unique_members)
        canonical = rfc8785.dumps(claims)
    except (ValueError, RecursionError) as exc:  # rfc8785's errors are ValueErrors
        raise NonCanonicalPayload("the payload is not canonical JSON") from exc
    if canonical != payload:
        raise NonCanonicalPayload("the payload is not in RFC 8785 canonical form")
    if not isinstance(claims, dict):
        raise NonCanonicalPayload("the payload is not a JSON object")
    return claims


def _unique_members(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    members = dict(pairs)
    if len(members) != len(pairs):
        raise ValueError("a member appears twice")
    return members


def _public_key(jwks: Mapping[str, Any], kid: str) -> OKPKey:
    """The key ``jwks`` names ``kid``, which must be an Ed25519 public key whose thumbprint
    is ``kid``: a key set cannot give one key another key's name."""
    keys = jwks.get("keys") if isinstance(jwks, Mapping) else None
    if not isinstance(keys, Sequence) or isinstance(keys, str | bytes):
        raise MalformedKeySet("a key set is an object whose keys member is a list")
    named = [entry for entry in keys if isinstance(entry, Mapping) and entry.get("kid") == kid]
    if not named:
        raise UnknownKey(kid)
    if len(named) > 1:
        raise MalformedKeySet(f"the key set names more than one key {kid!r}")
    entry = named[0]
    x = entry.get("x")
    usable = (
        entry.get("kty") == "OKP"
        and entry.get("crv") == "Ed25519"
        and "d" not in entry
        and entry.get("alg", JWS_ALGORITHM) == JWS_ALGORITHM
        and entry.get("use", "sig") == "sig"
    )
    if not usable or not isinstance(x, str):
        raise MalformedKeySet(f"key {kid!r} is not an Ed25519 public signing key")
    return _named_key(kid, x)


@functools.lru_cache(maxsize=64)
def _named_key(kid: str, x: str) -> OKPKey:
    """The Ed25519 public key `x`, if its thumbprint is `kid`. Cached: a log's entries name
    one or two keys, and the thumbprint and import cost a third of a verification."""
    public: dict[str, str | list[str]] = {"crv": "Ed25519", "kty": "OKP", "x": x}
    if jwk_thumbprint({"crv": "Ed25519", "kty": "OKP", "x": x}) != kid:
        raise MalformedKeySet(f"key {kid!r} is not the key whose thumbprint is {kid!r}")
    try:
        return OKPKey.import_key(public)
    except (JoseError, ValueError, TypeError) as exc:
        raise MalformedKeySet(f"key {kid!r} is not a usable Ed25519 key") from exc
