"""Identifiers: prefixed ULIDs that sort in the order they were made."""

from __future__ import annotations

from soundseal.ids import CERTIFICATE_ID_RE, new_certificate_id, new_id


def test_ids_made_in_one_millisecond_still_sort_in_the_order_they_were_made() -> None:
    ids = [new_id("evt") for _ in range(20_000)]
    # 20,000 IDs span only a few milliseconds: without monotonic ULIDs, many pairs within
    # one millisecond would sort in the wrong order.
    assert ids == sorted(ids)
    assert len(set(ids)) == len(ids)
    assert all(i.startswith("evt_") and len(i) == 30 for i in ids)


def test_certificate_ids_match_their_pattern() -> None:
    assert CERTIFICATE_ID_RE.match(new_certificate_id(test_mode=False))
    assert CERTIFICATE_ID_RE.match(new_certificate_id(test_mode=True))
