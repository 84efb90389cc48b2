"""The registry's signer of log entries and checkpoints, built once when a process starts.

One Ed25519 key signs everything the registry states: the statements that are the logs'
leaves (as compact JWS, `soundseal.signing`) and each log's checkpoints (as signed notes,
`soundseal.transparency.note`). A `Notary` holds that key with the registry's public URL and
is handed to every registry function that records a change, as an argument: nothing reaches
the key through a global, so a function that writes to the log says so in its signature.

A log's origin, the first line of its checkpoints and the name of the note key that signs
them, is the public URL's host and path followed by ``/log/<mode>``, e.g.
``registry.example/log/live``: a schema-less URL, as C2SP tlog-checkpoint recommends.
Ed25519 signatures are deterministic, so the checkpoint of a given size and root is the
same text whichever process signs it, and is signed on demand rather than stored.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy.orm import Session

from soundseal.errors import SigningUnavailable
from soundseal.registry.certificates.models import Certificate
from soundseal.signing.errors import KeyNotActive
from soundseal.signing.jws import sign_statement
from soundseal.signing.keyring import require_active
from soundseal.signing.keys import SigningKey
from soundseal.signing.statements import certificate_statement, revocation_statement
from soundseal.transparency.note_fields import is_valid_key_name
from soundseal.transparency.note_keys import SignerKey, VerifierKey

__all__ = ["Notary", "log_origin"]


def log_origin(public_url: str, mode: str) -> str:
    """The origin of `mode`'s log at a registry whose public URL is `public_url`."""
    parts = urlsplit(public_url)
    host = parts.netloc.rpartition("@")[2]
    origin = f"{host}{parts.path.rstrip('/')}/log/{mode}"
    if not host or not is_valid_key_name(origin):
        raise ValueError(f"the public URL {public_url!r} does not name a log origin")
    return origin


@dataclass(frozen=True)
class Notary:
    """The signing key and the issuer (the registry's public URL) statements carry."""

    key: SigningKey
    issuer: str

    def __post_init__(self) -> None:
        log_origin(self.issuer, "live")  # refuse a public URL no origin can be made of

    def origin(self, mode: str) -> str:
        return log_origin(self.issuer, mode)

    def checkpoint_signer(self, mode: str) -> SignerKey:
        """The signed-note key of `mode`'s checkpoints: the same Ed25519 key, named the origin."""
        private = self.key.private.private_key
        assert isinstance(private, Ed25519PrivateKey)
        return SignerKey(self.origin(mode), private)

    def checkpoint_verifier(self, mode: str) -> VerifierKey:
        return self.checkpoint_signer(mode).verifier()

    def require_active(self, session: Session) -> None:
        """Refuse (`SigningUnavailable`) unless the key is still the published active key:
        checked before a change takes its place in the feed, so a refusal draws no sequence."""
        try:
            require_active(session, self.key.kid)
        except KeyNotActive as exc:
            raise SigningUnavailable(
                "This server's signing key was retired; restart it to sign with the current key"
            ) from exc

    def certificate_entry(self, cert: Certificate, index: int) -> bytes:
        """The leaf of `cert`'s issuance: its certificate statement at log index `index`."""
        statement = certificate_statement(cert, issuer=self.issuer, log_index=index)
        return sign_statement(statement, self.key).encode("ascii")

    def revocation_entry(self, cert: Certificate, index: int) -> bytes:
        """The leaf of `cert`'s revocation: its revocation statement at log index `index`."""
        statement = revocation_statement(cert, issuer=self.issuer, log_index=index)
        return sign_statement(statement, self.key).encode("ascii")
