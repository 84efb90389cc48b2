"""tlog proofs: the text format, and verification against a log key, witnesses and a tree.

The inclusion check is passed in; these tests pass a small RFC 9162 verifier written here,
and build trees and paths with RFC 6962's recursive definitions, so the two sides of each
check come from different algorithms.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
from collections.abc import Callable, Sequence

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import given
from hypothesis import strategies as st

from soundseal.transparency.checkpoint import Checkpoint
from soundseal.transparency.cosignature import CosignerKey
from soundseal.transparency.note import add_signatures, open_note, sign_note
from soundseal.transparency.note_errors import (
    InsufficientCosignatures,
    MalformedProof,
    NoteError,
    SignatureMismatch,
    UnverifiedNote,
    WrongOrigin,
)
from soundseal.transparency.note_keys import SignerKey
from soundseal.transparency.proof_text import PROOF_HEADER, TlogProof, verify_tlog_proof
from tests.transparency.strategies import any_input, edited

ORIGIN = "example.org/log"
TIME = 1_700_000_000


class InclusionFailed(Exception):
    """The test verifier's own error, standing for the Merkle module's."""


def _node(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def _leaf(data: bytes) -> bytes:
    return hashlib.sha256(b"\x00" + data).digest()


def _split(n: int) -> int:
    """The largest power of two smaller than n (RFC 6962, section 2.1)."""
    k = 1
    while k * 2 < n:
        k *= 2
    return k


def _root(leaves: Sequence[bytes]) -> bytes:
    if len(leaves) == 1:
        return leaves[0]
    k = _split(len(leaves))
    return _node(_root(leaves[:k]), _root(leaves[k:]))


def _path(index: int, leaves: Sequence[bytes]) -> list[bytes]:
    """RFC 6962 PATH(m, D[n]): the audit path of leaf `index`, the sibling first."""
    if len(leaves) == 1:
        return []
    k = _split(len(leaves))
    if index < k:
        return [*_path(index, leaves[:k]), _root(leaves[k:])]
    return [*_path(index - k, leaves[k:]), _root(leaves[:k])]


def verify_inclusion(
    leaf_hash: bytes, index: int, size: int, proof: Sequence[bytes], root: bytes
) -> None:
    """RFC 9162, section 2.1.3.2: the iterative inclusion proof check."""
    if index >= size:
        raise InclusionFailed("index beyond the tree")
    fn, sn, r = index, size - 1, leaf_hash
    for p in proof:
        if sn == 0:
            raise InclusionFailed("proof too long")
        if fn % 2 == 1 or fn == sn:
            r = _node(p, r)
            if fn % 2 == 0:
                while fn % 2 == 0 and fn != 0:
                    fn >>= 1
                    sn >>= 1
        else:
            r = _node(r, p)
        fn >>= 1
        sn >>= 1
    if sn != 0 or r != root:
        raise InclusionFailed("the path does not lead to the root")


def test_the_test_verifier_accepts_every_path_and_refuses_altered_ones() -> None:
    for size in range(1, 18):
        leaves = [_leaf(bytes([i])) for i in range(size)]
        root = _root(leaves)
        for index in range(size):
            path = _path(index, leaves)
            verify_inclusion(leaves[index], index, size, path, root)
            with pytest.raises(InclusionFailed):
                verify_inclusion(_leaf(b"other"), index, size, path, root)
            with pytest.raises(InclusionFailed):
                verify_inclusion(leaves[index], size, size, path, root)
            if path:
                with pytest.raises(InclusionFailed):
                    verify_inclusion(leaves[index], index, size, path[:-1], root)
                flipped = bytes([path[0][0] ^ 1]) + path[0][1:]
                with pytest.raises(InclusionFailed):
                    verify_inclusion(leaves[index], index, size, [flipped, *path[1:]], root)


class Log:
    """A log of `size` leaves, its key, and witnesses that cosigned its checkpoint."""

    def __init__(self, size: int, witnesses: int = 2, extensions: tuple[str, ...] = ()) -> None:
        self.leaves = [_leaf(f"entry {i}".encode()) for i in range(size)]
        self.key = SignerKey.generate(ORIGIN)
        self.witnesses = [
            CosignerKey(f"w{i}.example", Ed25519PrivateKey.generate()) for i in range(witnesses)
        ]
        checkpoint = Checkpoint(ORIGIN, size, _root(self.leaves), extensions).to_text()
        note = open_note(sign_note(checkpoint, [self.key]), [self.key.verifier()])
        self.signed = add_signatures(note, [w.at(TIME) for w in self.witnesses])

    def proof(self, index: int, extra: bytes | None = None) -> TlogProof:
        return TlogProof(index, _path(index, self.leaves), self.signed, extra)

    def verify(self, proof: TlogProof, index: int, required: int = 0) -> Checkpoint:
        return verify_tlog_proof(
            proof,
            self.leaves[index],
            self.key.verifier(),
            inclusion_verifier=verify_inclusion,
            witnesses=[w.verifier() for w in self.witnesses],
            required_witnesses=required,
        )


# The text format.


def test_a_proof_is_written_as_the_format_lays_it_out() -> None:
    log = Log(5)
    proof = log.proof(3, extra=b"context")
    lines = proof.format().split("\n")
    path = _path(3, log.leaves)
    assert lines[0] == PROOF_HEADER
    assert lines[1] == "extra " + base64.b64encode(b"context").decode()
    assert lines[2] == "index 3"
    assert lines[3 : 3 + len(path)] == [base64.b64encode(h).decode() for h in path]
    assert lines[3 + len(path)] == ""
    assert "\n".join(lines[4 + len(path) :]) == log.signed


@pytest.mark.parametrize("extra", [None, b"", b"some context"])
def test_a_proof_round_trips_through_its_text(extra: bytes | None) -> None:
    log = Log(9)
    for index in (0, 8):
        proof = log.proof(index, extra)
        assert TlogProof.parse(proof.format()) == proof
        assert TlogProof.parse(proof.format().encode()) == proof


def test_a_one_leaf_tree_has_an_empty_path() -> None:
    proof = Log(1).proof(0)
    assert proof.inclusion == ()
    assert TlogProof.parse(proof.format()) == proof


def _swap(text: str, old: str, new: str) -> str:
    assert old in text
    return text.replace(old, new, 1)


@pytest.mark.parametrize(
    "change",
    [
        lambda t: _swap(t, PROOF_HEADER, "c2sp.org/tlog-proof@v2"),
        lambda t: _swap(t, "index 6", "index 06"),
        lambda t: _swap(t, "index 6", "index +6"),
        lambda t: _swap(t, "index 6", "index  6"),
        lambda t: _swap(t, "index 6", "Index 6"),
        lambda t: _swap(t, "index 6\n", ""),  # no index
        lambda t: _swap(t, "extra ", "extra  "),
        lambda t: _swap(t, "extra Y29udGV4dA==\n", "extra Y29udGV4dA\n"),  # no padding
        lambda t: _swap(t, "extra Y29udGV4dA==\nindex 6\n", "index 6\nextra Y29udGV4dA==\n"),
        lambda t: _swap(t, "\n\n", "\n"),  # no blank line before the checkpoint
        lambda t: _swap(t, "\n\n", "\n\n\n"),  # a checkpoint starting with a blank line
        lambda t: t.rstrip("\n"),  # a checkpoint note without its final newline
        lambda t: _swap(t, f"\n{ORIGIN}\n9\n", f"\n{ORIGIN}\n09\n"),  # a bad checkpoint
    ],
)
def test_a_proof_breaking_the_format_is_refused(change: Callable[[str], str]) -> None:
    text = Log(9).proof(6, extra=b"context").format()
    with pytest.raises(MalformedProof):
        TlogProof.parse(change(text))


def test_inclusion_lines_must_each_be_one_canonical_32_byte_hash() -> None:
    log = Log(9)
    text = log.proof(6).format()
    first = base64.b64encode(_path(6, log.leaves)[0]).decode()
    for bad in (
        base64.b64encode(bytes(31)).decode(),
        base64.b64encode(bytes(33)).decode(),
        first.rstrip("="),
        first + " ",
        "",  # an empty line: the checkpoint would start here
    ):
        with pytest.raises(MalformedProof):
            TlogProof.parse(_swap(text, first, bad))


def test_a_proof_with_more_hashes_than_a_tree_can_need_is_refused() -> None:
    text = Log(2).proof(0).format()
    _, checkpoint = text.split("\n\n", 1)
    many = "\n".join([base64.b64encode(bytes(32)).decode()] * 65)
    with pytest.raises(MalformedProof):
        TlogProof.parse(f"{PROOF_HEADER}\nindex 0\n{many}\n\n{checkpoint}")


def test_fields_a_proof_cannot_hold_are_refused_when_built() -> None:
    signed = Log(2).signed
    for build in (
        lambda: TlogProof(-1, [], signed),
        lambda: TlogProof(2**64, [], signed),
        lambda: TlogProof(0, [bytes(31)], signed),
        lambda: TlogProof(0, [bytes(32)] * 65, signed),
        lambda: TlogProof(0, [], "not a signed note\n"),
        lambda: TlogProof(0, [], "not a checkpoint\n\n" + signed.split("\n\n")[1]),
    ):
        with pytest.raises(MalformedProof):
            build()


# Verification.


def test_a_proof_verifies_and_gives_its_checkpoint() -> None:
    log = Log(13, witnesses=3)
    for index in range(13):
        checkpoint = log.verify(TlogProof.parse(log.proof(index).format()), index, required=3)
        assert (checkpoint.origin, checkpoint.size) == (ORIGIN, 13)
        assert checkpoint.root_hash == _root(log.leaves)


def test_another_leaf_or_index_fails_the_inclusion_check() -> None:
    log = Log(6)
    with pytest.raises(InclusionFailed):
        log.verify(log.proof(2), 3)
    with pytest.raises(InclusionFailed):
        log.verify(TlogProof(3, log.proof(2).inclusion, log.signed), 2)


def test_a_checkpoint_not_signed_by_the_log_is_refused_before_anything_else() -> None:
    log, other = Log(4), Log(4)
    with pytest.raises(UnverifiedNote):
        verify_tlog_proof(
            log.proof(1),
            log.leaves[1],
            other.key.verifier(),
            inclusion_verifier=verify_inclusion,
        )


def test_a_checkpoint_of_another_origin_is_refused() -> None:
    log = Log(4)
    with pytest.raises(WrongOrigin):
        verify_tlog_proof(
            log.proof(1),
            log.leaves[1],
            log.key.verifier(),
            inclusion_verifier=verify_inclusion,
            origin="example.org/another-log",
        )
    elsewhere = SignerKey.generate("example.org/elsewhere")
    signed = sign_note(Checkpoint(ORIGIN, 4, _root(log.leaves)).to_text(), [elsewhere])
    with pytest.raises(WrongOrigin):
        verify_tlog_proof(
            TlogProof(1, _path(1, log.leaves), signed),
            log.leaves[1],
            elsewhere.verifier(),
            inclusion_verifier=verify_inclusion,
        )


def test_too_few_witnesses_are_refused_with_the_count() -> None:
    log = Log(4, witnesses=2)
    assert log.verify(log.proof(1), 1, required=2).size == 4
    with pytest.raises(InsufficientCosignatures) as refused:
        log.verify(log.proof(1), 1, required=3)
    assert (refused.value.found, refused.value.required) == (2, 3)


def test_a_bad_cosignature_from_a_known_witness_refuses_the_proof() -> None:
    log, stale = Log(4, witnesses=1), Log(3, witnesses=0)
    stale_cosignature = log.witnesses[0].cosign(
        Checkpoint(ORIGIN, 3, _root(stale.leaves)).to_text(), TIME
    )
    # The witness's line replaced by its cosignature of another checkpoint.
    good_line = log.signed.split("\n")[-2] + "\n"
    tampered = _swap(log.signed, good_line, stale_cosignature.line())
    with pytest.raises(SignatureMismatch):
        log.verify(TlogProof(1, _path(1, log.leaves), tampered), 1)


@given(size=st.integers(1, 40), data=st.data())
def test_every_leaf_of_a_tree_has_a_proof_that_round_trips_and_verifies(
    size: int, data: st.DataObject
) -> None:
    log = Log(size, witnesses=1)
    index = data.draw(st.integers(0, size - 1))
    extra = data.draw(st.none() | st.binary(max_size=40))
    proof = TlogProof.parse(log.proof(index, extra).format())
    assert proof.extra == extra
    assert log.verify(proof, index, required=1).size == size


@given(any_input)
def test_anything_as_a_proof_raises_only_malformed_proof(text: str | bytes) -> None:
    with contextlib.suppress(MalformedProof):
        TlogProof.parse(text)


@given(data=st.data())
def test_an_edited_proof_raises_only_note_errors(data: st.DataObject) -> None:
    log = Log(5, witnesses=1)
    mangled = data.draw(edited(log.proof(data.draw(st.integers(0, 4)), b"x").format()))
    try:
        proof = TlogProof.parse(mangled)
    except MalformedProof:
        return
    assert proof.format() == mangled  # what parses has one spelling
    with contextlib.suppress(NoteError, InclusionFailed):
        log.verify(proof, 0)
