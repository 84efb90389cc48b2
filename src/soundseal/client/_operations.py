"""The API's operations, described once and sent by either client.

Each method builds a `Call`; `Client` sends it and returns the decoded body, `AsyncClient`
returns an awaitable of it. Adding an endpoint is one method here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Generic, TypeVar
from urllib.parse import quote

__all__ = ["Call", "Operations", "checkpoint_call", "tile_call"]

R = TypeVar("R")


@dataclass(frozen=True)
class Call:
    method: str
    path: str
    params: dict[str, Any] | None = None
    json: Any = None
    form: dict[str, str] | None = None
    upload: Path | None = None  # sent as multipart field `file`, reopened on every attempt
    idempotency_key: str | None = field(default=None)
    # A POST that changes nothing (identify) needs no Idempotency-Key to be retried safely.
    read_only: bool = False

    @property
    def is_write(self) -> bool:
        return self.method in ("POST", "PUT", "PATCH", "DELETE") and not self.read_only


def _segment(value: str) -> str:
    return quote(value, safe="")


def _clean(values: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in values.items() if v is not None}


_LOG_MODES = ("live", "test")


def _log_mode(mode: str) -> str:
    if mode not in _LOG_MODES:
        raise ValueError(f"a log mode is live or test, not {mode!r}")
    return mode


def checkpoint_call(mode: str) -> Call:
    """`GET /log/<mode>/checkpoint`: a signed note, not JSON."""
    return Call("GET", f"/log/{_log_mode(mode)}/checkpoint")


def tile_call(path: str, mode: str) -> Call:
    """`GET /log/<mode>/<path>` for a tile path (`tile/...`): bytes, not JSON."""
    if not path.startswith("tile/") or ".." in path.split("/"):
        raise ValueError(f"a tile path starts with 'tile/', not {path!r}")
    return Call("GET", f"/log/{_log_mode(mode)}/{path}")


class Operations(Generic[R]):
    def _send(self, call: Call) -> R:
        raise NotImplementedError

    # Certificates -------------------------------------------------------------------------

    def create_certificate(
        self,
        *,
        track_title: str,
        artist_name: str,
        sha256: str,
        isrc: str | None = None,
        type: str | None = None,
        declaration_text: str | None = None,
        audio_file_name: str | None = None,
        ai_disclosure: dict[str, Any] | None = None,
        fingerprint: str | None = None,
        duration_ms: int | None = None,
        encoding: str | None = None,
        idempotency_key: str | None = None,
    ) -> R:
        """Issue a certificate from a SHA-256 (and optionally a client-side fingerprint)."""
        body = _clean(
            {
                "track_title": track_title,
                "artist_name": artist_name,
                "sha256_fingerprint": sha256,
                "isrc": isrc,
                "type": type,
                "declaration_text": declaration_text,
                "audio_file_name": audio_file_name,
                "ai_disclosure": ai_disclosure,
                "fingerprint": fingerprint,
                "duration_ms": duration_ms,
                "encoding": encoding,
            }
        )
        return self._send(
            Call("POST", "/api/v1/certificates", json=body, idempotency_key=idempotency_key)
        )

    def certify_file(
        self,
        path: str | Path,
        *,
        track_title: str,
        artist_name: str,
        isrc: str | None = None,
        idempotency_key: str | None = None,
    ) -> R:
        """Issue a certificate by uploading the audio; the registry hashes and fingerprints it."""
        form = _clean({"track_title": track_title, "artist_name": artist_name, "isrc": isrc})
        return self._send(
            Call(
                "POST",
                "/api/v1/certificates",
                form=form,
                upload=Path(path),
                idempotency_key=idempotency_key,
            )
        )

    def get_certificate(self, id_or_number: str) -> R:
        return self._send(Call("GET", f"/api/v1/certificates/{_segment(id_or_number)}"))

    def certificate_status(self, certificate_id: str, *, fresh: bool = False) -> R:
        """`{id, status, updated_at, sequence}`; `fresh=True` bypasses every cache."""
        params = {"no_cache": "true"} if fresh else None
        return self._send(
            Call("GET", f"/api/v1/certificates/{_segment(certificate_id)}/status", params=params)
        )

    def revoke_certificate(
        self, certificate_id: str, *, reason: str, idempotency_key: str | None = None
    ) -> R:
        return self._send(
            Call(
                "POST",
                f"/api/v1/certificates/{_segment(certificate_id)}/revoke",
                json={"reason": reason},
                idempotency_key=idempotency_key,
            )
        )

    def certificate_versions(self, certificate_id: str) -> R:
        return self._send(Call("GET", f"/api/v1/certificates/{_segment(certificate_id)}/versions"))

    def list_certificates_page(
        self,
        *,
        limit: int = 100,
        cursor: str | None = None,
        status: str | None = None,
        artist: str | None = None,
    ) -> R:
        """One page; `iter_certificates` walks them all."""
        params = _clean({"limit": limit, "cursor": cursor, "status": status, "artist": artist})
        return self._send(Call("GET", "/api/v1/certificates", params=params))

    def changes(self, *, since_sequence: int = 0, limit: int = 1000) -> R:
        """One page of the change feed after `since_sequence`."""
        params = {"since_sequence": since_sequence, "limit": limit}
        return self._send(Call("GET", "/api/v1/certificates/changes", params=params))

    # Verification -------------------------------------------------------------------------

    def verify(
        self,
        *,
        certificate_number: str | None = None,
        sha256: str | None = None,
        isrc: str | None = None,
    ) -> R:
        params = _clean({"certificate_number": certificate_number, "sha256": sha256, "isrc": isrc})
        return self._send(Call("GET", "/api/v1/verify", params=params))

    def verify_audio(
        self,
        certificate_id: str,
        *,
        fingerprint: str | list[int],
        duration_ms: int,
        encoding: str = "raw_le_base64",
        idempotency_key: str | None = None,
    ) -> R:
        """Does the served audio match the certificate's master? Leaves a receipt."""
        body = {
            "fingerprint": fingerprint,
            "duration_ms": duration_ms,
            "algorithm": "chromaprint",
            "encoding": encoding,
        }
        return self._send(
            Call(
                "POST",
                f"/api/v1/certificates/{_segment(certificate_id)}/verify-audio",
                json=body,
                idempotency_key=idempotency_key,
            )
        )

    def receipt(self, receipt_id: str) -> R:
        return self._send(Call("GET", f"/api/v1/verification-receipts/{_segment(receipt_id)}"))

    def identify(
        self,
        *,
        fingerprint: str | list[int],
        duration_ms: int,
        encoding: str = "raw_le_base64",
        limit: int = 5,
    ) -> R:
        body = {
            "fingerprint": fingerprint,
            "duration_ms": duration_ms,
            "encoding": encoding,
            "limit": limit,
        }
        return self._send(Call("POST", "/api/v1/identify", json=body, read_only=True))

    # The transparency log and the signing keys ------------------------------------------

    def log_state(self, mode: str = "live") -> R:
        """`{mode, origin, size, root_hash, checkpoint, verifier_key}` of the `mode` log."""
        return self._send(Call("GET", f"/api/v1/log/{_log_mode(mode)}"))

    def jwks(self) -> R:
        """The registry's JWK Set (`/.well-known/jwks.json`): active and retired keys."""
        return self._send(Call("GET", "/.well-known/jwks.json"))

    def signed_certificate(self, certificate_id: str) -> R:
        """A certificate's latest signed statement (`jws`), its `log_index`, the log's state
        and a C2SP tlog proof against its checkpoint."""
        return self._send(Call("GET", f"/api/v1/certificates/{_segment(certificate_id)}/signed"))
