"""`soundseal signing-key …`: the keys that sign certificate statements.

`show` only reads: it prints the published keys and never makes or registers one, so running
it from any machine cannot change which key a fleet signs with. `rotate` is for the embedded
registry, whose key lives in its data dir; a fleet's key is the file its settings name.
"""

from __future__ import annotations

import json
import re

import typer

from soundseal.cli.app import emit, registry_session, settings_from
from soundseal.signing import SigningError, jwks, register_key, rotate_signing_key

__all__ = ["refuse", "register"]

signing_app = typer.Typer(help="The keys that sign certificate statements.", no_args_is_help=True)


def refuse(exc: SigningError) -> None:
    code = re.sub(r"(?<!^)(?=[A-Z])", "_", type(exc).__name__).lower()
    typer.echo(json.dumps({"error": str(exc), "code": code}, indent=2), err=True)
    raise typer.Exit(1)


@signing_app.command("show")
def show(ctx: typer.Context) -> None:
    """Print the published keys as a JWK Set (retired keys carry "status": "retired")."""
    with registry_session(settings_from(ctx)) as session:
        emit(jwks(session))


@signing_app.command("rotate")
def rotate(ctx: typer.Context) -> None:
    """Replace the data dir's signing key with a new one and publish it; the old key stays
    published, retired, so what it signed keeps verifying. Restart running servers so they
    sign with the new key: until then they refuse to sign.

    Refused when SOUNDSEAL_SIGNING_KEY_FILE is set: point it at a new key file and restart.
    """
    settings = settings_from(ctx)
    with registry_session(settings) as session:
        try:
            rotation = rotate_signing_key(settings)
            if rotation.previous is not None:
                # Published before it is retired, even if no server ever started with it.
                register_key(session, rotation.previous)
            register_key(session, rotation.current)
        except SigningError as exc:
            refuse(exc)
            return
        emit(
            {
                "active": rotation.current.kid,
                "retired": None if rotation.previous is None else rotation.previous.kid,
                "key_file": str(rotation.current.path),
                "jwks": jwks(session),
            }
        )


def register(app: typer.Typer) -> None:
    app.add_typer(signing_app, name="signing-key")
