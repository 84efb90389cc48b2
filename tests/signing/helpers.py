"""Certificates to sign, made through the registry's own issuance, and key sets built from
signing keys as the registry would publish them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from joserfc.jwk import OKPKey

from soundseal.audio import Fingerprint
from soundseal.db import Database
from soundseal.registry.acoustic.index import AcousticIndex
from soundseal.registry.certificates.issuance import create_certificate
from soundseal.registry.certificates.models import Certificate
from soundseal.registry.certificates.services import NewCertificate
from soundseal.signing.keys import SigningKey
from tests.factories import BASE_URL, Factory, sha256_of

ISSUER = "https://registry.test"


def random_fingerprint(seed: int, seconds: int = 60) -> Fingerprint:
    """Random (so never matching, always diverse) values for `seconds` of audio."""
    rng = np.random.default_rng(seed)
    values = rng.integers(0, 2**32, size=seconds * 8, dtype=np.uint64).astype(np.uint32)
    return Fingerprint(values=values, duration_ms=seconds * 1000 + 40)


def fingerprinted_certificate(
    database: Database, factory: Factory, fingerprint: Fingerprint, **fields: Any
) -> Certificate:
    account = factory.account()
    draft = NewCertificate(
        track_title=fields.pop("track_title", "Fingerprinted"),
        artist_name=fields.pop("artist_name", "The Examples"),
        sha256=fields.pop("sha256", sha256_of(f"fingerprinted {account}")),
        acoustic=fingerprint,
        **fields,
    )
    with database.transaction() as session:
        return create_certificate(
            session,
            account_id=account,
            mode="live",
            draft=draft,
            actor="test",
            base_url=BASE_URL,
            notary=factory.notary,
            acoustic_index=AcousticIndex(),
        )


def key_set(*keys: SigningKey, retired: tuple[SigningKey, ...] = ()) -> dict[str, Any]:
    """The JWK Set publishing `keys` (and `retired`, marked so)."""
    entries: list[dict[str, Any]] = []
    for key in keys:
        entries.append({**key.public_jwk, "kid": key.kid, "use": "sig", "alg": "EdDSA"})
    for key in retired:
        entries.append(
            {**key.public_jwk, "kid": key.kid, "use": "sig", "alg": "EdDSA", "status": "retired"}
        )
    return {"keys": entries}


def memory_key() -> SigningKey:
    """A fresh signing key that was never written to a file."""
    private = OKPKey.import_key(Ed25519PrivateKey.generate())
    return SigningKey(private=private, kid=private.thumbprint(), path=Path("unwritten.pem"))
