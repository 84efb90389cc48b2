"""The monitor: honest growth is accepted in any steps; forks, rollbacks, altered entries,
bad signatures, other logs and thin witness support are refused with the evidence."""

from __future__ import annotations

import ast
import contextlib
import json
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import soundseal.transparency
from soundseal.transparency.audit_errors import (
    AuditError,
    BadCheckpointSignature,
    CorruptState,
    EntriesDoNotMatch,
    Evidence,
    ForkDetected,
    InconsistentLog,
    OriginMismatch,
    RollbackDetected,
    TooFewWitnesses,
    WrongEntryCount,
)
from soundseal.transparency.checkpoint import open_checkpoint
from soundseal.transparency.cosignature import CosignerKey
from soundseal.transparency.entry_ranges import bundle_fetcher
from soundseal.transparency.merkle import leaf_hash, root_of
from soundseal.transparency.monitor import VerifiedLog, advance
from soundseal.transparency.note_keys import SignerKey
from tests.transparency.registry_log import ORIGIN, RegistryLog, certificate, new_log
from tests.transparency.strategies import any_input, edited

LOG = new_log()
LOG.grow(700)
KEY = LOG.log_key.verifier()
EMPTY = VerifiedLog.empty(ORIGIN)


def at(log: RegistryLog, size: int) -> VerifiedLog:
    """The state after verifying `log` at `size` from scratch."""
    return advance(EMPTY, log.checkpoint(size), log.log_key.verifier(), log.fetch).state


# Honest growth.


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    steps=st.lists(st.integers(0, 700), min_size=1, max_size=6).map(sorted),
    batch=st.sampled_from([256, 512, 64 * 256]),
)
def test_growth_in_any_steps_ends_in_the_state_verified_from_scratch(
    steps: list[int], batch: int
) -> None:
    state, seen = EMPTY, []
    LOG.fetches.clear()
    for size in steps:
        state, entries = advance(state, LOG.checkpoint(size), KEY, LOG.fetch, batch=batch)
        seen.extend(entries)
        assert state.size == size
        assert state.root_hash == root_of([leaf_hash(e) for e in LOG.entries[:size]])
    # Every request ends on a bundle boundary or at the checkpoint's size.
    assert all(end % 256 == 0 or end in steps for _, end in LOG.fetches)
    assert all(end - start <= batch for start, end in LOG.fetches)
    assert seen == LOG.entries[: steps[-1]]
    assert state == at(LOG, steps[-1])
    assert len(state.right_edge) <= 64


@settings(max_examples=20, deadline=None)
@given(first=st.integers(0, 700), second=st.integers(0, 700))
def test_growth_read_through_served_entry_bundles(first: int, second: int) -> None:
    first, second = sorted((first, second))
    state = EMPTY
    for size in (first, second):
        served = LOG.serve(size)
        fetch = bundle_fetcher(served.__getitem__)  # a bundle the log does not serve: KeyError
        state = advance(state, LOG.checkpoint(size), KEY, fetch).state
    assert state == at(LOG, second)


def test_a_repeated_checkpoint_adds_nothing_and_fetches_nothing() -> None:
    state = at(LOG, 300)
    LOG.fetches.clear()
    again = advance(state, LOG.checkpoint(300), KEY, LOG.fetch)
    assert again.state == state
    assert again.entries == ()
    assert LOG.fetches == []


def test_the_empty_log_verifies() -> None:
    state, entries = advance(EMPTY, LOG.checkpoint(0), KEY, LOG.fetch)
    assert (state.size, entries, state.checkpoint) == (0, (), LOG.checkpoint(0))


# The state, stored and read back.


def test_the_state_is_json_and_reads_back_equal() -> None:
    state = at(LOG, 613)
    assert VerifiedLog.loads(state.dumps()) == state
    assert VerifiedLog.from_json(json.loads(json.dumps(state.to_json()))) == state
    assert VerifiedLog.loads(EMPTY.dumps()) == EMPTY


@pytest.mark.parametrize(
    ("member", "value"),
    [
        ("size", 612),
        ("size", True),
        ("root", "AAAA"),
        ("right_edge", []),
        ("origin", ""),
        ("checkpoint", None),
    ],
)
def test_a_damaged_state_is_refused(member: str, value: object) -> None:
    stored = at(LOG, 613).to_json()
    stored[member] = value
    with pytest.raises(CorruptState):
        VerifiedLog.from_json(stored)


def test_a_state_whose_edge_was_swapped_is_refused() -> None:
    stored = at(LOG, 613).to_json()
    stored["right_edge"] = list(reversed(stored["right_edge"]))
    with pytest.raises(CorruptState, match="edge"):
        VerifiedLog.from_json(stored)


