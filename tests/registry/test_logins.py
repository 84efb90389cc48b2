from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from soundseal.db import Database
from soundseal.errors import Unauthorized
from soundseal.registry.logins.models import WebSession, WebUser
from soundseal.registry.logins.services import (
    authenticate_password,
    end_session,
    purge_expired_sessions,
    resolve_session,
    start_session,
)
from tests.factories import Factory


def test_sessions_store_only_a_hash_of_the_token(factory: Factory, database: Database) -> None:
    login = factory.web_user()
    with database.transaction() as session:
        user = session.get(WebUser, login.user_id)
        assert user is not None
        token = start_session(session, user, ttl=timedelta(hours=1))
    with database.transaction(write=False) as session:
        stored = session.scalar(select(WebSession))
        assert stored is not None
        assert token not in (stored.id, stored.csrf_token)
        who = resolve_session(session, token)
    assert who is not None
    assert (who.account_id, who.email, who.actor) == (
        login.account_id,
        login.email,
        f"user:{login.user_id}",
    )
    with database.transaction() as session:
        end_session(session, who.session_id)
    with database.transaction(write=False) as session:
        assert resolve_session(session, token) is None
        assert resolve_session(session, "") is None
        assert resolve_session(session, "x" * 500) is None


def test_expired_sessions_do_not_resolve_and_are_purged(
    factory: Factory, database: Database
) -> None:
    login = factory.web_user()
    with database.transaction() as session:
        user = session.get(WebUser, login.user_id)
        assert user is not None
        token = start_session(session, user, ttl=timedelta(seconds=-1))
    with database.transaction() as session:
        assert resolve_session(session, token) is None
        assert purge_expired_sessions(session) == 1


def test_email_is_matched_case_insensitively(factory: Factory, database: Database) -> None:
    login = factory.web_user()
    with database.transaction(write=False) as session:
        user = authenticate_password(session, email=login.email.upper(), password=login.password)
        assert user.id == login.user_id
        for email, password in ((login.email, "wrong password"), ("not an email", "x"), ("", "")):
            with pytest.raises(Unauthorized, match="Wrong email or password"):
                authenticate_password(session, email=email, password=password)
