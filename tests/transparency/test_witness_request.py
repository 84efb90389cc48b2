"""The tlog-witness add-checkpoint request body: its layout, strict reading, round trips."""

from __future__ import annotations

import base64
import contextlib

import pytest
from hypothesis import given
from hypothesis import strategies as st

from soundseal.transparency.checkpoint import Checkpoint
from soundseal.transparency.note import sign_note
from soundseal.transparency.note_errors import MalformedWitnessRequest
from soundseal.transparency.note_keys import SignerKey
from soundseal.transparency.witness_request import MAX_CONSISTENCY_HASHES, AddCheckpointRequest
from tests.transparency.strategies import any_input, edited, hashes

SIGNER = SignerKey.generate("example.org/log")


def _signed(size: int) -> str:
    return sign_note(Checkpoint("example.org/log", size, bytes(32)).to_text(), [SIGNER])


# The example body of the tlog-witness specification, its indentation removed.
SPEC_EXAMPLE = """old 20852014
PlRNCrwHpqhGrupue0L7gxbjbMiKA9temvuZZDDpkaw=
jrJZDmY8Y7SyJE0MWLpLozkIVMSMZcD5kvuKxPC3swk=
5+pKlUdi2LeF/BcMHBn+Ku6yhPGNCswZZD1X/6QgPd8=
/6WVhPs2CwSsb5rYBH5cjHV/wSmA79abXAwhXw3Kj/0=

example.com/behind-the-sofa
20852163
CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=

\u2014 example.com/behind-the-sofa Az3grlgtzPICa5OS8npVmf1Myq/5IZniMp+ZJurmRDeOoRDe4URYN7u5/Zhcyv2q1gGzGku9nTo+zyWE+xeMcTOAYQ8=
\u2014 example.com/behind-the-sofa opLqBQsREYCgu6xQkYQwJr9fo45a62DN9EdmHXnZdXNqlcVGlCum2Wks+49/V6267UEjw6QUXTS5Rovnzv++qbSzm9Q=
"""  # noqa: E501


def test_the_specification_example_parses_and_writes_back_the_same_body() -> None:
    request = AddCheckpointRequest.parse(SPEC_EXAMPLE)
    assert len(request.consistency_proof) == 4
    assert request.format() == SPEC_EXAMPLE


def test_the_body_is_the_old_size_the_proof_a_blank_line_and_the_checkpoint() -> None:
    proof = [bytes([1]) * 32, bytes([2]) * 32]
    body = AddCheckpointRequest(3, proof, _signed(8)).format()
    assert body == (
        "old 3\n" + "".join(base64.b64encode(h).decode() + "\n" for h in proof) + "\n" + _signed(8)
    )


def test_a_first_request_has_old_size_zero_and_no_proof() -> None:
    request = AddCheckpointRequest.parse(f"old 0\n\n{_signed(5)}")
    assert (request.old_size, request.consistency_proof) == (0, ())


@pytest.mark.parametrize(
    "body",
    [
        "old 01\n\n{signed}",
        "old -1\n\n{signed}",
        "Old 1\n\n{signed}",
        "old  1\n\n{signed}",
        "old 1\n{signed}",  # no blank line
        "old 9\n\n{signed}",  # larger than the checkpoint's size
        "old 1\nAAAA\n\n{signed}",  # not a 32-byte hash
        "old 1\n\nnot a signed checkpoint\n",
    ],
)
def test_a_body_breaking_the_format_is_refused(body: str) -> None:
    with pytest.raises(MalformedWitnessRequest):
        AddCheckpointRequest.parse(body.format(signed=_signed(8)))


def test_more_than_63_proof_lines_are_refused() -> None:
    line = base64.b64encode(bytes(32)).decode() + "\n"
    fits = f"old 1\n{line * MAX_CONSISTENCY_HASHES}\n{_signed(8)}"
    assert len(AddCheckpointRequest.parse(fits).consistency_proof) == 63
    with pytest.raises(MalformedWitnessRequest):
        AddCheckpointRequest.parse(f"old 1\n{line * 64}\n{_signed(8)}")


@given(
    size=st.integers(0, 2**64 - 1),
    data=st.data(),
    proof=st.lists(hashes, max_size=MAX_CONSISTENCY_HASHES),
)
def test_a_request_round_trips_through_its_body(
    size: int, data: st.DataObject, proof: list[bytes]
) -> None:
    old = data.draw(st.integers(0, size))
    request = AddCheckpointRequest(old, proof, _signed(size))
    assert AddCheckpointRequest.parse(request.format()) == request
    assert AddCheckpointRequest.parse(request.format().encode()) == request


@given(any_input)
def test_anything_as_a_body_raises_only_malformed_witness_request(body: str | bytes) -> None:
    with contextlib.suppress(MalformedWitnessRequest):
        AddCheckpointRequest.parse(body)


@given(st.data())
def test_an_edited_body_raises_only_malformed_witness_request(data: st.DataObject) -> None:
    body = AddCheckpointRequest(2, [bytes(32)], _signed(4)).format()
    mangled = data.draw(edited(body))
    with contextlib.suppress(MalformedWitnessRequest):
        assert AddCheckpointRequest.parse(mangled).format() == mangled  # one spelling
