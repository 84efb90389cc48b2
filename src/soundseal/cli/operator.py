"""Operator commands: serve, config, db, accounts, keys, credits."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer

from soundseal.cli.app import app, emit, registry_session, settings_from
from soundseal.db import create_database, upgrade
from soundseal.registry.accounts.models import Account
from soundseal.registry.accounts.services import (
    account_view,
    create_account,
    get_account_by_email,
)
from soundseal.registry.credits.services import (
    balance,
    credit_entry_view,
    grant_credits,
    list_entries,
)
from soundseal.registry.keys.services import create_key, key_view, list_keys, revoke_key
from soundseal.settings import settings_table

db_app = typer.Typer(help="Database schema.", no_args_is_help=True)
accounts_app = typer.Typer(help="Accounts (workspaces).", no_args_is_help=True)
keys_app = typer.Typer(help="API keys.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(accounts_app, name="accounts")
app.add_typer(keys_app, name="keys")
credits_app = typer.Typer(help="Workspace credits.", no_args_is_help=True)
app.add_typer(credits_app, name="credits")


@app.command()
def serve(
    ctx: typer.Context,
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    data_dir: Annotated[
        Path | None, typer.Option("--data-dir", help="Directory of the embedded registry.")
    ] = None,
    workers: Annotated[int, typer.Option(min=1, help="Server processes.")] = 1,
) -> None:
    """Run the API server (SQLite in the data dir unless SOUNDSEAL_DATABASE_URL is set)."""
    import uvicorn

    from soundseal.http.serving import UVICORN_OPTIONS

    settings = settings_from(ctx, data_dir=data_dir)
    # Worker processes build their own settings from the environment: hand them the dir.
    os.environ["SOUNDSEAL_DATA_DIR"] = str(settings.data_dir)
    if settings.is_embedded:
        database = create_database(settings.effective_database_url, pool_size=1)
        upgrade(database.engine)  # once, before any worker starts
        database.dispose()
    typer.echo(
        f"soundseal listening on http://{host}:{port} "
        f"(database: {'SQLite in ' + str(settings.data_dir) if settings.is_embedded else 'URL'})",
        err=True,
    )
    uvicorn.run(
        "soundseal.app:create_server_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level="info",
        access_log=False,
        **UVICORN_OPTIONS,
    )


@app.command()
def config(
    ctx: typer.Context,
    markdown: Annotated[
        bool, typer.Option("--markdown", help="Print the table of every setting instead.")
    ] = False,
) -> None:
    """Print the effective settings, secrets masked."""
    if markdown:
        typer.echo(settings_table())
        return
    emit(settings_from(ctx).masked())


@db_app.command("upgrade")
def db_upgrade(ctx: typer.Context) -> None:
    """Apply every pending migration."""
    settings = settings_from(ctx)
    database = create_database(settings.effective_database_url, pool_size=1)
    try:
        upgrade(database.engine)
    finally:
        database.dispose()
    emit({"upgraded": True})


@accounts_app.command("create")
def accounts_create(
    ctx: typer.Context,
    email: Annotated[str, typer.Option(help="The account's email (unique).")],
    name: Annotated[str, typer.Option(help="The workspace's name.")],
) -> None:
    """Create an account (workspace)."""
    settings = settings_from(ctx)
    with registry_session(settings) as session:
        account = create_account(
            session,
            email=email,
            name=name,
            signup_credits=settings.effective_signup_credits,
        )
        emit(account_view(account))


def account_by_ident(session: object, ident: str) -> Account:
    from sqlalchemy.orm import Session

    assert isinstance(session, Session)
    if ident.startswith("acct_"):
        account = session.get(Account, ident)
        if account is not None:
            return account
    return get_account_by_email(session, ident)


@keys_app.command("create")
def keys_create(
    ctx: typer.Context,
    account: Annotated[str, typer.Option(help="Account email or ID.")],
    kind: Annotated[str, typer.Option(help="secret or publishable.")] = "secret",
    mode: Annotated[str, typer.Option(help="live or test.")] = "live",
    scopes: Annotated[
        str | None, typer.Option(help="Comma-separated scopes (secret keys; default: all).")
    ] = None,
    name: Annotated[str | None, typer.Option(help="A label for the key.")] = None,
) -> None:
    """Mint an API key. The key is printed once and cannot be shown again."""
    with registry_session(settings_from(ctx)) as session:
        owner = account_by_ident(session, account)
        key, plaintext = create_key(
            session, account_id=owner.id, kind=kind, mode=mode, scopes=scopes, name=name
        )
        emit(
            {
                **key_view(key),
                "key": plaintext,
                "warning": "Save this key now. It will not be shown again.",
            }
        )


@keys_app.command("list")
def keys_list(
    ctx: typer.Context, account: Annotated[str, typer.Option(help="Account email or ID.")]
) -> None:
    """List an account's keys (prefixes only)."""
    with registry_session(settings_from(ctx)) as session:
        emit([key_view(k) for k in list_keys(session, account_by_ident(session, account).id)])


@keys_app.command("revoke")
def keys_revoke(ctx: typer.Context, key_id: str) -> None:
    """Revoke a key: it is refused (401) from the next request on."""
    with registry_session(settings_from(ctx)) as session:
        emit(key_view(revoke_key(session, key_id)))


@credits_app.command("grant")
def credits_grant(
    ctx: typer.Context,
    account: Annotated[str, typer.Option(help="Account email or ID.")],
    amount: Annotated[int, typer.Option(help="Credits to add (1 to 1,000,000).")],
    note: Annotated[str | None, typer.Option(help="Why, kept on the ledger.")] = None,
) -> None:
    """Add credits to a workspace's ledger."""
    with registry_session(settings_from(ctx)) as session:
        owner = account_by_ident(session, account)
        entry = grant_credits(
            session, account_id=owner.id, amount=amount, reference=note, actor="operator"
        )
        emit(
            {
                "account_id": owner.id,
                "credits_remaining": entry.balance_after,
                "entry": credit_entry_view(entry),
            }
        )


@credits_app.command("show")
def credits_show(
    ctx: typer.Context,
    account: Annotated[str, typer.Option(help="Account email or ID.")],
    limit: Annotated[int, typer.Option(min=1, max=1000, help="Ledger entries to list.")] = 20,
) -> None:
    """A workspace's balance and its latest ledger entries, newest first."""
    with registry_session(settings_from(ctx)) as session:
        owner = account_by_ident(session, account)
        emit(
            {
                "account_id": owner.id,
                "credits_remaining": balance(session, owner.id),
                "entries": [
                    credit_entry_view(e)
                    for e in list_entries(session, account_id=owner.id, limit=limit)
                ],
            }
        )
