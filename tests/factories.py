"""Factories: registry objects made through the registry's own services."""

from __future__ import annotations

import hashlib
import itertools
import tempfile
import weakref
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from soundseal.db import Database
from soundseal.db.base import utcnow
from soundseal.registry.accounts.services import create_account
from soundseal.registry.certificates.models import Certificate
from soundseal.registry.certificates.services import (
    NewCertificate,
    create_certificate,
    revoke_certificate,
)
from soundseal.registry.claims.models import Claim
from soundseal.registry.claims.services import NewClaim, file_claim
from soundseal.registry.contributors.models import Contributor
from soundseal.registry.contributors.services import invite_contributor
from soundseal.registry.keys.services import create_key
from soundseal.registry.log.notary import Notary
from soundseal.registry.log.rebuild import start_notary
from soundseal.registry.logins.services import sign_up
from soundseal.registry.webhooks.services import create_endpoint
from soundseal.settings import Settings, load_settings

_counter = itertools.count(1)
BASE_URL = "https://registry.test"


def sha256_of(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


@dataclass
class Key:
    id: str
    key: str
    account_id: str
    mode: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.key}"}


@dataclass
class WebLogin:
    email: str
    password: str
    account_id: str
    user_id: str

    def key(self, mode: str = "live") -> Key:
        """A stand-in for the workspace's key, for `Factory.certificate`."""
        return Key(id="", key="", account_id=self.account_id, mode=mode)


_NOTARIES: weakref.WeakKeyDictionary[Database, Notary] = weakref.WeakKeyDictionary()


def notary_for(database: Database, settings: Settings | None = None) -> Notary:
    """The registry's signer for `database`, started once per database as a server with
    `settings` starts it (so an app built on the same settings signs with the same key);
    without settings, with a key of its own. One per database: starting another key would
    retire the first."""
    notary = _NOTARIES.get(database)
    if notary is None:
        settings = settings or load_settings(
            data_dir=Path(tempfile.mkdtemp(prefix="factory-key-")),
            database_url=database.engine.url.render_as_string(hide_password=False),
            public_url=BASE_URL,
        )
        with database.transaction() as session:
            notary = _NOTARIES[database] = start_notary(session, settings)
    return notary


class Factory:
    def __init__(self, database: Database, settings: Settings | None = None) -> None:
        self.database = database
        self.settings = settings

    @property
    def notary(self) -> Notary:
        return notary_for(self.database, self.settings)

    def account(self, name: str | None = None, *, credits: int = 1000) -> str:
        """A workspace; with plenty of credits unless a test is about running out."""
        n = next(_counter)
        with self.database.transaction() as session:
            account = create_account(
                session,
                email=f"owner{n}@example.com",
                name=name or f"Workspace {n}",
                signup_credits=credits,
            )
            return account.id

    def key(
        self,
        account_id: str | None = None,
        *,
        kind: str = "secret",
        mode: str = "live",
        scopes: str | list[str] | None = None,
    ) -> Key:
        account_id = account_id or self.account()
        with self.database.transaction() as session:
            key, plaintext = create_key(
                session, account_id=account_id, kind=kind, mode=mode, scopes=scopes
            )
            return Key(id=key.id, key=plaintext, account_id=account_id, mode=mode)

    def web_user(
        self, password: str = "correct horse battery", workspace: str | None = None
    ) -> WebLogin:
        """A workspace with a dashboard log-in."""
        n = next(_counter)
        email = f"person{n}@example.com"
        with self.database.transaction() as session:
            user = sign_up(
                session,
                email=email,
                password=password,
                workspace=workspace or f"Label {n}",
                signup_credits=1000,
            )
            return WebLogin(
                email=email, password=password, account_id=user.account_id, user_id=user.id
            )

    def revoke(self, cert: Certificate, reason: str = "Rights dispute settled") -> Certificate:
        with self.database.transaction() as session:
            row = session.get(Certificate, cert.id)
            assert row is not None
            return revoke_certificate(
                session, row, reason=reason, actor="test", base_url=BASE_URL, notary=self.notary
            )

    def certificate(self, key: Key | None = None, **fields: Any) -> Certificate:
        key = key or self.key()
        notary = self.notary
        n = next(_counter)
        draft = NewCertificate(
            track_title=fields.pop("track_title", f"Track {n}"),
            artist_name=fields.pop("artist_name", f"Artist {n}"),
            sha256=fields.pop("sha256", sha256_of(f"audio {n}")),
            **fields,
        )
        with self.database.transaction() as session:
            return create_certificate(
                session,
                account_id=key.account_id,
                mode=key.mode,
                draft=draft,
                actor=key.id,
                base_url=BASE_URL,
                notary=notary,
            )

    def claim(
        self, cert: Certificate, *, now: datetime | None = None, days: int = 14, **fields: str
    ) -> Claim:
        """A claim against `cert`, filed at `now` with `days` to respond."""
        draft = NewClaim(
            certificate=cert.id,
            type=fields.pop("type", "ownership"),
            description=fields.pop("description", "I recorded this master in 2019."),
            claimant_name=fields.pop("claimant_name", "Jane Doe"),
            claimant_email=fields.pop("claimant_email", "jane@example.com"),
        )
        with self.database.transaction() as session:
            return file_claim(
                session,
                draft,
                mode=cert.mode,
                filed_by=fields.pop("filed_by", "test"),
                response_window=timedelta(days=days),
                now=now or utcnow(),
            )

    def contributor(
        self, cert: Certificate, name: str = "John Producer", role: str = "Producer"
    ) -> tuple[Contributor, str]:
        """An invited contributor of `cert`, and the token of its acknowledgement link."""
        with self.database.transaction() as session:
            row = session.get(Certificate, cert.id)
            assert row is not None
            return invite_contributor(
                session,
                row,
                name=name,
                role=role,
                email="john@example.com",
                actor="test",
                now=utcnow(),
            )

    def webhook(self, key: Key, url: str, events: list[str] | None = None) -> tuple[str, str]:
        """An endpoint (plain-http loopback allowed, as tests' receivers are): ID, secret."""
        with self.database.transaction() as session:
            endpoint = create_endpoint(
                session,
                account_id=key.account_id,
                mode=key.mode,
                url=url,
                events=events or ["certificate.created", "certificate.revoked"],
                description=None,
                allow_private=True,
            )
            return endpoint.id, endpoint.secret
