"""The registry's public addresses: proof pages, verification pages, badges and the
contributor acknowledgement link.

Built here only, so that the API's views, the pages, webhook payloads and the CLI all hand
out the same address for a certificate. `*_path` is the address on this registry (for links
within its own pages); `*_url` prefixes the configured `public_url` (for everything that
leaves the registry: API answers, events, embeds).
"""

from __future__ import annotations

__all__ = [
    "acknowledgement_url",
    "badge_path",
    "badge_url",
    "proof_path",
    "proof_url",
    "verify_path",
    "verify_url",
]


def proof_path(certificate_id: str) -> str:
    return f"/cert/{certificate_id}"


def verify_path(certificate_number: str) -> str:
    return f"/verify/{certificate_number}"


def badge_path(certificate_id: str) -> str:
    return f"{proof_path(certificate_id)}/badge.svg"


def proof_url(base_url: str, certificate_id: str) -> str:
    """The certificate's public proof page, by ID."""
    return base_url + proof_path(certificate_id)


def verify_url(base_url: str, certificate_number: str) -> str:
    """The certificate's public proof page, by number (what people read out and type)."""
    return base_url + verify_path(certificate_number)


def badge_url(base_url: str, certificate_id: str) -> str:
    return base_url + badge_path(certificate_id)


def acknowledgement_url(base_url: str, token: str) -> str:
    """A contributor's one-time link to confirm their credit."""
    return f"{base_url}/contributors/ack/{token}"