def test_a_state_whose_checkpoint_states_another_tree_is_refused() -> None:
    stored = at(LOG, 613).to_json()
    stored["checkpoint"] = LOG.checkpoint(612)
    with pytest.raises(CorruptState, match="checkpoint"):
        VerifiedLog.from_json(stored)


@given(any_input)
def test_any_stored_text_reads_as_a_state_or_raises_corrupt_state(text: str | bytes) -> None:
    with contextlib.suppress(CorruptState):
        VerifiedLog.loads(text)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(), inner, max_size=3),
    max_leaves=6,
)


@settings(max_examples=300, deadline=None)
@given(
    member=st.sampled_from(["origin", "size", "root", "right_edge", "checkpoint"]),
    value=json_values,
)
def test_any_value_of_a_stored_member_reads_back_or_raises_corrupt_state(
    member: str, value: object
) -> None:
    stored = at(LOG, 5).to_json()
    stored[member] = value
    with contextlib.suppress(CorruptState):
        assert VerifiedLog.from_json(stored) == at(LOG, 5)


# Inconsistent logs.


def forked(size: int, changed: int) -> RegistryLog:
    """A log signed by LOG's keys, with `size` entries, differing from LOG at `changed`."""
    fork = RegistryLog(LOG.log_key, LOG.statement_key)
    for index in range(size):
        if index == changed:
            fork.append(fork.sign(certificate(index, title="Another title")))
        else:
            fork.append(LOG.entries[index])
    return fork


def assert_two_signed_checkpoints(error: InconsistentLog, accepted: str, offending: str) -> None:
    evidence = error.evidence
    assert (evidence.accepted, evidence.offending) == (accepted, offending)
    # Anyone with the log key can check both, and the evidence survives storage.
    for text in (accepted, offending):
        open_checkpoint(text, [KEY])
    assert Evidence.from_json(json.loads(json.dumps(evidence.to_json()))) == evidence


def test_two_trees_of_one_size_are_a_fork_with_both_checkpoints() -> None:
    state = at(LOG, 500)
    fork = forked(500, changed=123)
    with pytest.raises(ForkDetected) as raised:
        advance(state, fork.checkpoint(), KEY, fork.fetch)
    assert_two_signed_checkpoints(raised.value, LOG.checkpoint(500), fork.checkpoint())
    assert fork.fetches == []


def test_a_larger_tree_that_does_not_extend_the_verified_one_is_refused() -> None:
    state = at(LOG, 500)
    fork = forked(600, changed=499)
    with pytest.raises(EntriesDoNotMatch) as raised:
        advance(state, fork.checkpoint(), KEY, fork.fetch)
    assert_two_signed_checkpoints(raised.value, LOG.checkpoint(500), fork.checkpoint())


def test_a_smaller_tree_is_a_rollback() -> None:
    state = at(LOG, 500)
    with pytest.raises(RollbackDetected) as raised:
        advance(state, LOG.checkpoint(499), KEY, LOG.fetch)
    assert_two_signed_checkpoints(raised.value, LOG.checkpoint(500), LOG.checkpoint(499))


def test_a_fork_is_reported_even_when_the_witness_policy_refuses_the_checkpoint() -> None:
    state = at(LOG, 500)
    witness = CosignerKey("witness.test", Ed25519PrivateKey.generate())
    with pytest.raises(ForkDetected):
        advance(
            state,
            forked(500, changed=0).checkpoint(),
            KEY,
            LOG.fetch,
            witnesses=[witness.verifier()],
            required_witnesses=1,
        )


@pytest.mark.parametrize("resign", [True, False])
def test_an_altered_entry_is_refused(resign: bool) -> None:
    state = at(LOG, 300)
    served = list(LOG.entries)
    if resign:
        served[450] = LOG.sign(certificate(450, title="Retitled"))
    else:
        header, payload, signature = served[450].split(b".")
        served[450] = b".".join([header, payload[:-2] + b"xx", signature])
    with pytest.raises(EntriesDoNotMatch):
        advance(state, LOG.checkpoint(600), KEY, lambda a, b: served[a:b])


@pytest.mark.parametrize(
    "served", [lambda a, b: LOG.entries[a : b - 1], lambda a, b: ["x"] * (b - a)]
)
def test_a_fetcher_serving_the_wrong_entries_is_refused(served: object) -> None:
    with pytest.raises(WrongEntryCount):
        advance(EMPTY, LOG.checkpoint(300), KEY, served)  # type: ignore[arg-type]


def test_a_malformed_bundle_is_refused() -> None:
    served = LOG.serve(300)
    served["tile/entries/000"] = served["tile/entries/000"][:-1]
    with pytest.raises(WrongEntryCount):
        advance(EMPTY, LOG.checkpoint(300), KEY, bundle_fetcher(served.__getitem__))


