"""`soundseal audit` against a real server: an honest registry audits clean, run after run;
a row rewritten or a revocation undone in the database, a log entry replaced, a log rolled
back and a forked history are each reported with a non-zero exit and the evidence kept."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import delete, select, update

from soundseal.app import create_app
from soundseal.db import Database
from soundseal.registry.certificates.models import Certificate
from soundseal.registry.log.appending import append_leaves
from soundseal.registry.log.models import LogEntry, LogHash
from soundseal.settings import Settings
from soundseal.transparency.note_keys import SignerKey
from tests.backends import sqlite_backend
from tests.cli.test_operator import run
from tests.conftest import LiveServer, make_settings
from tests.factories import Factory


def audit(server: LiveServer, state: Path, *extra: str) -> tuple[int, Any]:
    return run("audit", "--registry", server.url, "--state", str(state), *extra)


def log_key(factory: Factory) -> str:
    return factory.notary.checkpoint_verifier("live").format()


def evidence(out: Any) -> dict[str, Any]:
    assert isinstance(out, dict)
    value = json.loads(Path(out["evidence_file"]).read_text("utf-8"))
    assert isinstance(value, dict)
    return value


def test_an_honest_registry_audits_clean_run_after_run(
    live_server: LiveServer, factory: Factory, tmp_path: Path
) -> None:
    key = factory.key()
    factory.revoke(factory.certificate(key, track_title="Night Drive"))
    factory.certificate(key, track_title="Morning")
    state = tmp_path / "audit"
    code, out = audit(live_server, state, "--log-key", log_key(factory))
    assert code == 0, out
    assert out["size_verified"] == 3
    assert out["new_entries"] == 3
    assert out["certificates_named"] == out["certificates_checked"] == 2
    code, again = audit(live_server, state)
    assert code == 0, again
    assert (again["size_verified"], again["new_entries"]) == (3, 0)
    factory.certificate(key)
    code, third = audit(live_server, state)
    assert code == 0, third
    assert (third["previous_size"], third["size_verified"], third["new_entries"]) == (3, 4, 1)
    assert not list(state.glob("evidence-*"))


def test_the_pinned_key_is_required_first_and_cannot_be_changed(
    live_server: LiveServer, factory: Factory, tmp_path: Path
) -> None:
    factory.certificate()
    state = tmp_path / "audit"
    code, out = audit(live_server, state)
    assert code == 2
    assert out["code"] == "unusable_state"
    assert audit(live_server, state, "--log-key", log_key(factory))[0] == 0
    other = Ed25519PrivateKey.generate()
    stranger = SignerKey("registry.test/log/live", other).verifier().format()
    code, out = audit(live_server, state, "--log-key", stranger)
    assert code == 2
    assert "pins the log key" in out["error"]
    # A key the registry does not sign with, pinned from the start, is caught at once.
    code, out = audit(live_server, tmp_path / "fresh", "--log-key", stranger)
    assert code == 1
    assert out["code"] == "BadCheckpointSignature"


def test_a_title_rewritten_in_the_database_is_reported(
    live_server: LiveServer, factory: Factory, database: Database, tmp_path: Path
) -> None:
    cert = factory.certificate(track_title="Original Title")
    state = tmp_path / "audit"
    assert audit(live_server, state, "--log-key", log_key(factory))[0] == 0
    factory.certificate()  # a new entry, so the rewritten certificate is named again
    with database.transaction() as session:
        session.execute(
            update(Certificate).where(Certificate.id == cert.id).values(track_title="Rewritten")
        )
    # A fresh auditor, reading the whole log, sees the row disagree with its statement.
    code, out = audit(live_server, tmp_path / "fresh", "--log-key", log_key(factory))
    assert code == 1, out
    assert out["code"] == "CurrentAnswerMismatch"
    found = evidence(out)["certificates"][cert.id]
    assert found["logged"]["title"] == "Original Title"
    assert found["shown"]["title"] == "Rewritten"


def test_a_revocation_undone_in_the_database_is_reported(
    live_server: LiveServer, factory: Factory, database: Database, tmp_path: Path
) -> None:
    cert = factory.revoke(factory.certificate())
    with database.transaction() as session:
        session.execute(
            update(Certificate)
            .where(Certificate.id == cert.id)
            .values(status="active", revoked_at=None, revocation_reason=None)
        )
    code, out = audit(live_server, tmp_path / "audit", "--log-key", log_key(factory))
    assert code == 1, out
    found = evidence(out)["certificates"][cert.id]
    assert found["logged"]["status"] == "revoked"
    assert found["shown"]["status"] == "active"
    # The state was not advanced: the next run refuses it again.
    assert audit(live_server, tmp_path / "audit")[0] == 1


def _rewrite_entry(database: Database, factory: Factory, index: int, title: str) -> None:
    """Replace leaf `index` with another signed statement, and every hash with the ones the
    new entries give: a rewrite no one could spot without an earlier checkpoint."""
    with database.transaction() as session:
        rows = session.scalars(
            select(LogEntry.entry).where(LogEntry.mode == "live").order_by(LogEntry.index)
        ).all()
        entries = [bytes(row) for row in rows]
        cert = session.scalars(select(Certificate).order_by(Certificate.sequence)).all()[index]
        session.expunge(cert)
        cert.track_title = title
        entries[index] = factory.notary.certificate_entry(cert, index)
        session.execute(delete(LogHash).where(LogHash.mode == "live"))
        session.execute(delete(LogEntry).where(LogEntry.mode == "live"))
        append_leaves(session, "live", 0, entries)


def test_a_replaced_log_entry_is_reported(
    live_server: LiveServer, factory: Factory, database: Database, tmp_path: Path
) -> None:
    key = factory.key()
    for _ in range(3):
        factory.certificate(key)
    state = tmp_path / "audit"
    assert audit(live_server, state, "--log-key", log_key(factory))[0] == 0
    _rewrite_entry(database, factory, 1, "Slipped In")
    code, out = audit(live_server, state)
    assert code == 1, out
    assert out["code"] == "ForkDetected"
    factory.certificate(key)
    code, out = audit(live_server, state)
    assert code == 1, out
    assert out["code"] == "EntriesDoNotMatch"
    record = evidence(out)
    assert record["evidence"]["accepted"].startswith("registry.test/log/live\n3\n")
    assert record["evidence"]["offending"].startswith("registry.test/log/live\n4\n")


def test_a_rolled_back_log_is_reported(
    live_server: LiveServer, factory: Factory, database: Database, tmp_path: Path
) -> None:
    key = factory.key()
    for _ in range(3):
        factory.certificate(key)
    state = tmp_path / "audit"
    assert audit(live_server, state, "--log-key", log_key(factory))[0] == 0
    with database.transaction() as session:
        session.execute(delete(LogEntry).where(LogEntry.index >= 2))
        # The hashes of every subtree that covered leaf 2.
        session.execute(delete(LogHash).where((LogHash.index + 1) * (2**LogHash.level) > 2))
    code, out = audit(live_server, state)
    assert code == 1, out
    assert out["code"] == "RollbackDetected"
    record = evidence(out)
    assert record["evidence"]["accepted"].startswith("registry.test/log/live\n3\n")
    assert record["evidence"]["offending"].startswith("registry.test/log/live\n2\n")


def _key_file(path: Path) -> Path:
    pem = Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    path.write_bytes(pem)
    return path


def test_a_fork_between_two_registries_sharing_a_key_is_reported(
    database: Database, tmp_path: Path
) -> None:
    key_file = _key_file(tmp_path / "fleet.pem")
    (tmp_path / "b").mkdir()
    other = sqlite_backend(tmp_path / "b").fresh(tmp_path / "b")
    registries: list[tuple[Settings, Database]] = []
    for name, db in (("a", database), ("b", other)):
        (tmp_path / name).mkdir(exist_ok=True)
        registries.append((make_settings(db, tmp_path / name, signing_key_file=key_file), db))
    factories = [Factory(db, settings) for settings, db in registries]
    for factory, title in zip(factories, ("What A saw", "What B saw"), strict=True):
        factory.certificate(track_title=title)
        factory.certificate(track_title="Shared")
    state = tmp_path / "audit"
    try:
        with LiveServer(create_app(*registries[0])) as first:
            code, out = audit(first, state, "--log-key", log_key(factories[0]))
            assert code == 0, out
        with LiveServer(create_app(*registries[1])) as second:
            code, out = audit(second, state)
        assert code == 1, out
        assert out["code"] == "ForkDetected"
        record = evidence(out)["evidence"]
        assert record["accepted"] != record["offending"]
        assert record["accepted"].startswith("registry.test/log/live\n2\n")
        assert record["offending"].startswith("registry.test/log/live\n2\n")
    finally:
        other.dispose()
