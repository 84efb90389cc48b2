"""The poller verifies the registry's log instead of believing it: a real registry on
loopback issuing and revoking real certificates, its database tampered with directly, and a
platform database of the same kind (SQLite or PostgreSQL)."""

from __future__ import annotations

import dataclasses
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import delete, select, update

from soundseal.app import create_app
from soundseal.client import Client
from soundseal.db import Database
from soundseal.platform import (
    LoggedCertificate,
    LogPin,
    PlatformStore,
    clear_log_failure,
    content_address,
    open_store,
    pin_log_key,
    poll_once,
    seal_visible,
    verify_and_bind,
)
from soundseal.platform.log_check import log_failure
from soundseal.registry.certificates.models import Certificate
from soundseal.registry.changes.models import Change
from soundseal.registry.log.appending import append_leaves
from soundseal.registry.log.models import LogEntry, LogHash
from soundseal.signing.jws import sign_statement, verify_statement
from soundseal.signing.statements import certificate_statement
from soundseal.transparency.checkpoint import open_checkpoint
from soundseal.transparency.note_keys import VerifierKey
from tests.backends import sqlite_backend
from tests.conftest import LiveServer, make_settings
from tests.factories import Factory, sha256_of


@dataclass
class Platform:
    registry: Client
    store: PlatformStore
    database: Database  # the registry's, for tampering behind its API
    factory: Factory
    log_key: str

    def poll(self, client: Client | None = None) -> Any:
        return poll_once(client or self.registry, self.store.sessions)

    def bind(self, track: str, file: Path, certificate_id: str) -> Any:
        return verify_and_bind(
            self.registry,
            self.store.sessions,
            track_id=track,
            served_file=file,
            certificate_id=certificate_id,
        )

    def gate(self, track: str, file: Path) -> Any:
        with self.store.sessions() as session:
            return seal_visible(session, track, content_address(file))

    def failure(self) -> Any:
        with self.store.sessions() as session:
            return log_failure(session.get(LogPin, 1))

    def issue(self, title: str) -> str:
        cert = self.registry.create_certificate(
            track_title=title, artist_name="Band", sha256=sha256_of(title)
        )
        return str(cert["certificate"]["id"])

    def log_entries(self) -> list[bytes]:
        with self.database.transaction() as session:
            return list(
                session.scalars(
                    select(LogEntry.entry).where(LogEntry.mode == "live").order_by(LogEntry.index)
                )
            )

    def rewrite_log(self, entries: list[bytes]) -> None:
        """Replace the live log's rows by `entries`, with every hash recomputed from them:
        what someone with write access to the registry's database can do."""
        with self.database.transaction() as session:
            session.execute(delete(LogHash).where(LogHash.mode == "live"))
            session.execute(delete(LogEntry).where(LogEntry.mode == "live"))
            append_leaves(session, "live", 0, entries)

    def forged_entry(self, index: int, title: str) -> bytes:
        """Entry `index` (an issuance) re-signed with the registry's key, naming `title`."""
        notary = self.factory.notary
        jws = self.log_entries()[index].decode("ascii")
        certificate_id = verify_statement(jws, self.registry.jwks()).certificate_id
        with self.database.transaction() as session:
            cert = session.get(Certificate, certificate_id)
            assert cert is not None
            statement = certificate_statement(cert, issuer=notary.issuer, log_index=index)
        forged = dataclasses.replace(statement, track_title=title)
        return sign_statement(forged, notary.key).encode("ascii")


@pytest.fixture
def platform(
    live_server: LiveServer, factory: Factory, database: Database, platform_url: str
) -> Iterator[Platform]:
    key = factory.key()
    with Client(key.key, live_server.url, backoff=0.01) as registry:
        log_key = registry.log_state("live")["verifier_key"]
        store = open_store(platform_url, log_key=log_key)
        try:
            yield Platform(registry, store, database, factory, log_key)
        finally:
            store.dispose()


