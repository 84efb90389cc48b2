"""Hypothesis strategies for statements: any member values their types allow."""

from __future__ import annotations

from datetime import datetime

from hypothesis import strategies as st

from soundseal.signing import AcousticDigest, CertificateStatement, RevocationStatement

__all__ = ["certificate_statements", "revocation_statements", "statements"]

_text = st.text(alphabet=st.characters(exclude_categories=["Cs"]), min_size=1, max_size=40)
_hex = st.text(alphabet="0123456789abcdef", min_size=64, max_size=64)
_time = st.datetimes(min_value=datetime(1970, 1, 1), max_value=datetime(9999, 1, 1)).map(
    lambda t: t.isoformat(timespec="milliseconds") + "Z"
)
_index = st.none() | st.integers(min_value=0, max_value=2**53 - 1)
_acoustic = st.none() | st.builds(
    AcousticDigest,
    sha256=_hex,
    duration_seconds=st.integers(min_value=0, max_value=6 * 3600 * 1000).map(lambda ms: ms / 1000),
)
certificate_statements = st.builds(
    CertificateStatement,
    certificate_id=_text,
    certificate_number=_text,
    mode=st.sampled_from(["live", "test"]),
    track_title=_text,
    artist_name=_text,
    isrc=st.none() | _text,
    sha256_fingerprint=_hex,
    acoustic_fingerprint=_acoustic,
    match_policy_version=_text,
    issuer=_text,
    issued_at=_time,
    log_index=_index,
)
revocation_statements = st.builds(
    RevocationStatement,
    certificate_id=_text,
    certificate_number=_text,
    mode=st.sampled_from(["live", "test"]),
    revoked_at=_time,
    reason=st.none() | _text,
    issuer=_text,
    log_index=_index,
)
statements = certificate_statements | revocation_statements
