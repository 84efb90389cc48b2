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
    NO_LOG_KEY,
    Binding,
    FeedState,
    LogPin,
    PollResult,
    clear_log_failure,
    content_address,
    open_store,
    pin_log_key,
    poll_once,
    run_poller,
    seal_visible,
    verify_and_bind,
)
from soundseal.platform.log_check import log_failure

__all__ = ["register"]

platform_app = typer.Typer(
    help="Layer 2 for platforms: pin the log key, bind, gate, poll.", no_args_is_help=True
)

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
            log = _log_status(session.get(LogPin, 1))
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
            "log": log,
        }
    )


def _log_status(pin: LogPin | None) -> dict[str, Any]:
    """The pinned key, the verified tree, and the recorded failure with its evidence."""
    if pin is None:
        return {"pinned_key": None, "verified": False, "reason": NO_LOG_KEY, "failure": None}
    failure = log_failure(pin)
    verified = json.loads(pin.verified) if pin.verified else None
    return {
        "pinned_key": pin.log_key,
        "verified": failure is None,
        "verified_size": verified["size"] if verified else 0,
        "verified_checkpoint": verified["checkpoint"] if verified else None,
        "reason": None
        if failure is None
        else "the log failed verification: seals are hidden "
        "until an operator runs `soundseal platform clear`",
        "failure": None if failure is None else failure.as_dict(),
    }


@platform_app.command()
def pin(
    log_key: Annotated[
        str, typer.Argument(help="The log's verifier key (GET /api/v1/log/<mode>: verifier_key).")
    ],
    replace: Annotated[
        bool, typer.Option("--replace", help="Replace another pinned key (verify anew).")
    ] = False,
    db: Db = DEFAULT_DB,
) -> None:
    """Pin the registry's log key: polls verify the log with it; without one no seal shows."""
    store = open_store(db)
    try:
        pin_log_key(store.sessions, log_key, replace=replace)
    except ValueError as exc:
        _emit({"pinned": False, "error": str(exc)})
        raise typer.Exit(1) from exc
    finally:
        store.dispose()
    _emit({"pinned": True, "log_key": log_key.strip()})


@platform_app.command()
def clear(db: Db = DEFAULT_DB) -> None:
    """Clear a recorded log failure once investigated: seals may show again after a poll."""
    store = open_store(db)
    try:
        failure = clear_log_failure(store.sessions)
    finally:
        store.dispose()
    _emit({"cleared": failure is not None, "failure": failure.as_dict() if failure else None})


def register(app: typer.Typer) -> None:
    app.add_typer(platform_app, name="platform")
