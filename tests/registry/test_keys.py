"""API keys at the registry level: minting (kinds, modes, scopes), what is stored, how a
presented key is authenticated, revocation and listing, on SQLite and PostgreSQL."""

from __future__ import annotations

import hashlib
import re
import string

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from soundseal.db import Database
from soundseal.errors import InvalidInput, NotFound
from soundseal.registry.keys.models import ApiKey
from soundseal.registry.keys.scopes import ALL_SCOPES, PUBLISHABLE_SCOPES, parse_scopes
from soundseal.registry.keys.services import (
    Principal,
    authenticate,
    create_key,
    key_view,
    list_keys,
    revoke_key,
)
from tests.factories import Factory, Key

_KEY_RE = re.compile(r"^ss_(sk|pk)_(live|test)_[A-Za-z0-9]{32}$")


def mint(
    database: Database,
    account_id: str,
    *,
    kind: str = "secret",
    mode: str = "live",
    scopes: str | list[str] | None = None,
    name: str | None = None,
) -> tuple[str, str]:
    """Mint a key through the service; its ID and the plaintext shown once."""
    with database.transaction() as session:
        key, plaintext = create_key(
            session, account_id=account_id, kind=kind, mode=mode, scopes=scopes, name=name
        )
        return key.id, plaintext


def stored_row(database: Database, key_id: str) -> dict[str, object]:
    """Every column of the key's row, as the database holds it."""
    with database.transaction(write=False) as session:
        row = session.execute(select(ApiKey.__table__).where(ApiKey.id == key_id)).one()
        return dict(row._mapping)


def key_count(database: Database, account_id: str) -> int:
    with database.transaction(write=False) as session:
        query = select(func.count()).select_from(ApiKey).where(ApiKey.account_id == account_id)
        return int(session.scalar(query) or 0)


@pytest.mark.parametrize(
    ("kind", "mode", "prefix"),
    [
        ("secret", "live", "ss_sk_live_"),
        ("secret", "test", "ss_sk_test_"),
        ("publishable", "live", "ss_pk_live_"),
        ("publishable", "test", "ss_pk_test_"),
    ],
)
def test_a_key_is_shown_once_and_only_its_hash_is_stored(
    database: Database, factory: Factory, kind: str, mode: str, prefix: str
) -> None:
    account = factory.account()
    key_id, plaintext = mint(database, account, kind=kind, mode=mode, name="CI")
    assert plaintext.startswith(prefix)
    assert _KEY_RE.match(plaintext), plaintext
    row = stored_row(database, key_id)
    assert row["kind"] == kind
    assert row["mode"] == mode
    assert row["account_id"] == account
    assert row["name"] == "CI"
    assert row["revoked_at"] is None
    assert row["key_hash"] == hashlib.sha256(plaintext.encode()).hexdigest()
    # Only a display prefix: the start and the last four characters, never the secret part.
    assert row["prefix"] == f"{plaintext[:15]}…{plaintext[-4:]}"
    secret_part = plaintext[len(prefix) :]
    for column, value in row.items():
        assert secret_part not in str(value), column


def test_every_key_is_different(database: Database, factory: Factory) -> None:
    account = factory.account()
    minted = [mint(database, account)[1] for _ in range(20)]
    assert len(set(minted)) == 20


def test_a_secret_key_gets_the_scopes_asked_for_in_canonical_order(
    database: Database, factory: Factory
) -> None:
    account = factory.account()
    everything, _ = mint(database, account)
    assert stored_row(database, everything)["scopes"] == list(ALL_SCOPES)
    some, _ = mint(database, account, scopes=" claims:write , certificates:read,claims:write")
    assert stored_row(database, some)["scopes"] == ["certificates:read", "claims:write"]
    listed, _ = mint(database, account, scopes=["webhooks:manage", "billing:read"])
    assert stored_row(database, listed)["scopes"] == ["webhooks:manage", "billing:read"]


