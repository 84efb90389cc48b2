"""The platform doc's go-live checks, each as a test: a real soundseal server on loopback,
real audio, the platform's own SQLite database."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from soundseal.client import Client
from soundseal.platform import (
    Binding,
    FeedRejected,
    PlatformStore,
    check_page,
    content_address,
    open_store,
    pin_log_key,
    poll_once,
    seal_visible,
    seals_visible,
    verify_and_bind,
)
from tests.conftest import LiveServer
from tests.factories import Factory


@dataclass
class World:
    registry: Client
    store: PlatformStore
    certificate_id: str

    def gate(self, track: str, file: Path | None, **kwargs: Any) -> Any:
        with self.store.sessions() as session:
            return seal_visible(session, track, content_address(file) if file else None, **kwargs)

    def bind(self, track: str, file: Path) -> Any:
        return verify_and_bind(
            self.registry,
            self.store.sessions,
            track_id=track,
            served_file=file,
            certificate_id=self.certificate_id,
        )

    def bindings(self) -> int:
        with self.store.sessions() as session:
            return int(session.scalar(select(func.count()).select_from(Binding)) or 0)


@pytest.fixture
def world(
    live_server: LiveServer, factory: Factory, audio: dict[str, Path], tmp_path: Path
) -> Iterator[World]:
    key = factory.key()
    with Client(key.key, live_server.url, backoff=0.01) as registry:
        store = open_store(
            f"sqlite:///{tmp_path / 'platform.sqlite3'}",
            log_key=registry.log_state("live")["verifier_key"],
        )
        cert = registry.certify_file(audio["master"], track_title="Song", artist_name="Band")
        yield World(registry, store, cert["certificate"]["id"])
    store.dispose()


def test_unverified_rows_show_nothing(world: World, audio: dict[str, Path]) -> None:
    poll_once(world.registry, world.store.sessions)
    result = world.gate("never-bound", audio["served"])
    assert result.visible is False
    assert result.reasons == ["no verified binding for this track"]


def test_a_verified_binding_shows_the_seal(world: World, audio: dict[str, Path]) -> None:
    outcome = world.bind("t1", audio["served"])
    assert outcome.bound, outcome.reasons
    assert outcome.receipt is not None
    assert outcome.receipt["matched"] is True
    assert poll_once(world.registry, world.store.sessions).ok
    result = world.gate("t1", audio["served"])
    assert result.visible, result.reasons
    assert result.certificate_id == world.certificate_id


def test_a_pasted_id_never_turns_the_seal_on(world: World, audio: dict[str, Path]) -> None:
    # The uploader typed a real, active certificate ID next to audio that is not its master.
    outcome = world.bind("pasted", audio["other"])
    assert outcome.bound is False
    assert world.bindings() == 0
    poll_once(world.registry, world.store.sessions)
    assert world.gate("pasted", audio["other"]).visible is False


def test_a_swapped_or_retranscoded_file_removes_the_seal_until_reverified(
    world: World, audio: dict[str, Path]
) -> None:
    world.bind("t2", audio["served"])
    poll_once(world.registry, world.store.sessions)
    for replacement in ("retranscoded", "other"):
        result = world.gate("t2", audio[replacement])
        assert result.visible is False
        assert "the served file is not the one that was verified" in result.reasons
    assert world.bind("t2", audio["retranscoded"]).bound
    assert world.gate("t2", audio["retranscoded"]).visible
    assert world.gate("t2", audio["served"]).visible is False  # the old file is no longer bound
    with world.store.sessions() as session:
        states = sorted(session.scalars(select(Binding.state)))
    assert states == ["superseded", "verified"]


def test_a_revoked_certificate_removes_the_seal_at_the_next_poll(
    world: World, audio: dict[str, Path]
) -> None:
    world.bind("t3", audio["served"])
    poll_once(world.registry, world.store.sessions)
    assert world.gate("t3", audio["served"]).visible
    world.registry.revoke_certificate(world.certificate_id, reason="claim upheld")
    result = poll_once(world.registry, world.store.sessions)
    assert result.ok
    assert result.revoked == 1
    gate = world.gate("t3", audio["served"])
    assert gate.visible is False
    assert f"certificate {world.certificate_id} is revoked" in gate.reasons
    # And it cannot be bound again.
    assert world.bind("t3", audio["served"]).bound is False


def test_a_stale_feed_hides_every_seal_and_a_poll_restores_them(
    world: World, audio: dict[str, Path]
) -> None:
    world.bind("t4", audio["served"])
    world.bind("t5", audio["served"])
    assert world.gate("t4", audio["served"]).visible is False  # never polled yet
    poll_once(world.registry, world.store.sessions)
    served = content_address(audio["served"])
    with world.store.sessions() as session:
        later = seals_visible(
            session, {"t4": served, "t5": served}, now=_now() + timedelta(minutes=16)
        )
    assert not any(r.visible for r in later.values())
    assert all("stale" in r.reasons[0] for r in later.values())
    poll_once(world.registry, world.store.sessions)
    with world.store.sessions() as session:
        fresh = seals_visible(session, {"t4": served, "t5": served})
    assert all(r.visible for r in fresh.values())


def _now() -> Any:
    from soundseal.db.base import utcnow

    return utcnow()


class TamperedFeed:
    """The real client, except that its change-feed pages are tampered with."""

    def __init__(self, client: Client, tamper: Any) -> None:
        self.client = client
        self.tamper = tamper

    def __getattr__(self, name: str) -> Any:
        return getattr(self.client, name)

    def changes(self, **kwargs: Any) -> dict[str, Any]:
        page = self.client.changes(**kwargs)
        page["changes"] = self.tamper(page["changes"])
        return page


@pytest.mark.parametrize(
    "tamper",
    [
        pytest.param(lambda changes: changes[::-1], id="reordered"),
        pytest.param(lambda changes: changes + changes[-1:], id="replayed-entry"),
        pytest.param(lambda changes: changes[1:], id="gap"),
    ],
)
def test_a_replayed_or_reordered_page_is_rejected(
    world: World, factory: Factory, tamper: Any
) -> None:
    assert poll_once(world.registry, world.store.sessions).ok
    before = poll_once(world.registry, world.store.sessions).last_applied_sequence
    world.registry.create_certificate(track_title="x", artist_name="y", sha256="a" * 64)
    world.registry.create_certificate(track_title="x", artist_name="y", sha256="b" * 64)
    result = poll_once(TamperedFeed(world.registry, tamper), world.store.sessions)  # type: ignore[arg-type]
    assert result.ok is False
    assert "out of order" in (result.error or "")
    assert result.last_applied_sequence == before
    # The same page replayed later, after a good poll, is refused as well.
    assert poll_once(world.registry, world.store.sessions).ok
    with pytest.raises(FeedRejected):
        check_page([{"sequence": before + 1}], before + 2)


def test_a_crash_between_verify_and_bind_leaves_no_binding(
    world: World, audio: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    def crash(*_: Any, **__: Any) -> Any:
        raise RuntimeError("process killed")

    monkeypatch.setattr(world.registry, "certificate_status", crash)
    with pytest.raises(RuntimeError):
        world.bind("t6", audio["served"])
    assert world.bindings() == 0


def test_the_poller_flags_bindings_whose_audio_changed(
    world: World, audio: dict[str, Path]
) -> None:
    world.bind("t7", audio["served"])
    world.bind("t8", audio["served"])
    now_serving = {"t7": content_address(audio["served"]), "t8": content_address(audio["other"])}
    result = poll_once(world.registry, world.store.sessions, current_audio=now_serving.get)
    assert result.ok
    assert result.flagged == 1
    with world.store.sessions() as session:
        states = dict(session.execute(select(Binding.track_id, Binding.state)).all())
    assert states == {"t7": "verified", "t8": "needs_reverification"}
    assert world.gate("t8", audio["served"]).visible is False
    assert world.gate("t7", audio["served"]).visible


@pytest.mark.postgresql
def test_the_platform_database_can_be_postgresql(
    live_server: LiveServer, factory: Factory, audio: dict[str, Path]
) -> None:
    import uuid

    import sqlalchemy as sa
    from sqlalchemy.engine import make_url

    from tests.backends import postgres_admin_url, unavailable

    admin_url = make_url(postgres_admin_url())
    name = f"soundseal_platform_{uuid.uuid4().hex[:8]}"
    try:
        admin = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    except Exception as exc:
        unavailable("PostgreSQL", str(exc))
    store = open_store(admin_url.set(database=name).render_as_string(hide_password=False))
    try:
        key = factory.key()
        with Client(key.key, live_server.url, backoff=0.01) as registry:
            pin_log_key(store.sessions, registry.log_state("live")["verifier_key"])
            cert = registry.certify_file(audio["master"], track_title="S", artist_name="B")
            world = World(registry, store, cert["certificate"]["id"])
            assert world.bind("pg", audio["served"]).bound
            assert poll_once(registry, store.sessions).ok
            assert world.gate("pg", audio["served"]).visible
            registry.revoke_certificate(world.certificate_id, reason="r")
            assert poll_once(registry, store.sessions).revoked == 1
            assert world.gate("pg", audio["served"]).visible is False
    finally:
        store.dispose()
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()
