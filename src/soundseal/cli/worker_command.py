"""`soundseal worker`: webhook delivery as its own process, for scaled deployments."""

from __future__ import annotations

import asyncio
import signal
from typing import Annotated

import typer

from soundseal.cli.app import settings_from
from soundseal.db import create_database, upgrade

__all__ = ["register"]


def worker(
    ctx: typer.Context,
    batch_size: Annotated[
        int | None, typer.Option(help="Deliveries claimed at a time (webhook_batch_size).")
    ] = None,
) -> None:
    """Deliver webhooks until stopped (SIGTERM or Ctrl-C finish the batches in flight), and
    purge expired rows every purge_interval_seconds.

    Run any number of them against one PostgreSQL database: each claims its own deliveries.
    Set SOUNDSEAL_WEBHOOK_WORKER=external on the servers so they leave delivery to these.
    """
    from soundseal.worker.delivery import DeliveryWorker, run_loop
    from soundseal.worker.sweeper import Sweeper

    settings = settings_from(ctx, webhook_batch_size=batch_size)
    database = create_database(settings.effective_database_url, pool_size=4)
    if settings.is_embedded:
        upgrade(database.engine)
    delivery = DeliveryWorker(database, settings)
    sweeper = Sweeper(database, settings.purge_interval_seconds)
    typer.echo("soundseal worker delivering webhooks", err=True)

    async def main() -> None:
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(signum, delivery.stop)
        await delivery.run()

    sweeper.start()
    try:
        run_loop(main())
    finally:
        sweeper.stop()
        database.dispose()


def register(app: typer.Typer) -> None:
    app.command("worker")(worker)
