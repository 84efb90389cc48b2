"""Sign-up, password checks and browser sessions. Functions take a session, never commit.

Passwords are hashed with argon2id (`argon2-cffi`'s defaults, RFC 9106's second
recommendation). Session tokens are 256 random bits: the cookie holds the token, the
database its SHA-256, for the same reason API keys are stored that way.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from soundseal.db.base import utcnow
from soundseal.errors import InvalidInput, Unauthorized
from soundseal.ids import new_id
from soundseal.registry.accounts.models import Account
from soundseal.registry.accounts.services import create_account, normalize_email
from soundseal.registry.logins.models import WebSession, WebUser
from soundseal.registry.logins.passwords import (
    MAX_PASSWORD_LENGTH,
    MIN_PASSWORD_LENGTH,
    check_new_password,
)

__all__ = [
    "MIN_PASSWORD_LENGTH",
    "SignedIn",
    "authenticate_password",
    "change_password",
    "end_session",
    "purge_expired_sessions",
    "resolve_session",
    "sign_up",
    "start_session",
    "upgrade_hash",
]

_hasher = PasswordHasher()
# Verified when the email is unknown, so that a miss costs as long as a wrong password and
# response times do not tell which emails have accounts.
_DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(16))


@dataclass(frozen=True)
class SignedIn:
    """The person behind a browser session, as the dashboard needs them."""

    session_id: str
    user_id: str
    account_id: str
    email: str
    workspace: str
    csrf_token: str

    @property
    def actor(self) -> str:
        """How this person is named in a certificate's history."""
        return f"user:{self.user_id}"


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def sign_up(
    session: Session, *, email: str, password: str, workspace: str, signup_credits: int = 0
) -> WebUser:
    """A new workspace and its owner's log-in; `Conflict` (`account_exists`) when the
    email already has one.

    Every check that does not depend on the email being taken runs first, and the password
    is hashed before the email is looked up, so a taken email costs as long as a new one."""
    check_new_password(password, user_inputs=(email, workspace))
    password_hash = _hasher.hash(password)
    account = create_account(session, email=email, name=workspace, signup_credits=signup_credits)
    now = utcnow()
    user = WebUser(
        id=new_id("usr"),
        account_id=account.id,
        email=account.email,
        password_hash=password_hash,
        created_at=now,
        password_changed_at=now,
    )
    session.add(user)
    session.flush()
    return user


def authenticate_password(session: Session, *, email: str, password: str) -> WebUser:
    """The user with this email and password; `Unauthorized` for any mismatch, with one
    message whatever was wrong."""
    failure = Unauthorized("Wrong email or password")
    try:
        email = normalize_email(email)
    except InvalidInput:
        email = ""
    user = session.scalar(select(WebUser).where(WebUser.email == email)) if email else None
    if user is None or len(password) > MAX_PASSWORD_LENGTH:
        _verify(_DUMMY_HASH, password[:MAX_PASSWORD_LENGTH])
        raise failure
    if not _verify(user.password_hash, password):
        raise failure
    return user


def upgrade_hash(session: Session, *, user_id: str, password: str) -> None:
    """Re-hash a just-verified password if the hashing parameters have been raised since.

    Separate from `authenticate_password` so that the slow verification runs in a read
    transaction, without holding SQLite's write lock."""
    user = session.get(WebUser, user_id)
    if user is not None and _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = _hasher.hash(password)


def _verify(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def start_session(session: Session, user: WebUser, *, ttl: timedelta) -> str:
    """A new browser session for `user`; returns the token for the cookie."""
    token = secrets.token_urlsafe(32)
    now = utcnow()
    session.add(
        WebSession(
            id=_token_hash(token),
            user_id=user.id,
            csrf_token=secrets.token_urlsafe(32),
            created_at=now,
            expires_at=now + ttl,
        )
    )
    session.flush()
    return token


def resolve_session(session: Session, token: str) -> SignedIn | None:
    """Who holds this cookie token, or None when it is unknown, ended or expired."""
    if not token or len(token) > 100:
        return None
    row = session.execute(
        select(WebSession, WebUser, Account.name)
        .join(WebUser, WebUser.id == WebSession.user_id)
        .join(Account, Account.id == WebUser.account_id)
        .where(WebSession.id == _token_hash(token))
    ).first()
    if row is None:
        return None
    web_session, user, workspace = row
    if web_session.expires_at <= utcnow():
        return None
    return SignedIn(
        session_id=web_session.id,
        user_id=user.id,
        account_id=user.account_id,
        email=user.email,
        workspace=workspace,
        csrf_token=web_session.csrf_token,
    )


def end_session(session: Session, session_id: str) -> None:
    session.execute(delete(WebSession).where(WebSession.id == session_id))


def change_password(
    session: Session, *, user_id: str, current: str, new: str, ttl: timedelta
) -> str:
    """Set a new password and end every session of the user, this one included (whoever
    else knew the old password is signed out); returns the token of a fresh session."""
    user = session.get(WebUser, user_id)
    if user is None or not _verify(user.password_hash, current):
        raise InvalidInput("The current password is wrong", field="current_password")
    workspace = session.scalar(select(Account.name).where(Account.id == user.account_id))
    check_new_password(new, user_inputs=(user.email, workspace or ""), field="new_password")
    user.password_hash = _hasher.hash(new)
    user.password_changed_at = utcnow()
    session.execute(delete(WebSession).where(WebSession.user_id == user.id))
    return start_session(session, user, ttl=ttl)


def purge_expired_sessions(session: Session) -> int:
    result = session.execute(delete(WebSession).where(WebSession.expires_at <= utcnow()))
    return int(getattr(result, "rowcount", 0) or 0)