@pytest.mark.parametrize(
    "asked",
    [
        None,
        "certificates:write",
        "claims:write,webhooks:manage,billing:write",
        list(ALL_SCOPES),
        ["verify:read"],
    ],
)
@pytest.mark.parametrize("mode", ["live", "test"])
def test_a_publishable_key_never_gets_write_scopes_whatever_is_asked(
    database: Database, factory: Factory, asked: str | list[str] | None, mode: str
) -> None:
    key_id, plaintext = mint(
        database, factory.account(), kind="publishable", mode=mode, scopes=asked
    )
    assert stored_row(database, key_id)["scopes"] == list(PUBLISHABLE_SCOPES)
    principal = authenticate(database.fast, plaintext)
    assert principal is not None
    assert principal.scopes == frozenset(PUBLISHABLE_SCOPES)
    assert not any(scope.endswith((":write", ":manage")) for scope in principal.scopes)


@pytest.mark.parametrize(
    ("fields", "field", "words"),
    [
        ({"scopes": "certificates:read,certificates:delete"}, "scopes", "certificates:delete"),
        ({"scopes": ["admin"]}, "scopes", "admin"),
        ({"scopes": " , ,"}, "scopes", "At least one scope"),
        ({"scopes": []}, "scopes", "At least one scope"),
        # Unknown scopes are refused for a publishable key too, not silently narrowed.
        ({"kind": "publishable", "scopes": "root"}, "scopes", "root"),
        ({"kind": "restricted"}, "kind", "secret"),
        ({"mode": "prod"}, "mode", "live"),
    ],
)
def test_what_cannot_be_minted_is_refused_naming_the_field_and_nothing_is_written(
    database: Database,
    factory: Factory,
    fields: dict[str, object],
    field: str,
    words: str,
) -> None:
    account = factory.account()
    with pytest.raises(InvalidInput) as refused:
        mint(database, account, **fields)  # type: ignore[arg-type]
    assert refused.value.field == field
    assert words in refused.value.message
    assert key_count(database, account) == 0


def test_unknown_scopes_are_all_named_with_the_known_ones() -> None:
    with pytest.raises(InvalidInput) as refused:
        parse_scopes("verify:read,zeta,alpha")
    assert "Unknown scope(s): alpha, zeta." in refused.value.message
    assert all(scope in refused.value.message for scope in ALL_SCOPES)


@pytest.mark.parametrize(("kind", "mode"), [("secret", "live"), ("publishable", "test")])
def test_authenticate_finds_a_valid_key_through_a_session_and_the_fast_path(
    database: Database, factory: Factory, kind: str, mode: str
) -> None:
    account = factory.account()
    key_id, plaintext = mint(database, account, kind=kind, mode=mode, scopes="claims:read")
    with database.transaction(write=False) as session:
        through_session = authenticate(session, plaintext)
    through_fast = authenticate(database.fast, plaintext)
    assert through_session == through_fast
    assert through_fast == Principal(
        key_id=key_id,
        account_id=account,
        kind=kind,
        mode=mode,
        scopes=frozenset(["claims:read"] if kind == "secret" else PUBLISHABLE_SCOPES),
        tier="free",
    )
    assert through_fast.is_test is (mode == "test")


def malformed(plaintext: str) -> list[str]:
    """Near misses of a real key: each must be refused, not matched loosely."""
    return [
        "",
        plaintext[:-1],
        plaintext + "x",
        plaintext.upper(),
        f" {plaintext}",
        f"{plaintext}\n",
        f"Bearer {plaintext}",
        plaintext.replace("ss_", "sk_", 1),
        plaintext.replace("_live_", "_test_"),
        plaintext.replace("_sk_", "_pk_"),
        hashlib.sha256(plaintext.encode()).hexdigest(),  # the stored hash is not a key
    ]


def test_authenticate_refuses_unknown_and_malformed_keys(
    database: Database, factory: Factory
) -> None:
    _, plaintext = mint(database, factory.account())
    assert authenticate(database.fast, plaintext) is not None
    unknown = "ss_sk_live_" + "A" * 32
    for presented in [unknown, *malformed(plaintext)]:
        assert authenticate(database.fast, presented) is None, presented
        with database.transaction(write=False) as session:
            assert authenticate(session, presented) is None, presented


