"""Page cursors: whatever a client sends back is an ID this list holds or a clean 400."""

from __future__ import annotations

import base64
import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from soundseal.errors import InvalidInput
from soundseal.ids import is_certificate_id, new_id
from soundseal.registry.claims.services import is_claim_id
from soundseal.registry.cursors import decode_cursor, encode_cursor


@given(st.text(max_size=300) | st.binary(max_size=200).map(lambda b: b.decode("latin-1")))
def test_any_string_is_an_id_or_invalid_input(cursor: str) -> None:
    for valid in (is_certificate_id, is_claim_id):
        try:
            after = decode_cursor(cursor, valid=valid)
        except InvalidInput as exc:
            field = exc.extra["field"]
        else:
            assert valid(after)
            continue
        assert field == "cursor"


@given(
    st.recursive(
        st.none() | st.integers() | st.text(), lambda c: st.lists(c) | st.dictionaries(st.text(), c)
    )
)
def test_any_json_inside_is_an_id_or_invalid_input(value: object) -> None:
    cursor = base64.urlsafe_b64encode(json.dumps(value).encode()).decode()
    try:
        after = decode_cursor(cursor, valid=is_claim_id)
    except InvalidInput:
        return
    assert is_claim_id(after)


@pytest.mark.parametrize("prefix", ["clm", "clm_test"])
def test_a_cursor_round_trips(prefix: str) -> None:
    claim_id = new_id(prefix)
    assert decode_cursor(encode_cursor(claim_id), valid=is_claim_id) == claim_id
    with pytest.raises(InvalidInput):
        decode_cursor(encode_cursor(claim_id), valid=is_certificate_id)
