"""`soundseal platform …`: Layer 2 for a platform, from the command line. Each prints JSON.

The platform database is `--db URL` or `SOUNDSEAL_PLATFORM_DB` (default: a SQLite file in the
working directory); the registry is `--api-url`/`SOUNDSEAL_API_URL` and `SOUNDSEAL_API_KEY`.
"""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from typing import Annotated, Any

import typer
from sqlalchemy import func, select

from soundseal.client import Client, ClientError
from soundseal.db.base import utcnow
from soundseal.platform import (
    DEFAULT_MAX_STALENESS,
    Binding,
    FeedState,
    PollResult,
    content_address,
    open_store,
    poll_once,
    run_poller,
    seal_visible,
    verify_and_bind,
)

__all__ = ["register"]

platform_app = typer.Typer(help="Layer 2 for platforms: bind, gate, poll.", no_args_is_help=True)

Db = Annotated[
    str,
    typer.Option("--db", envvar="SOUNDSEAL_PLATFORM_DB", help="The platform's database URL."),
]
ApiUrl = Annotated[
    str, typer.Option("--api-url", envvar="SOUNDSEAL_API_URL", help="The registry's base URL.")
]
ApiKey = Annotated[
    str,
    typer.Option("--api-key", envvar="SOUNDSEAL_API_KEY", help="A secret key.", show_default=False),
]
DEFAULT_DB = "sqlite:///soundseal-platform.sqlite3"


def _emit(value: Any) -> None:
    typer.echo(json.dumps(value, indent=2, default=str))


def _client(api_url: str, api_key: str) -> Client:
    if not api_key:
        raise typer.BadParameter("set --api-key or SOUNDSEAL_API_KEY", param_hint="--api-key")
    return Client(api_key, api_url)


@platform_app.command()
def bind(
    track_id: Annotated[str, typer.Argument(help="The platform's own track ID.")],
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="The served file.")],
    cert: Annotated[str, typer.Option("--cert", help="The certificate to bind to.")],
    db: Db = DEFAULT_DB,
    api_url: ApiUrl = "http://127.0.0.1:8000",
    api_key: ApiKey = "",
) -> None:
    """Verify the served file against the certificate and, if it matches, bind it."""
    store = open_store(db)
    try:
        with _client(api_url, api_key) as registry:
            outcome = verify_and_bind(
                registry,
                store.sessions,
                track_id=track_id,
                served_file=file,
                certificate_id=cert,
            )
    except ClientError as exc:
        _emit({"track_id": track_id, "bound": False, "reasons": [str(exc)]})
        raise typer.Exit(1) from exc
    finally:
        store.dispose()
    _emit(outcome.as_dict())
    if not outcome.bound:
        raise typer.Exit(1)


@platform_app.command()
def poll(
    loop: Annotated[bool, typer.Option("--loop", help="Keep polling.")] = False,
    interval: Annotated[int, typer.Option(min=1, max=300, help="Seconds between polls.")] = 300,
    db: Db = DEFAULT_DB,
    api_url: ApiUrl = "http://127.0.0.1:8000",
    api_key: ApiKey = "",
) -> None:
    """Apply the registry's change feed once (cron), or every --interval seconds (--loop)."""
    store = open_store(db)
    try:
        with _client(api_url, api_key) as registry:
            if not loop:
                result = poll_once(registry, store.sessions)
                _emit(result.as_dict())
                if not result.ok:
                    raise typer.Exit(1)
                return

            def report(result: PollResult) -> None:
                typer.echo(json.dumps(result.as_dict()))

            run_poller(
                registry, store.sessions, interval=timedelta(seconds=interval), on_poll=report
            )
    finally:
        store.dispose()


@platform_app.command()
def gate(
    track_id: Annotated[str, typer.Argument(help="The platform's own track ID.")],
    file: Annotated[
        Path | None,
        typer.Option("--file", exists=True, dir_okay=False, help="The file served now."),
    ] = None,
    db: Db = DEFAULT_DB,
) -> None:
    """May this track show the seal now? A database read only; without --file the served
    audio is unknown, which hides the seal."""
    store = open_store(db)
    try:
        with store.sessions() as session:
            result = seal_visible(session, track_id, content_address(file) if file else None)
    finally:
        store.dispose()
    _emit(result.as_dict())


@platform_app.command()
def status(db: Db = DEFAULT_DB) -> None:
    """Bindings by state, the last poll, and whether the feed is fresh."""
    store = open_store(db)
    try:
        with store.sessions() as session:
            counts = dict(
                session.execute(select(Binding.state, func.count()).group_by(Binding.state)).all()
            )
            feed = session.get(FeedState, 1)
    finally:
        store.dispose()
    last = feed.last_success_at if feed else None
    _emit(
        {
            "bindings": counts,
            "last_applied_sequence": feed.last_applied_sequence if feed else 0,
            "last_successful_poll": last,
            "last_error": feed.last_error if feed else None,
            "feed_fresh": last is not None and utcnow() - last <= DEFAULT_MAX_STALENESS,
        }
    )


def register(app: typer.Typer) -> None:
    app.add_typer(platform_app, name="platform")
