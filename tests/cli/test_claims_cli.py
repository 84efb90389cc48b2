"""`soundseal claims …`: the operator's expiry sweep, listing and resolution."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from soundseal.db import Database
from soundseal.db.base import utcnow
from soundseal.registry.certificates.services import list_versions
from soundseal.registry.claims.models import Claim
from tests.cli.test_operator import run
from tests.factories import Factory


def _env(database: Database, tmp_path: Path) -> dict[str, str]:
    return {
        "SOUNDSEAL_DATABASE_URL": database.engine.url.render_as_string(hide_password=False),
        "SOUNDSEAL_DATA_DIR": str(tmp_path / "unused"),
    }


def test_expire_marks_only_overdue_pending_claims(
    database: Database, factory: Factory, tmp_path: Path
) -> None:
    cert = factory.certificate()
    overdue = factory.claim(cert, now=utcnow() - timedelta(days=15))
    fresh = factory.claim(cert)
    code, out = run("claims", "expire", env=_env(database, tmp_path))
    assert code == 0
    assert isinstance(out, dict)
    assert out["expired"] == [overdue.id]
    with database.transaction(write=False) as session:
        assert session.get(Claim, overdue.id).status == "expired"  # type: ignore[union-attr]
        assert session.get(Claim, fresh.id).status == "pending"  # type: ignore[union-attr]
        assert [v.change for v in list_versions(session, cert.id)][-1] == "claim.expired"
    code, again = run("claims", "expire", env=_env(database, tmp_path))
    assert (code, again["count"]) == (0, 0)  # type: ignore[index]


def test_list_and_resolve(database: Database, factory: Factory, tmp_path: Path) -> None:
    key = factory.key()
    cert = factory.certificate(key)
    claim = factory.claim(cert)
    env = _env(database, tmp_path)
    code, listed = run("claims", "list", "--account", key.account_id, env=env)
    assert code == 0
    assert [c["id"] for c in listed] == [claim.id]  # type: ignore[union-attr]
    code, resolved = run(
        "claims", "resolve", claim.id, "--outcome", "upheld", "--note", "Proven", env=env
    )
    assert code == 0, resolved
    assert resolved["certificate"]["status"] == "revoked"  # type: ignore[index]
    code, error = run(
        "claims", "resolve", claim.id, "--outcome", "dismissed", "--note", "n", env=env
    )
    assert code == 1
    assert error["code"] == "claim_closed"  # type: ignore[index]
