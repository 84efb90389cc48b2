"""`soundseal log …`: the transparency logs, from the operator's side.

`rebuild` brings each mode's log level with its change feed, signing the statements of the
changes the log lacks. Every server does the same when it starts, so this is for a registry
upgraded while its servers stay down, or to check that nothing is left to do (it then
appends nothing). `show` prints each log's size and signed checkpoint.
"""

from __future__ import annotations

import typer

from soundseal.cli.app import emit, registry_session, settings_from
from soundseal.cli.signing_commands import refuse
from soundseal.registry.log.notary import Notary
from soundseal.registry.log.rebuild import rebuild_logs, start_notary
from soundseal.registry.log.services import current_checkpoint
from soundseal.signing import SigningError, start_signing

__all__ = ["register"]

log_app = typer.Typer(help="The registry's transparency logs.", no_args_is_help=True)


@log_app.command("rebuild")
def rebuild(ctx: typer.Context) -> None:
    """Append to each mode's log the signed statements of the feed entries it lacks."""
    settings = settings_from(ctx)
    with registry_session(settings) as session:
        try:
            notary = Notary(start_signing(session, settings), settings.public_url)
        except SigningError as exc:
            refuse(exc)
            return
        emit({"appended": rebuild_logs(session, notary), "kid": notary.key.kid})


@log_app.command("show")
def show(ctx: typer.Context) -> None:
    """Each mode's log: its origin, size and current signed checkpoint."""
    settings = settings_from(ctx)
    with registry_session(settings) as session:
        try:
            notary = start_notary(session, settings)
        except SigningError as exc:
            refuse(exc)
            return
        logs = {}
        for mode in ("live", "test"):
            checkpoint = current_checkpoint(session, notary, mode)
            logs[mode] = {
                "origin": notary.origin(mode),
                "size": checkpoint.size,
                "checkpoint": checkpoint.text,
                "verifier_key": notary.checkpoint_verifier(mode).format(),
            }
        emit(logs)


def register(app: typer.Typer) -> None:
    app.add_typer(log_app, name="log")