def test_honest_polls_verify_and_the_seal_shows(platform: Platform, audio: dict[str, Path]) -> None:
    cert = platform.registry.certify_file(audio["master"], track_title="Song", artist_name="Band")
    cert_id = cert["certificate"]["id"]
    assert platform.bind("t1", audio["served"], cert_id).bound
    # Bound before the poller saw its issuance in the log: hidden until it does.
    gate = platform.gate("t1", audio["served"])
    assert gate.visible is False
    assert f"certificate {cert_id} has no verified issuance entry in the log yet" in gate.reasons

    other = platform.issue("Other")
    first = platform.poll()
    assert first.ok, first.error
    assert (first.applied, first.last_applied_sequence) == (2, 2)
    assert platform.gate("t1", audio["served"]).visible
    with platform.store.sessions() as session:
        logged = {
            row.certificate_id: row.issued_index
            for row in session.scalars(select(LoggedCertificate))
        }
        verified = json.loads(session.get(LogPin, 1).verified)  # type: ignore[union-attr]
    assert logged == {cert_id: 0, other: 1}
    assert verified["size"] == 2
    assert verified["checkpoint"].startswith("registry.test/log/live\n2\n")

    assert platform.poll().ok  # nothing new: the same checkpoint is accepted again
    platform.registry.revoke_certificate(cert_id, reason="claim upheld")
    revoked = platform.poll()
    assert (revoked.ok, revoked.revoked, revoked.last_applied_sequence) == (True, 1, 3)
    gate = platform.gate("t1", audio["served"])
    assert f"certificate {cert_id} is revoked" in gate.reasons


def test_without_a_pinned_key_no_seal_shows(
    live_server: LiveServer, factory: Factory, platform_url: str, audio: dict[str, Path]
) -> None:
    key = factory.key()
    store = open_store(platform_url)
    try:
        with Client(key.key, live_server.url, backoff=0.01) as registry:
            cert = registry.certify_file(audio["master"], track_title="S", artist_name="B")
            cert_id = cert["certificate"]["id"]
            assert verify_and_bind(
                registry,
                store.sessions,
                track_id="t",
                served_file=audio["served"],
                certificate_id=cert_id,
            ).bound
            result = poll_once(registry, store.sessions)
            assert result.ok is False
            assert "no log key is pinned" in (result.error or "")
            with store.sessions() as session:
                gate = seal_visible(session, "t", content_address(audio["served"]))
            assert gate.visible is False
            assert "no log key is pinned: the registry's log cannot be verified" in gate.reasons
            # A key that is not the registry's: every checkpoint is refused, with evidence.
            stranger = factory.notary.checkpoint_verifier("live")
            impostor = VerifierKey(stranger.name, bytes(32 - 1) + b"\x01")
            pin_log_key(store.sessions, impostor.format())
            refused = poll_once(registry, store.sessions)
            assert refused.ok is False
            assert "not signed by the log key" in (refused.error or "")
    finally:
        store.dispose()


def _evidence_is_two_checkpoints_of_the_key(platform: Platform, failure: Any) -> None:
    key = VerifierKey.parse(platform.log_key)
    for text in (failure.evidence.accepted, failure.evidence.offending):
        open_checkpoint(text, [key])  # both verify: anyone holding the key can check them


