"""`soundseal maintenance …`: housekeeping for a scheduler (cron, a systemd timer).

The server (or `soundseal worker`) already purges every `purge_interval_seconds`; `purge`
is for deployments that want it on their own schedule, or right now.
"""

from __future__ import annotations

import typer

from soundseal.cli.app import emit, registry_session, settings_from
from soundseal.db.base import utcnow
from soundseal.registry.maintenance.services import purge_expired

maintenance_app = typer.Typer(help="Housekeeping: delete expired rows.")


@maintenance_app.command("purge")
def purge(ctx: typer.Context) -> None:
    """Delete expired rows: idempotency records and web sessions past their expiry."""
    at = utcnow()
    with registry_session(settings_from(ctx)) as session:
        purged = purge_expired(session)
    emit({"purged": purged, "total": sum(purged.values()), "at": at.isoformat()})


def register(app: typer.Typer) -> None:
    app.add_typer(maintenance_app, name="maintenance")
