"""What the pages show of a certificate: proof facts, machine-readable metadata, snippets."""

from __future__ import annotations

from typing import Any

from soundseal.registry.certificates.models import Certificate
from soundseal.registry.certificates.views import iso
from soundseal.registry.claims.services import CLAIM_TYPES
from soundseal.urls import badge_url, proof_url

__all__ = ["TYPE_LABELS", "ai_disclosure_text", "format_isrc", "json_ld", "open_graph", "snippets"]

# How the claim forms name each type of claim.
TYPE_LABELS = {
    "ownership": "Ownership: I hold the rights in this recording",
    "credit": "Credit: a contributor is missing or wrong",
    "ai_use": "AI use: the AI disclosure is wrong",
    "other": "Something else",
}
assert set(TYPE_LABELS) == set(CLAIM_TYPES)

_INVOLVEMENT = {
    "none": "No AI involvement declared",
    "assisted": "Made with AI assistance",
    "generated": "AI-generated",
}


def format_isrc(isrc: str | None) -> str:
    """CC-XXX-YY-NNNNN, as ISRCs are printed."""
    if not isrc or len(isrc) != 12:
        return isrc or ""
    return f"{isrc[:2]}-{isrc[2:5]}-{isrc[5:7]}-{isrc[7:]}"


def ai_disclosure_text(cert: Certificate) -> str:
    disclosure = cert.ai_disclosure
    if not disclosure:
        return "Not declared"
    text = _INVOLVEMENT.get(str(disclosure.get("involvement")), "Not declared")
    tools = [str(t) for t in disclosure.get("tools") or []]
    return f"{text} (tools: {', '.join(tools)})" if tools else text


def json_ld(cert: Certificate, *, proof_url: str) -> dict[str, Any]:
    """schema.org metadata: the recording, and the certificate as identifiers on it."""
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "MusicRecording",
        "@id": proof_url,
        "url": proof_url,
        "name": cert.track_title,
        "byArtist": {"@type": "MusicGroup", "name": cert.artist_name},
        "creativeWorkStatus": cert.status,
        "identifier": [
            {"@type": "PropertyValue", "propertyID": "soundseal:certificate_id", "value": cert.id},
            {
                "@type": "PropertyValue",
                "propertyID": "soundseal:certificate_number",
                "value": cert.certificate_number,
            },
            {"@type": "PropertyValue", "propertyID": "sha256", "value": cert.sha256},
        ],
        "dateCreated": iso(cert.issued_at),
        "dateModified": iso(cert.updated_at),
    }
    if cert.isrc:
        data["isrcCode"] = format_isrc(cert.isrc)
    return data


def open_graph(cert: Certificate, *, proof_url: str, base_url: str) -> dict[str, str]:
    state = "Active" if cert.status == "active" else "Revoked"
    return {
        "og:type": "music.song",
        "og:site_name": "soundseal",
        "og:title": f"{cert.track_title} by {cert.artist_name}",
        "og:description": (
            f"{state} soundseal provenance certificate {cert.certificate_number} "
            f"for “{cert.track_title}” by {cert.artist_name}."
        ),
        "og:url": proof_url,
        "og:image": badge_url(base_url, cert.id),
    }


def snippets(cert: Certificate, *, base_url: str) -> dict[str, str]:
    """The copy-and-paste embeds offered in the dashboard."""
    number = cert.certificate_number
    return {
        "seal": (
            f'<span data-soundseal-cert="{cert.id}" data-variant="mini" data-size="16"></span>\n'
            f'<script src="{base_url}/static/embed-widget.js" async></script>'
        ),
        "verify": (
            f'<div class="soundseal-verify" data-certificate="{number}" '
            'data-theme="dark"></div>\n'
            f'<script src="{base_url}/embed.js" async></script>'
        ),
        "iframe": (
            f'<iframe src="{base_url}/embed/verify/{number}?theme=dark" width="100%" '
            'height="340" style="border:none;border-radius:8px" '
            'title="soundseal certificate verification" loading="lazy" '
            'sandbox="allow-popups allow-popups-to-escape-sandbox"></iframe>'
        ),
        "badge": (
            f"[![soundseal certificate]({badge_url(base_url, cert.id)})]"
            f"({proof_url(base_url, cert.id)})"
        ),
    }
