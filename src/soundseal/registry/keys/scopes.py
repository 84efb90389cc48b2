"""API key scopes."""

from __future__ import annotations

from soundseal.errors import InvalidInput

__all__ = ["ALL_SCOPES", "PUBLISHABLE_SCOPES", "parse_scopes"]

ALL_SCOPES: tuple[str, ...] = (
    "certificates:read",
    "certificates:write",
    "claims:read",
    "claims:write",
    "verify:read",
    "webhooks:read",
    "webhooks:manage",
    "billing:read",
    "billing:write",
)

# A publishable key is shipped in browsers: it reads public certificate fields and verifies,
# whatever scopes were asked for when it was minted.
PUBLISHABLE_SCOPES: tuple[str, ...] = ("certificates:read", "verify:read")


def parse_scopes(raw: str | list[str] | None) -> list[str]:
    """Validate a comma-separated (or listed) set of scopes; None means every scope."""
    if raw is None:
        return list(ALL_SCOPES)
    items = raw.split(",") if isinstance(raw, str) else list(raw)
    scopes = [s.strip() for s in items if s.strip()]
    unknown = sorted(set(scopes) - set(ALL_SCOPES))
    if unknown:
        raise InvalidInput(
            f"Unknown scope(s): {', '.join(unknown)}. Known scopes: {', '.join(ALL_SCOPES)}",
            field="scopes",
        )
    if not scopes:
        raise InvalidInput("At least one scope is required", field="scopes")
    return [s for s in ALL_SCOPES if s in scopes]
