"""The transparency log as the registry keeps it, on SQLite and PostgreSQL: one signed leaf
per feed entry, in the same transaction; roots, proofs and checkpoints that verify with the
pure verifiers and the published key; the rebuild of a feed that predates the log."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import delete

from soundseal.db import Database
from soundseal.errors import InvalidInput, NotFound, SigningUnavailable
from soundseal.registry.certificates.services import get_certificate, revoke_certificate
from soundseal.registry.changes.services import last_sequence, list_changes
from soundseal.registry.log import services as log
from soundseal.registry.log.models import LogEntry, LogHash
from soundseal.registry.log.rebuild import rebuild_logs
from soundseal.signing import (
    CertificateStatement,
    RevocationStatement,
    register_key,
    verify_statement,
)
from soundseal.transparency.checkpoint import open_checkpoint
from soundseal.transparency.merkle import (
    leaf_hash,
    root_of,
    verify_consistency,
    verify_inclusion,
)
from soundseal.transparency.proof_text import TlogProof, verify_tlog_proof
from soundseal.transparency.tree_errors import ProofError
from tests.factories import Factory
from tests.registry.log_helpers import entries, key_set, stored, verifier_from_jwks
from tests.signing.helpers import memory_key


def test_each_feed_entry_is_one_leaf_holding_its_signed_statement(
    database: Database, factory: Factory
) -> None:
    key = factory.key()
    first = factory.certificate(key)
    second = factory.certificate(key)
    factory.revoke(first)
    factory.certificate(factory.key(mode="test"))

    leaves = entries(database)
    with database.transaction(write=False) as session:
        feed = list_changes(session, mode="live", since=0, limit=100)
    assert [c.sequence for c in feed] == [1, 2, 3]
    assert len(leaves) == 3
    assert len(entries(database, "test")) == 1
    keys = key_set(database)
    statements = [verify_statement(leaf.decode("ascii"), keys) for leaf in leaves]
    assert [s.log_index for s in statements] == [0, 1, 2]
    assert [type(s) for s in statements] == [
        CertificateStatement,
        CertificateStatement,
        RevocationStatement,
    ]
    assert [s.certificate_id for s in statements] == [first.id, second.id, first.id]
    assert [c.certificate_id for c in feed] == [s.certificate_id for s in statements]
    hashes = stored(database)
    assert [hashes[(0, i)] for i in range(3)] == [leaf_hash(leaf) for leaf in leaves]


def test_the_checkpoint_verifies_with_the_published_key_and_roots_every_leaf(
    database: Database, factory: Factory
) -> None:
    key = factory.key()
    for _ in range(5):
        factory.certificate(key)
    notary = factory.notary
    with database.transaction(write=False) as session:
        signed = log.current_checkpoint(session, notary, "live")
    verifier = verifier_from_jwks(key_set(database), "registry.test/log/live")
    checkpoint, _ = open_checkpoint(signed.text, [verifier])
    assert checkpoint.origin == "registry.test/log/live"
    assert checkpoint.size == 5
    assert checkpoint.root_hash == root_of([leaf_hash(e) for e in entries(database)])


def test_every_inclusion_and_consistency_proof_verifies(
    database: Database, factory: Factory
) -> None:
    key = factory.key()
    for _ in range(7):
        factory.certificate(key)
    leaves = [leaf_hash(e) for e in entries(database)]
    with database.transaction(write=False) as session:
        for size in range(1, 8):
            root = root_of(leaves[:size])
            for index in range(size):
                proof = log.inclusion(session, "live", index=index, tree_size=size)
                assert proof.root_hash == root
                verify_inclusion(leaves[index], index, size, proof.hashes, root)
            for first in range(1, size + 1):
                c = log.consistency(session, "live", first=first, second=size)
                assert (c.first_root, c.second_root) == (root_of(leaves[:first]), root)
                verify_consistency(first, size, c.hashes, c.first_root, c.second_root)


def test_sizes_beyond_the_log_and_leaves_outside_the_tree_are_refused(
    database: Database, factory: Factory
) -> None:
    factory.certificate()
    factory.certificate()
    with database.transaction(write=False) as session:
        with pytest.raises(InvalidInput) as beyond:
            log.inclusion(session, "live", index=0, tree_size=3)
        assert beyond.value.field == "tree_size"
        with pytest.raises(InvalidInput) as outside:
            log.inclusion(session, "live", index=2, tree_size=2)
        assert outside.value.field == "index"
        with pytest.raises(InvalidInput):
            log.consistency(session, "live", first=2, second=1)
        with pytest.raises(InvalidInput):
            log.consistency(session, "live", first=1, second=3)


def test_a_certificates_tlog_proof_verifies_offline(database: Database, factory: Factory) -> None:
    key = factory.key()
    cert = factory.certificate(key)
    factory.certificate(key)
    factory.revoke(cert)
    factory.certificate(key)
    with database.transaction(write=False) as session:
        row = get_certificate(session, cert.id)
        proof = log.certificate_proof(session, factory.notary, row)
    assert proof.log_index == 2
    statement = verify_statement(proof.jws, key_set(database))
    assert isinstance(statement, RevocationStatement)
    assert statement.log_index == 2
    verifier = verifier_from_jwks(key_set(database), "registry.test/log/live")
    checkpoint = verify_tlog_proof(
        TlogProof.parse(proof.proof),
        leaf_hash(proof.jws.encode("ascii")),
        verifier,
        inclusion_verifier=verify_inclusion,
    )
    assert checkpoint.size == 4
    with pytest.raises(ProofError):
        verify_tlog_proof(
            TlogProof.parse(proof.proof),
            leaf_hash(entries(database)[0]),
            verifier,
            inclusion_verifier=verify_inclusion,
        )


def test_the_sandbox_certificate_has_no_statement(database: Database, factory: Factory) -> None:
    with database.transaction(write=False) as session:
        sandbox = get_certificate(session, "cer_test_synthetic")
        with pytest.raises(NotFound):
            log.certificate_proof(session, factory.notary, sandbox)


def test_a_rolled_back_change_leaves_no_leaf(database: Database, factory: Factory) -> None:
    cert = factory.certificate()

    def revoke_then_fail() -> None:
        with database.transaction() as session:
            revoke_certificate(
                session,
                get_certificate(session, cert.id),
                reason="r",
                actor=None,
                base_url="",
                notary=factory.notary,
            )
            assert log.log_size(session, "live") == 2
            raise RuntimeError("roll back")

    with pytest.raises(RuntimeError):
        revoke_then_fail()
    assert len(entries(database)) == 1
    factory.revoke(cert)
    assert len(entries(database)) == 2


def test_a_retired_key_signs_nothing_and_records_nothing(
    database: Database, factory: Factory
) -> None:
    key = factory.key()
    factory.certificate(key)
    with database.transaction() as session:
        register_key(session, memory_key())  # another process publishes a new key
    with pytest.raises(SigningUnavailable):
        factory.certificate(key)
    with database.transaction(write=False) as session:
        assert last_sequence(session, "live") == 1
        with pytest.raises(SigningUnavailable):
            log.current_checkpoint(session, factory.notary, "live")
    assert len(entries(database)) == 1


def test_the_rebuild_of_a_feed_before_the_log_is_the_log_live_appends_built(
    database: Database, factory: Factory
) -> None:
    live, test = factory.key(), factory.key(mode="test")
    certs = [factory.certificate(live) for _ in range(6)]
    factory.certificate(test)
    factory.revoke(certs[1])
    factory.revoke(certs[4])
    factory.certificate(live)
    built = {mode: (entries(database, mode), stored(database, mode)) for mode in ("live", "test")}
    with database.transaction() as session:
        session.execute(delete(LogHash))
        session.execute(delete(LogEntry))
    with database.transaction() as session:
        assert rebuild_logs(session, factory.notary) == {"live": 9, "test": 1}
    for mode in ("live", "test"):
        assert (entries(database, mode), stored(database, mode)) == built[mode]
    with database.transaction() as session:
        assert rebuild_logs(session, factory.notary) == {"live": 0, "test": 0}
    factory.certificate(live)  # live appends continue the rebuilt log
    assert len(entries(database)) == 10


def test_concurrent_issuers_leave_the_log_a_gap_free_prefix_of_the_feed(
    database: Database, factory: Factory
) -> None:
    writers, each = 6, 5
    keys = [factory.key() for _ in range(writers)]
    factory.notary  # noqa: B018 - started before the threads share it
    failures: list[BaseException] = []

    def issue(key_index: int) -> None:
        try:
            for _ in range(each):
                factory.certificate(keys[key_index])
        except BaseException as exc:
            failures.append(exc)

    threads = [threading.Thread(target=issue, args=(i,)) for i in range(writers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    leaves = entries(database)
    with database.transaction(write=False) as session:
        feed = list_changes(session, mode="live", since=0, limit=1000)
        size = log.log_size(session, "live")
        assert size == len(feed) == writers * each
        keys_published = key_set(database)
        for index, (leaf, change) in enumerate(zip(leaves, feed, strict=True)):
            statement = verify_statement(leaf.decode("ascii"), keys_published)
            assert statement.log_index == index == change.sequence - 1
            assert statement.certificate_id == change.certificate_id
            proof = log.inclusion(session, "live", index=index, tree_size=size)
            verify_inclusion(leaf_hash(leaf), index, size, proof.hashes, proof.root_hash)
        assert proof.root_hash == root_of([leaf_hash(leaf) for leaf in leaves])
