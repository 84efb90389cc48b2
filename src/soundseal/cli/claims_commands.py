"""Operator commands for claims: list, resolve, and the expiry sweep.

Resolving is the operator's decision, so it lives here (and behind the operator key in the
API); `expire` is meant for a scheduler (cron, a systemd timer), though reads never need it:
an overdue claim already reads as expired.
"""

from __future__ import annotations

from typing import Annotated

import typer

from soundseal.cli.app import emit, registry_session, settings_from
from soundseal.cli.signing_commands import refuse
from soundseal.db.base import utcnow
from soundseal.registry.claims import services as claims
from soundseal.registry.claims.views import claim_view
from soundseal.registry.log.rebuild import start_notary
from soundseal.signing import SigningError

claims_app = typer.Typer(help="Claims against certificates (the operator's side).")


@claims_app.command("expire")
def claims_expire(ctx: typer.Context) -> None:
    """Mark every pending claim past its response deadline expired."""
    now = utcnow()
    with registry_session(settings_from(ctx)) as session:
        expired = claims.expire_overdue_claims(session, now)
        emit({"expired": [c.id for c in expired], "count": len(expired), "at": now.isoformat()})


@claims_app.command("list")
def claims_list(
    ctx: typer.Context,
    account: Annotated[str, typer.Option(help="Account email or ID.")],
    mode: Annotated[str, typer.Option(help="live or test.")] = "live",
    status: Annotated[
        str | None, typer.Option(help="pending, responded, resolved or expired.")
    ] = None,
    limit: Annotated[int, typer.Option(min=1, max=100)] = 100,
) -> None:
    """A workspace's claims, newest first."""
    from soundseal.cli.operator import account_by_ident

    now = utcnow()
    with registry_session(settings_from(ctx)) as session:
        owner = account_by_ident(session, account)
        page = claims.list_claims(
            session, account_id=owner.id, mode=mode, now=now, status=status, limit=limit
        )
        emit([claim_view(c, c.certificate, now=now) for c in page.claims])


@claims_app.command("resolve")
def claims_resolve(
    ctx: typer.Context,
    claim_id: str,
    outcome: Annotated[str, typer.Option(help="upheld (revokes the certificate) or dismissed.")],
    note: Annotated[str, typer.Option(help="Why; kept in the certificate's history.")],
) -> None:
    """Decide a claim: upheld revokes its certificate with the claim as the reason."""
    settings = settings_from(ctx)
    now = utcnow()
    with registry_session(settings) as session:
        try:
            notary = start_notary(session, settings)
        except SigningError as exc:
            refuse(exc)
            return
        claim = claims.get_claim(session, claim_id, account_id=None, mode=None)
        claims.resolve_claim(
            session,
            claim,
            outcome=outcome,
            note=note,
            actor="operator",
            base_url=settings.public_url,
            now=now,
            notary=notary,
        )
        emit(claim_view(claim, claim.certificate, now=now))


def register(app: typer.Typer) -> None:
    app.add_typer(claims_app, name="claims")
