"""ISRC (ISO 3901) normalisation."""

from __future__ import annotations

import re

from soundseal.errors import InvalidInput

__all__ = ["normalize_isrc"]

# CC-XXX-YY-NNNNN: country (2 letters), registrant (3 alphanumerics), year (2 digits),
# designation (5 digits).
_ISRC_RE = re.compile(r"^[A-Z]{2}[A-Z0-9]{3}[0-9]{2}[0-9]{5}$")


def normalize_isrc(raw: str) -> str:
    value = raw.strip().upper().replace("-", "")
    if not _ISRC_RE.match(value):
        raise InvalidInput(
            f"isrc {raw!r} is not a valid ISRC: expected 2 letters, 3 letters or digits, "
            "2 digits and 5 digits (e.g. GB-EMI-76-12345)",
            field="isrc",
        )
    return value
