"""The published keys, on SQLite and PostgreSQL: registering a key publishes it once and
retires the one before it, retired keys stay published and marked, at most one key is active
however many processes register at once, and the JWKS shows every key."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from sqlalchemy import func, select

from soundseal.db import Database
from soundseal.signing import jwk_thumbprint, jwks, key_status, published_keys, register_key
from soundseal.signing.errors import KeyNotActive
from soundseal.signing.keyring import require_active, retire_key
from soundseal.signing.keys import SigningKey, create_key_file
from soundseal.signing.models import SigningKeyRecord


def new_key(tmp_path: Path, name: str) -> SigningKey:
    return create_key_file(tmp_path / f"{name}.pem")


def register(database: Database, key: SigningKey) -> str:
    with database.transaction() as session:
        return register_key(session, key).status


def rows(database: Database) -> dict[str, str]:
    with database.transaction(write=False) as session:
        found = session.execute(select(SigningKeyRecord.kid, SigningKeyRecord.status))
        return {row.kid: row.status for row in found}


def active_count(database: Database) -> int:
    with database.transaction(write=False) as session:
        query = select(func.count()).where(SigningKeyRecord.status == "active")
        return int(session.scalar(query) or 0)


def test_a_new_key_is_published_active(database: Database, tmp_path: Path) -> None:
    key = new_key(tmp_path, "a")
    assert register(database, key) == "active"
    assert rows(database) == {key.kid: "active"}
    with database.transaction(write=False) as session:
        record = session.get(SigningKeyRecord, key.kid)
        assert record is not None
        assert record.public_jwk == key.public_jwk
        assert record.retired_at is None
        assert jwk_thumbprint(record.public_jwk) == record.kid


def test_registering_a_published_key_again_changes_nothing(
    database: Database, tmp_path: Path
) -> None:
    key = new_key(tmp_path, "a")
    register(database, key)
    assert register(database, key) == "active"
    assert rows(database) == {key.kid: "active"}


def test_a_new_key_retires_the_active_one_which_stays_published(
    database: Database, tmp_path: Path
) -> None:
    old, new = new_key(tmp_path, "old"), new_key(tmp_path, "new")
    register(database, old)
    assert register(database, new) == "active"
    assert rows(database) == {old.kid: "retired", new.kid: "active"}
    with database.transaction(write=False) as session:
        retired = session.get(SigningKeyRecord, old.kid)
        assert retired is not None
        assert retired.retired_at is not None
        assert retired.retired_at >= retired.created_at


def test_a_retired_key_is_never_made_active_again(database: Database, tmp_path: Path) -> None:
    old, new = new_key(tmp_path, "old"), new_key(tmp_path, "new")
    register(database, old)
    register(database, new)
    assert register(database, old) == "retired"
    assert rows(database) == {old.kid: "retired", new.kid: "active"}


def test_only_the_active_key_passes_require_active(database: Database, tmp_path: Path) -> None:
    old, new, unpublished = (new_key(tmp_path, n) for n in ("old", "new", "none"))
    register(database, old)
    register(database, new)
    with database.transaction(write=False) as session:
        require_active(session, new.kid)
        assert key_status(session, old.kid) == "retired"
        assert key_status(session, unpublished.kid) is None
        with pytest.raises(KeyNotActive) as retired:
            require_active(session, old.kid)
        assert (retired.value.kid, retired.value.status) == (old.kid, "retired")
        with pytest.raises(KeyNotActive) as missing:
            require_active(session, unpublished.kid)
        assert missing.value.status is None


def test_retire_key_retires_only_an_active_key(database: Database, tmp_path: Path) -> None:
    key = new_key(tmp_path, "a")
    register(database, key)
    with database.transaction() as session:
        assert retire_key(session, key.kid) is True
    with database.transaction() as session:
        assert retire_key(session, key.kid) is False
        assert retire_key(session, "no-such-kid") is False
    assert rows(database) == {key.kid: "retired"}
    # With none active, a new key is published active beside it.
    other = new_key(tmp_path, "b")
    assert register(database, other) == "active"


def test_the_jwks_lists_every_key_and_marks_the_retired(database: Database, tmp_path: Path) -> None:
    keys = [new_key(tmp_path, str(n)) for n in range(3)]
    for key in keys:
        register(database, key)
    with database.transaction(write=False) as session:
        published = jwks(session)
        listed = [record.kid for record in published_keys(session)]
    assert list(published) == ["keys"]
    entries = published["keys"]
    assert [entry["kid"] for entry in entries] == listed
    assert listed[0] == keys[-1].kid  # the active key first
    assert set(listed) == {key.kid for key in keys}
    by_kid = {entry["kid"]: entry for entry in entries}
    for key in keys:
        entry = by_kid[key.kid]
        assert {k: entry[k] for k in ("crv", "kty", "x")} == key.public_jwk
        assert (entry["use"], entry["alg"]) == ("sig", "EdDSA")
    assert "status" not in by_kid[keys[-1].kid]
    assert [by_kid[k.kid]["status"] for k in keys[:-1]] == ["retired", "retired"]


def test_an_empty_keyring_publishes_an_empty_set(database: Database) -> None:
    with database.transaction(write=False) as session:
        assert jwks(session) == {"keys": []}


def _register_all_at_once(database: Database, keys: list[SigningKey]) -> list[str]:
    start = threading.Barrier(len(keys))

    def start_process(key: SigningKey) -> str:
        start.wait()
        return register(database, key)

    with ThreadPoolExecutor(max_workers=len(keys)) as pool:
        return list(pool.map(start_process, keys))


def test_processes_sharing_a_key_file_start_at_once(database: Database, tmp_path: Path) -> None:
    old = new_key(tmp_path, "old")
    register(database, old)
    shared = new_key(tmp_path, "shared")
    statuses = _register_all_at_once(database, [shared] * 6)
    assert statuses == ["active"] * 6
    assert rows(database) == {old.kid: "retired", shared.kid: "active"}


def test_processes_with_different_keys_never_leave_two_active(
    database: Database, tmp_path: Path
) -> None:
    for round_ in range(3):
        keys = [new_key(tmp_path, f"{round_}-{n}") for n in range(4)]
        _register_all_at_once(database, keys)
        assert active_count(database) == 1
        published = rows(database)
        assert {key.kid for key in keys} <= set(published)
