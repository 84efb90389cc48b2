"""The shape of `Stripe-Signature`, checked before the webhook's body is read."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from soundseal.errors import InvalidInput
from soundseal.payments.signature_header import check_stripe_signature_header
from tests.stripe_fake import signed_event


def test_stripe_s_own_headers_pass() -> None:
    _, header = signed_event("whsec_test_secret", {"id": "evt_1", "type": "x", "data": {}})
    check_stripe_signature_header(header)
    check_stripe_signature_header(f"{header},v1={'0' * 64},v0={'f' * 64}")


@pytest.mark.parametrize(
    "header",
    [
        None,
        "",
        "v1=" + "a" * 64,
        "t=1700000000",
        "t=1700000000,v1=abc",
        "t=now,v1=" + "a" * 64,
        "t=1,t=2,v1=" + "a" * 64,
        "t=1700000000,v1=" + "a" * 64 + ",garbage",
        "t=1700000000," + ",".join(["v1=" + "a" * 64] * 40),
    ],
)
def test_malformed_headers_are_refused_naming_the_header(header: str | None) -> None:
    with pytest.raises(InvalidInput) as refused:
        check_stripe_signature_header(header)
    assert refused.value.extra["field"] == "Stripe-Signature"


@given(st.one_of(st.none(), st.text(max_size=3000)))
def test_any_header_passes_or_is_a_clean_error(header: str | None) -> None:
    message = ""
    try:
        check_stripe_signature_header(header)
    except InvalidInput as exc:
        message = exc.message
    assert message == "" or "Stripe-Signature" in message
