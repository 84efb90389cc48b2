"""`soundseal audit` and `soundseal verify-certificate`: checking a registry instead of
trusting it. Both print JSON and exit non-zero when anything does not check out.

`audit` follows a registry's log from a state directory (`auditing.py`). Exit status: 0
clean, 1 the registry was caught (the evidence is written to the state directory), 2 the
options or the state directory cannot be used, 3 the registry could not be read.

`verify-certificate` checks a certificate bundle (`GET /cert/<id>/certificate.json`)
offline with `signing.bundle.verify_bundle`. The log key it is verified against is the one
given with `--log-key`; without it, the key the bundle names, which proves only that the
bundle is self-consistent (the output says which: `log_key_pinned`).
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Annotated, Any, NoReturn

import httpx
import typer

from soundseal.cli.app import emit
from soundseal.cli.auditing import AuditFailed, StateError, run_audit
from soundseal.signing.bundle import CertificateBundle, verify_bundle
from soundseal.signing.statements import CertificateStatement
from soundseal.transparency.audit_errors import AuditError
from soundseal.transparency.note_keys import VerifierKey

__all__ = ["register"]


def _exit(body: dict[str, Any], code: int) -> NoReturn:
    typer.echo(json.dumps(body, indent=2, ensure_ascii=False), err=True)
    raise typer.Exit(code)


def audit(
    registry: Annotated[str, typer.Option("--registry", help="The registry's base URL.")],
    state: Annotated[
        Path, typer.Option("--state", help="Directory holding the pinned key and the state.")
    ],
    mode: Annotated[str, typer.Option("--mode", help="The log followed: live or test.")] = "live",
    log_key: Annotated[
        str | None,
        typer.Option(
            "--log-key",
            help="The log's note verifier key; required on the first run, which pins it.",
        ),
    ] = None,
    api_key: Annotated[
        str | None,
        typer.Option(
            "--api-key",
            envvar="SOUNDSEAL_API_KEY",
            help="A key to read the test log, or for a higher rate limit (optional for live).",
        ),
    ] = None,
    workers: Annotated[
        int, typer.Option("--workers", min=1, help="Processes verifying a long run of entries.")
    ] = max(1, min(4, os.cpu_count() or 1)),
    current_limit: Annotated[
        int,
        typer.Option(
            "--current-limit",
            min=0,
            help="At most this many certificates (the most recently changed) compared with "
            "their public page.",
        ),
    ] = 1000,
) -> None:
    """Follow a registry's log: verify the new checkpoint, entries and statements, and that
    the registry still shows what it logged."""
    if mode not in ("live", "test"):
        _exit({"error": "the mode is live or test", "code": "invalid_option"}, 2)
    try:
        report = run_audit(
            registry,
            state,
            mode=mode,
            log_key=log_key,
            api_key=api_key,
            workers=workers,
            current_limit=current_limit,
        )
    except StateError as exc:
        _exit({"ok": False, "error": str(exc), "code": "unusable_state"}, 2)
    except AuditError as exc:  # a stored state that does not read back
        _exit({"ok": False, "error": str(exc), "code": type(exc).__name__}, 2)
    except AuditFailed as exc:
        _exit(exc.body, 1)
    except httpx.HTTPError as exc:
        _exit({"ok": False, "error": str(exc) or type(exc).__name__, "code": "unreachable"}, 3)
    emit(report.to_json())


def verify_certificate(
    file: Annotated[Path, typer.Argument(help="A certificate bundle (certificate.json).")],
    log_key: Annotated[
        str | None,
        typer.Option("--log-key", help="The log key to trust (from the registry's operator)."),
    ] = None,
) -> None:
    """Check a downloaded certificate bundle offline."""
    try:
        text = file.read_bytes()
    except OSError as exc:
        _exit({"valid": False, "error": str(exc), "code": "unreadable"}, 2)
    try:
        bundle = CertificateBundle.parse(text)
        pinned = VerifierKey.parse(log_key.strip()) if log_key is not None else bundle.log_key
        verified = verify_bundle(bundle, pinned)
    except AuditError as exc:
        _exit({"valid": False, "error": str(exc), "code": type(exc).__name__}, 1)
    except ValueError as exc:  # a --log-key that is not a key
        _exit({"valid": False, "error": f"--log-key: {exc}", "code": "invalid_option"}, 2)
    statement = verified.statement
    fields = {name: value for name, value in statement.claims().items() if name != "log_index"}
    emit(
        {
            "valid": True,
            "kind": statement.kind,
            "status": "active" if isinstance(statement, CertificateStatement) else "revoked",
            "certificate": fields,
            "log_index": verified.log_index,
            "checkpoint_size": verified.checkpoint.size,
            "origin": verified.checkpoint.origin,
            "log_key": pinned.format(),
            "log_key_pinned": log_key is not None,
        }
    )


def register(app: typer.Typer) -> None:
    app.command("audit")(audit)
    app.command("verify-certificate")(verify_certificate)