@pytest.mark.parametrize("seen", [False, True], ids=["unseen-entry", "verified-entry"])
def test_a_replaced_log_entry_fails_closed_with_evidence(
    platform: Platform, audio: dict[str, Path], seen: bool
) -> None:
    cert = platform.registry.certify_file(audio["master"], track_title="Song", artist_name="Band")
    assert platform.bind("t1", audio["served"], cert["certificate"]["id"]).bound
    platform.issue("Second")
    if seen:
        assert platform.poll().ok
        assert platform.gate("t1", audio["served"]).visible
        # The registry's database is edited: entry 1 re-signed with another title, and every
        # hash recomputed, so the registry serves a consistent, validly signed other tree.
        entries = platform.log_entries()
        entries[1] = platform.forged_entry(1, "Forged title")
        platform.rewrite_log(entries)
        expected = "ForkDetected"
    else:
        assert platform.poll().ok
        platform.issue("Third")
        # Only the entry row is replaced: the stored hashes, and so the checkpoint, are the
        # honest ones, and the entry served no longer hashes to them.
        forged = platform.forged_entry(2, "Forged title")
        with platform.database.transaction() as session:
            session.execute(
                update(LogEntry)
                .where(LogEntry.mode == "live", LogEntry.index == 2)
                .values(entry=forged)
            )
        expected = "EntriesDoNotMatch"
    result = platform.poll()
    assert result.ok is False
    failure = platform.failure()
    assert failure is not None
    assert failure.error == expected
    _evidence_is_two_checkpoints_of_the_key(platform, failure)
    assert failure.evidence.accepted.split("\n")[1] == "2"
    gate = platform.gate("t1", audio["served"])
    assert gate.visible is False
    assert any("the registry's log failed verification" in r for r in gate.reasons)
    # Polls stop until an operator clears it; clearing does not make the log honest.
    again = platform.poll()
    assert "until an operator clears it" in (again.error or "")
    assert clear_log_failure(platform.store.sessions) is not None
    assert platform.poll().ok is False
    assert platform.failure() is not None


@pytest.mark.parametrize("seen", [True, False], ids=["after-verifying-it", "before"])
def test_a_revocation_taken_out_of_the_log_fails_closed(
    platform: Platform, audio: dict[str, Path], seen: bool
) -> None:
    cert = platform.registry.certify_file(audio["master"], track_title="Song", artist_name="Band")
    cert_id = cert["certificate"]["id"]
    assert platform.bind("t1", audio["served"], cert_id).bound
    assert platform.poll().ok
    platform.registry.revoke_certificate(cert_id, reason="claim upheld")
    if seen:
        assert platform.poll().revoked == 1
    # The revocation's entry and every hash over it are deleted: the tree is rolled back
    # to the issuance alone, and the registry signs that smaller tree.
    platform.rewrite_log(platform.log_entries()[:1])
    result = platform.poll()
    assert result.ok is False
    failure = platform.failure()
    assert failure is not None
    if seen:
        assert failure.error == "RollbackDetected"
        _evidence_is_two_checkpoints_of_the_key(platform, failure)
    else:
        # The feed still shows the revocation; the log read after it does not have it.
        assert failure.error == "FeedDisagrees"
        assert "feed entry 2 is not in the log" in failure.evidence.detail
        assert failure.evidence.offending.split("\n")[1] == "1"
    assert platform.gate("t1", audio["served"]).visible is False

    env = {
        **os.environ,
        "SOUNDSEAL_PLATFORM_DB": str(
            platform.store.database.engine.url.render_as_string(hide_password=False)
        ),
    }
    shown = subprocess.run(
        [sys.executable, "-m", "soundseal", "platform", "status"],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    )
    status = json.loads(shown.stdout)["log"]
    assert status["verified"] is False
    assert status["failure"]["error"] == failure.error
    assert status["failure"]["offending"] == failure.evidence.offending
    assert "soundseal platform clear" in status["reason"]


