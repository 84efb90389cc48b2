"""Whatever a caller types as a certificate's ID or number, or as a verification lookup,
the answer is a value or a clean error naming the problem, never a crash."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from soundseal.db import Database
from soundseal.errors import InvalidInput, NotFound
from soundseal.registry.certificates.access import get_owned_certificate, mode_named_by
from soundseal.registry.verification.public import one_lookup

_IDENTS = st.one_of(
    st.text(max_size=80),
    st.from_regex(r"cer_(test_)?[0-9A-Z]{20,30}", fullmatch=True),
    st.from_regex(r"[Ss][Ss]-\d{4}-[0-9A-Za-z]{6,10}", fullmatch=True),
)


@given(ident=_IDENTS)
def test_the_mode_named_by_any_text_is_live_test_or_unsaid(ident: str) -> None:
    assert mode_named_by(ident) in ("live", "test", None)


_WITH_DATABASE = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@_WITH_DATABASE
@given(ident=_IDENTS)
def test_an_owned_lookup_of_any_text_is_not_found_cleanly(database: Database, ident: str) -> None:
    # A workspace with no certificates owns none, whatever is asked for.
    with database.transaction(write=False) as session, pytest.raises(NotFound) as refused:
        get_owned_certificate(session, ident, account_id="acc_nobody", mode="live")
    assert refused.value.code == "not_found"


_VALUE = st.none() | st.text(max_size=70)


@given(number=_VALUE, sha256=_VALUE, isrc=_VALUE)
def test_a_verification_names_exactly_one_lookup_or_is_refused(
    number: str | None, sha256: str | None, isrc: str | None
) -> None:
    if sum(v is not None for v in (number, sha256, isrc)) == 1:
        (value,) = one_lookup(number, sha256, isrc).values()
        assert value in (number, sha256, isrc)
        return
    with pytest.raises(InvalidInput) as refused:
        one_lookup(number, sha256, isrc)
    assert refused.value.extra["field"] in ("certificate_number", "sha256", "isrc")
