"""Public verification: which certificate a number, SHA-256 or ISRC names, and what anyone
holding a `verify:read` key is told about it."""

from __future__ import annotations

from typing import Any

from soundseal.db.fastread import Reader
from soundseal.errors import InvalidInput
from soundseal.registry.certificates.lookups import find_for_verification
from soundseal.registry.certificates.views import verification_view
from soundseal.urls import verify_url

__all__ = ["find_named", "not_found", "one_lookup", "verify_certificate"]

# How the answer names what was not found.
_WHAT = {"certificate_number": "number", "sha256": "hash", "isrc": "ISRC"}


def one_lookup(
    certificate_number: str | None, sha256: str | None, isrc: str | None
) -> dict[str, str]:
    """The one lookup a verification names, as `{field: value}`; refused for none or several."""
    given = {
        name: value
        for name, value in (
            ("certificate_number", certificate_number),
            ("sha256", sha256),
            ("isrc", isrc),
        )
        if value is not None
    }
    if len(given) != 1:
        raise InvalidInput(
            "Give exactly one of certificate_number, sha256 or isrc",
            field=next(iter(given), "certificate_number"),
        )
    return given


def find_named(
    reader: Reader,
    *,
    mode: str,
    certificate_number: str | None,
    sha256: str | None,
    isrc: str | None,
) -> tuple[tuple[str, str], Any]:
    """The one lookup a verification names, as `(field, value)`, and the certificate it finds
    in `mode` (an active one first), or None."""
    given = one_lookup(certificate_number, sha256, isrc)
    found = find_for_verification(
        reader, mode=mode, certificate_number=certificate_number, sha256=sha256, isrc=isrc
    )
    return next(iter(given.items())), found


def not_found(name: str, value: str, *, what: str) -> dict[str, Any]:
    """The answer when nothing matched, echoing the value looked up under its own name."""
    return {
        "verified": False,
        "message": f"No matching certificate found for this {what}",
        name: value,
    }


def verify_certificate(
    reader: Reader,
    *,
    mode: str,
    certificate_number: str | None,
    sha256: str | None,
    isrc: str | None,
    base_url: str,
) -> dict[str, Any]:
    """The answer to a public verification in `mode`: `verified` only for an active
    certificate; a revoked one is shown with the fact that it was revoked."""
    (name, value), cert = find_named(
        reader, mode=mode, certificate_number=certificate_number, sha256=sha256, isrc=isrc
    )
    if cert is None:
        return not_found(name, value, what=_WHAT[name])
    body: dict[str, Any] = {
        "verified": cert.status == "active",
        "certificate": verification_view(cert),
        "verification_url": verify_url(base_url, cert.certificate_number),
    }
    if cert.status != "active":
        body["message"] = f"Certificate {cert.certificate_number} has been revoked"
    return body
