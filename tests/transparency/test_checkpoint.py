"""Checkpoints: one spelling per field, extension lines, and opening a signed checkpoint."""

from __future__ import annotations

import base64
import contextlib

import pytest
from hypothesis import given
from hypothesis import strategies as st

from soundseal.transparency.checkpoint import Checkpoint, open_checkpoint
from soundseal.transparency.note import sign_note
from soundseal.transparency.note_errors import MalformedCheckpoint, NoteError, UnverifiedNote
from soundseal.transparency.note_keys import SignerKey
from tests.transparency.strategies import any_input, edited, hashes, non_empty_lines

ROOT = bytes(range(32))
ROOT_B64 = base64.b64encode(ROOT).decode()

checkpoints = st.builds(
    Checkpoint,
    origin=non_empty_lines,
    size=st.integers(0, 2**64 - 1),
    root_hash=hashes,
    extensions=st.lists(non_empty_lines, max_size=3).map(tuple),
)


@given(checkpoints)
def test_a_checkpoint_round_trips_through_its_text(checkpoint: Checkpoint) -> None:
    text = checkpoint.to_text()
    assert text.endswith("\n")
    assert Checkpoint.parse(text) == checkpoint
    assert Checkpoint.parse(text.encode()) == checkpoint


def test_the_text_is_origin_size_root_then_extensions() -> None:
    checkpoint = Checkpoint("example.org/log", 7, ROOT, ("ext one", "ext two"))
    assert checkpoint.to_text().split("\n") == [
        "example.org/log",
        "7",
        ROOT_B64,
        "ext one",
        "ext two",
        "",
    ]


def test_the_empty_tree_has_size_zero() -> None:
    assert Checkpoint.parse(f"log\n0\n{ROOT_B64}\n").size == 0


def test_the_specification_example_parses_and_writes_back_the_same_text() -> None:
    text = "example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n"
    assert Checkpoint.parse(text).to_text() == text


@pytest.mark.parametrize(
    "size", ["01", "00", "+1", "-1", " 1", "1 ", "1_0", "\u0661", "0x1", "", "18446744073709551616"]
)
def test_a_size_in_any_other_spelling_is_refused(size: str) -> None:
    with pytest.raises(MalformedCheckpoint):
        Checkpoint.parse(f"log\n{size}\n{ROOT_B64}\n")


def test_the_largest_size_is_accepted() -> None:
    assert Checkpoint.parse(f"log\n{2**64 - 1}\n{ROOT_B64}\n").size == 2**64 - 1


@pytest.mark.parametrize(
    "root",
    [
        base64.b64encode(ROOT[:31]).decode(),  # 31 bytes
        base64.b64encode(ROOT + b"\x00").decode(),  # 33 bytes
        ROOT_B64.rstrip("="),  # no padding
        ROOT_B64[:-2] + chr(ord(ROOT_B64[-2]) + 1) + "=",  # non-zero padding bits
        base64.urlsafe_b64encode(b"\xff" * 32).decode(),  # the URL-safe alphabet
        "",
    ],
)
def test_a_root_hash_that_is_not_canonical_base64_of_32_bytes_is_refused(root: str) -> None:
    with pytest.raises(MalformedCheckpoint):
        Checkpoint.parse(f"log\n1\n{root}\n")


@pytest.mark.parametrize(
    "text",
    [
        f"log\n1\n{ROOT_B64}",  # no final newline
        "log\n1\n",  # no root hash
        f"\n1\n{ROOT_B64}\n",  # an empty origin
        f"log\n1\n{ROOT_B64}\n\n",  # an empty extension line
        f"log\n1\n{ROOT_B64}\next\n\nmore\n",
        f"lo\x00g\n1\n{ROOT_B64}\n",  # a control character
        f"log\n1\n{ROOT_B64}\r\n",
        "",
    ],
)
def test_a_text_breaking_the_checkpoint_lines_is_refused(text: str) -> None:
    with pytest.raises(MalformedCheckpoint):
        Checkpoint.parse(text)


def test_fields_a_checkpoint_cannot_hold_are_refused_when_built() -> None:
    for build in (
        lambda: Checkpoint("", 1, ROOT),
        lambda: Checkpoint("a\nb", 1, ROOT),
        lambda: Checkpoint("log", -1, ROOT),
        lambda: Checkpoint("log", 2**64, ROOT),
        lambda: Checkpoint("log", 1, ROOT[:31]),
        lambda: Checkpoint("log", 1, ROOT, ("",)),
        lambda: Checkpoint("log", 1, ROOT, ("a\nb",)),
    ):
        with pytest.raises(MalformedCheckpoint):
            build()


def test_a_signed_checkpoint_opens_to_its_checkpoint_and_note() -> None:
    signer = SignerKey.generate("example.org/log")
    checkpoint = Checkpoint("example.org/log", 12, ROOT)
    opened, note = open_checkpoint(sign_note(checkpoint.to_text(), [signer]), [signer.verifier()])
    assert opened == checkpoint
    assert note.text == checkpoint.to_text()
    with pytest.raises(UnverifiedNote):
        open_checkpoint(sign_note(checkpoint.to_text(), [signer]), [])


def test_a_signed_note_that_is_not_a_checkpoint_is_refused() -> None:
    signer = SignerKey.generate("example.org/log")
    with pytest.raises(MalformedCheckpoint):
        open_checkpoint(sign_note("just a note\n", [signer]), [signer.verifier()])


@given(any_input)
def test_anything_as_a_checkpoint_raises_only_malformed_checkpoint(text: str | bytes) -> None:
    with contextlib.suppress(MalformedCheckpoint):
        Checkpoint.parse(text)


@given(checkpoint=checkpoints, data=st.data())
def test_an_edited_checkpoint_raises_only_note_errors(
    checkpoint: Checkpoint, data: st.DataObject
) -> None:
    mangled = data.draw(edited(checkpoint.to_text()))
    with contextlib.suppress(MalformedCheckpoint):
        parsed = Checkpoint.parse(mangled)
        assert parsed.to_text() == mangled  # what parses has one spelling
    signer = SignerKey.generate("example.org/log")
    with contextlib.suppress(NoteError):
        open_checkpoint(mangled, [signer.verifier()])