# Checkpoints that are not the log's.


def test_a_checkpoint_by_another_key_of_the_same_name_is_refused() -> None:
    impostor = RegistryLog(SignerKey.generate(ORIGIN), LOG.statement_key)
    for entry in LOG.entries[:300]:
        impostor.append(entry)
    with pytest.raises(BadCheckpointSignature) as raised:
        advance(at(LOG, 200), impostor.checkpoint(), KEY, LOG.fetch)
    assert raised.value.evidence.accepted == LOG.checkpoint(200)


def test_a_checkpoint_whose_signature_was_altered_is_refused() -> None:
    signed = LOG.checkpoint(300)
    body, line = signed.rsplit("\n\n", 1)
    altered = line[:-6] + ("AAAA" if line[-6:-2] != "AAAA" else "BBBB") + line[-2:]
    with pytest.raises(BadCheckpointSignature):
        advance(EMPTY, body + "\n\n" + altered, KEY, LOG.fetch)


def test_a_checkpoint_whose_size_was_altered_is_refused() -> None:
    signed = LOG.checkpoint(300).replace("\n300\n", "\n301\n", 1)
    with pytest.raises(BadCheckpointSignature):
        advance(EMPTY, signed, KEY, LOG.fetch)


def test_a_checkpoint_of_another_origin_is_refused() -> None:
    with pytest.raises(OriginMismatch):
        advance(EMPTY, LOG.checkpoint(300, origin="registry.test/log/test"), KEY, LOG.fetch)


@settings(max_examples=300, deadline=None)
@given(any_input)
def test_any_checkpoint_text_is_refused_with_an_audit_error(text: str | bytes) -> None:
    with pytest.raises(AuditError):
        advance(EMPTY, text, KEY, LOG.fetch)


@settings(max_examples=200, deadline=None)
@given(st.data())
def test_an_edited_checkpoint_is_refused_or_states_the_same_tree(data: st.DataObject) -> None:
    signed = LOG.checkpoint(300)
    text = data.draw(edited(signed))
    try:
        state = advance(EMPTY, text, KEY, LOG.fetch).state
    except AuditError:
        return
    assert (state.size, state.root_hash) == (300, LOG.root(300))


# Witnesses.

WITNESSES = (
    CosignerKey("w1.test", Ed25519PrivateKey.generate()),
    CosignerKey("w2.test", Ed25519PrivateKey.generate()),
)


def test_enough_witness_cosignatures_are_accepted_and_too_few_refused() -> None:
    keys = [w.verifier() for w in WITNESSES]
    both = LOG.checkpoint(300, witnesses=WITNESSES)
    one = LOG.checkpoint(300, witnesses=WITNESSES[:1])
    assert (
        advance(EMPTY, both, KEY, LOG.fetch, witnesses=keys, required_witnesses=2).state.size == 300
    )
    with pytest.raises(TooFewWitnesses) as raised:
        advance(EMPTY, one, KEY, LOG.fetch, witnesses=keys, required_witnesses=2)
    assert (raised.value.found, raised.value.required) == (1, 2)
    # A cosignature from a witness outside the policy counts for nothing.
    with pytest.raises(TooFewWitnesses):
        advance(EMPTY, both, KEY, LOG.fetch, witnesses=keys[:1], required_witnesses=2)


def test_a_bad_cosignature_from_a_known_witness_is_refused() -> None:
    cosigned = LOG.checkpoint(300, witnesses=WITNESSES[:1])
    # The same witness's cosignature of another tree, moved onto this one.
    moved = LOG.checkpoint(299, witnesses=WITNESSES[:1]).rsplit("\n", 2)[-2]
    lines = cosigned.split("\n")
    lines[-2] = moved
    with pytest.raises(BadCheckpointSignature):
        advance(
            EMPTY,
            "\n".join(lines),
            KEY,
            LOG.fetch,
            witnesses=[WITNESSES[0].verifier()],
            required_witnesses=1,
        )


# The module stays pure.


@pytest.mark.parametrize("name", ["monitor", "entry_ranges", "audit_errors"])
def test_the_monitor_imports_no_database_signing_or_http(name: str) -> None:
    package = Path(soundseal.transparency.__file__).parent
    tree = ast.parse((package / f"{name}.py").read_text(encoding="utf-8"))
    imported = {
        node.module
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and node.module is not None
    } | {
        alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.Import)
        for alias in node.names
    }
    forbidden = ("soundseal.signing", "soundseal.registry", "soundseal.db", "sqlalchemy", "httpx")
    assert not [m for m in imported if m.startswith(forbidden)]