def test_revoking_is_final(database: Database, factory: Factory) -> None:
    key = factory.key()
    with database.transaction() as session:
        first = revoke_key(session, key.id).revoked_at
    assert first is not None
    assert authenticate(database.fast, key.key) is None
    with database.transaction() as session:
        again = revoke_key(session, key.id)
        # Revoking twice keeps the first time: the record of when access ended stands.
        assert again.revoked_at == first
    with database.transaction(write=False) as session:
        assert authenticate(session, key.key) is None
    assert stored_row(database, key.id)["revoked_at"] == first


def test_revoking_one_key_leaves_the_workspaces_others_working(
    database: Database, factory: Factory
) -> None:
    first = factory.key()
    second = factory.key(first.account_id)
    with database.transaction() as session:
        revoke_key(session, first.id)
    assert authenticate(database.fast, first.key) is None
    principal = authenticate(database.fast, second.key)
    assert principal is not None
    assert principal.key_id == second.id


def test_revoking_an_unknown_key_is_not_found(database: Database) -> None:
    with database.transaction() as session, pytest.raises(NotFound) as refused:
        revoke_key(session, "key_doesnotexist")
    assert "key_doesnotexist" in refused.value.message


def test_listing_shows_the_workspaces_keys_and_no_secrets(
    database: Database, factory: Factory
) -> None:
    mine = [factory.key()]
    account = mine[0].account_id
    mine.append(factory.key(account, kind="publishable", mode="test"))
    theirs = factory.key()
    with database.transaction() as session:
        revoke_key(session, mine[1].id)
    with database.transaction(write=False) as session:
        keys = list_keys(session, account)
        views = [key_view(k) for k in keys]
    assert sorted(k.id for k in keys) == sorted(k.id for k in mine)
    assert theirs.id not in {k.id for k in keys}
    by_id = {v["id"]: v for v in views}
    assert by_id[mine[0].id]["revoked_at"] is None
    assert by_id[mine[1].id]["revoked_at"] is not None
    assert by_id[mine[1].id]["kind"] == "publishable"
    assert by_id[mine[1].id]["mode"] == "test"
    for view, key in zip(views, sorted(mine, key=lambda k: k.id), strict=True):
        assert set(view) == {
            "id",
            "kind",
            "mode",
            "scopes",
            "prefix",
            "name",
            "created_at",
            "revoked_at",
        }
        shown = repr(view)
        assert key.key[15:-4] not in shown
        assert hashlib.sha256(key.key.encode()).hexdigest() not in shown


def test_a_workspace_without_keys_lists_none(database: Database, factory: Factory) -> None:
    with database.transaction(write=False) as session:
        assert list_keys(session, factory.account()) == []


_PREFIXES = st.sampled_from(["", "ss_sk_live_", "ss_pk_test_", "ss_sk_test_", "ss_pk_live_"])
# Any code point, lone surrogates included (a str can hold them, though UTF-8 cannot).
_ANY_TEXT = st.text(st.one_of(st.characters(), st.characters(categories=["Cs"])), max_size=80)


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(prefix=_PREFIXES, rest=_ANY_TEXT)
def test_authenticate_answers_any_string_with_a_principal_or_none(
    database: Database, prefix: str, rest: str
) -> None:
    presented = prefix + rest
    assert authenticate(database.fast, presented) is None
    with database.transaction(write=False) as session:
        assert authenticate(session, presented) is None


@pytest.fixture
def one_key(factory: Factory) -> Key:
    """One key for every example of a property test (the fixture is made once per test)."""
    return factory.key()


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(changed=st.integers(0, 42), to=st.sampled_from(string.ascii_letters + string.digits + "_"))
def test_a_key_with_any_one_character_changed_is_refused(
    database: Database, one_key: Key, changed: int, to: str
) -> None:
    presented = one_key.key[:changed] + to + one_key.key[changed + 1 :]
    principal = authenticate(database.fast, presented)
    if presented == one_key.key:
        assert principal is not None
        assert principal.key_id == one_key.id
    else:
        assert principal is None
