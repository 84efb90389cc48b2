from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Annotated, Any

import typer
from sqlalchemy.orm import Session

from soundseal.__about__ import __version__
from soundseal.db import create_database, upgrade
from soundseal.errors import SoundsealError
from soundseal.settings import Settings, load_settings

__all__ = ["app", "emit", "main", "registry_session", "settings_from"]

app = typer.Typer(
    name="soundseal",
    help="soundseal: a self-hostable provenance registry for recorded music.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)


def settings_from(ctx: typer.Context, **overrides: Any) -> Settings:
    root = ctx.find_root()
    data_dir = overrides.pop("data_dir", None) or (root.obj or {}).get("data_dir")
    try:
        return load_settings(data_dir=data_dir, **overrides)
    except ValueError as exc:
        # A setting the server cannot start with: say which, without a traceback.
        typer.echo(json.dumps({"error": str(exc), "code": "invalid_settings"}, indent=2), err=True)
        raise typer.Exit(2) from None


def emit(value: Any) -> None:
    typer.echo(json.dumps(value, indent=2, default=str, ensure_ascii=False))


def fail(exc: SoundsealError) -> None:
    body = {"error": exc.message, "code": exc.code, **exc.extra}
    typer.echo(json.dumps(body, indent=2), err=True)
    raise typer.Exit(1)


@contextmanager
def registry_session(settings: Settings) -> Iterator[Session]:
    """One committed unit of work against the registry, migrating the embedded default."""
    database = create_database(settings.effective_database_url, pool_size=1)
    try:
        if settings.is_embedded:
            upgrade(database.engine)
        with database.transaction(write=True) as session:
            yield session
    except SoundsealError as exc:
        fail(exc)
    finally:
        database.dispose()


def _version(value: bool) -> None:
    if value:
        typer.echo(__version__)
        raise typer.Exit()


@app.callback()
def root(
    ctx: typer.Context,
    data_dir: Annotated[
        Path | None,
        typer.Option(
            "--data-dir",
            envvar="SOUNDSEAL_DATA_DIR",
            help="Directory of the embedded SQLite registry (every command).",
        ),
    ] = None,
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version.")
    ] = False,
) -> None:
    ctx.obj = {"data_dir": data_dir}


def main() -> None:
    build()
    sys.exit(app())


def build() -> typer.Typer:
    """The full command tree (each command module registers itself on import)."""
    import importlib

    importlib.import_module("soundseal.cli.operator")
    if not getattr(app, "_soundseal_built", False):
        for module in (
            "audio_commands",
            "artist_commands",
            "platform_commands",
            "worker_command",
            "claims_commands",
            "maintenance_commands",
            "signing_commands",
            "log_commands",
            "audit_commands",
        ):
            with suppress(ImportError):
                importlib.import_module(f"soundseal.cli.{module}").register(app)
        app._soundseal_built = True  # type: ignore[attr-defined]
    return app
