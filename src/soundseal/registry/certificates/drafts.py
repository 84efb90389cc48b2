"""What an issuance asks for (`NewCertificate`), and the checks its fields pass."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from soundseal.audio import Fingerprint
from soundseal.errors import InvalidInput
from soundseal.registry.certificates.isrc import normalize_isrc

__all__ = [
    "AI_INVOLVEMENT",
    "CERTIFICATE_TYPES",
    "NewCertificate",
    "normalize_sha256",
    "required_text",
    "validated",
]

_SHA256_RE = re.compile(r"^[0-9a-f]{64}$")
CERTIFICATE_TYPES = ("sound_recording", "composition")
AI_INVOLVEMENT = ("none", "assisted", "generated")


@dataclass(frozen=True)
class NewCertificate:
    track_title: str
    artist_name: str
    sha256: str
    isrc: str | None = None
    type: str = "sound_recording"
    declaration_text: str = "Original Work"
    audio_file_name: str | None = None
    ai_disclosure: dict[str, Any] | None = None
    # The master's acoustic fingerprint (whole length) and duration, when audio or a
    # client-computed fingerprint was submitted.
    acoustic: Fingerprint | None = None


def required_text(value: str, name: str, limit: int) -> str:
    """`value` stripped; refused (naming `name`) when empty or longer than `limit`."""
    value = value.strip()
    if not value:
        raise InvalidInput(f"{name} must not be empty", field=name)
    if len(value) > limit:
        raise InvalidInput(f"{name} is longer than {limit} characters", field=name)
    return value


def normalize_sha256(value: str, name: str = "sha256_fingerprint") -> str:
    value = value.strip().lower()
    if not _SHA256_RE.match(value):
        raise InvalidInput(f"{name} must be 64 hexadecimal characters (a SHA-256)", field=name)
    return value


def _ai_disclosure(value: dict[str, Any] | None) -> dict[str, Any] | None:
    if value is None:
        return None
    involvement = value.get("involvement")
    if involvement not in AI_INVOLVEMENT:
        raise InvalidInput(
            f"ai_disclosure.involvement must be one of {', '.join(AI_INVOLVEMENT)}",
            field="ai_disclosure.involvement",
        )
    tools = value.get("tools", [])
    if not isinstance(tools, list) or not all(isinstance(t, str) and t.strip() for t in tools):
        raise InvalidInput(
            "ai_disclosure.tools must be a list of tool names", field="ai_disclosure.tools"
        )
    unknown = sorted(set(value) - {"involvement", "tools"})
    if unknown:
        raise InvalidInput(
            f"ai_disclosure has unknown field(s): {', '.join(unknown)}", field="ai_disclosure"
        )
    return {"involvement": involvement, "tools": [t.strip() for t in tools]}


def validated(draft: NewCertificate) -> NewCertificate:
    """The draft with every field checked and normalised; `InvalidInput` names the first
    field that is not acceptable."""
    if draft.type not in CERTIFICATE_TYPES:
        raise InvalidInput(f"type must be one of {', '.join(CERTIFICATE_TYPES)}", field="type")
    return NewCertificate(
        track_title=required_text(draft.track_title, "track_title", 500),
        artist_name=required_text(draft.artist_name, "artist_name", 500),
        sha256=normalize_sha256(draft.sha256),
        isrc=normalize_isrc(draft.isrc) if draft.isrc else None,
        type=draft.type,
        declaration_text=required_text(draft.declaration_text, "declaration_text", 2000),
        audio_file_name=(
            required_text(draft.audio_file_name, "audio_file_name", 500)
            if draft.audio_file_name
            else None
        ),
        ai_disclosure=_ai_disclosure(draft.ai_disclosure),
        acoustic=draft.acoustic,
    )