def test_certificate_rows_changed_behind_the_api(
    platform: Platform, audio: dict[str, Path]
) -> None:
    cert = platform.registry.certify_file(audio["master"], track_title="Song", artist_name="Band")
    cert_id = cert["certificate"]["id"]
    assert platform.bind("t1", audio["served"], cert_id).bound
    assert platform.poll().ok

    # A title changed in the certificates table: neither the feed nor the log changes, so
    # the poller has nothing to compare, and the seal (which asserts the audio, not the
    # title) stays. The log keeps the title that was signed.
    with platform.database.transaction() as session:
        session.execute(
            update(Certificate).where(Certificate.id == cert_id).values(track_title="Renamed")
        )
    assert platform.registry.get_certificate(cert_id)["track_title"] == "Renamed"
    assert platform.poll().ok
    logged = verify_statement(platform.log_entries()[0].decode("ascii"), platform.registry.jwks())
    assert logged.track_title == "Song"  # type: ignore[union-attr]

    # A revocation undone in the certificates table: the API says active again, but the
    # feed and the log both hold the revocation, and the poller applies it from them.
    platform.registry.revoke_certificate(cert_id, reason="claim upheld")
    with platform.database.transaction() as session:
        session.execute(
            update(Certificate)
            .where(Certificate.id == cert_id)
            .values(status="active", revoked_at=None, revocation_reason=None)
        )
    assert platform.registry.certificate_status(cert_id, fresh=True)["status"] == "active"
    result = platform.poll()
    assert (result.ok, result.revoked) == (True, 1)
    assert f"certificate {cert_id} is revoked" in platform.gate("t1", audio["served"]).reasons
    # Binding again on the API's word "active" does not bring the seal back.
    assert platform.bind("t1", audio["served"], cert_id).bound
    assert platform.gate("t1", audio["served"]).visible is False


def test_a_revocation_withheld_from_the_feed_fails_closed(
    platform: Platform, audio: dict[str, Path]
) -> None:
    cert = platform.registry.certify_file(audio["master"], track_title="Song", artist_name="Band")
    cert_id = cert["certificate"]["id"]
    assert platform.bind("t1", audio["served"], cert_id).bound
    assert platform.poll().ok
    platform.registry.revoke_certificate(cert_id, reason="claim upheld")
    # Undone in the certificates table and its feed entry deleted: only the log remembers.
    with platform.database.transaction() as session:
        session.execute(
            update(Certificate).where(Certificate.id == cert_id).values(status="active")
        )
        session.execute(
            delete(Change).where(Change.certificate_id == cert_id, Change.sequence == 2)
        )
    result = platform.poll()
    assert result.ok is False
    failure = platform.failure()
    assert failure is not None
    assert failure.error == "FeedDisagrees"
    assert "log entries [1, 2) are missing from the feed" in failure.evidence.detail
    assert platform.gate("t1", audio["served"]).visible is False


def test_a_feed_that_disagrees_with_the_log_fails_closed(platform: Platform) -> None:
    issued = platform.issue("One")
    assert platform.poll().ok
    platform.registry.revoke_certificate(issued, reason="r")
    # The feed entry of the revocation is made to say an issuance happened instead.
    with platform.database.transaction() as session:
        session.execute(
            update(Change)
            .where(Change.sequence == 2)
            .values(type="certificate.created", status="active")
        )
    assert platform.poll().ok is False
    failure = platform.failure()
    assert failure is not None
    assert failure.error == "FeedDisagrees"
    assert "the log holds a revocation" in failure.evidence.detail


def test_two_registries_with_one_key_and_two_histories(
    platform: Platform, live_server: LiveServer, tmp_path: Path
) -> None:
    platform.issue("Seen by the platform")
    assert platform.poll().ok
    # A second registry with the same key and public URL, whose first entry is another one.
    other_database = sqlite_backend(tmp_path / "fork").fresh(tmp_path / "fork")
    other_app = create_app(make_settings(other_database, tmp_path), other_database)
    try:
        with LiveServer(other_app) as other_server:
            other_factory = Factory(other_database)
            with Client(other_factory.key().key, other_server.url, backoff=0.01) as other:
                assert other.log_state("live")["verifier_key"] == platform.log_key
                other.create_certificate(
                    track_title="Shown elsewhere", artist_name="X", sha256=sha256_of("fork")
                )
                result = platform.poll(other)
                assert result.ok is False
                failure = platform.failure()
                assert failure is not None
                assert failure.error == "ForkDetected"
                _evidence_is_two_checkpoints_of_the_key(platform, failure)
                accepted, offending = failure.evidence.accepted, failure.evidence.offending
                assert accepted.split("\n")[1] == offending.split("\n")[1] == "1"
                assert accepted.split("\n")[2] != offending.split("\n")[2]
    finally:
        other_database.dispose()
