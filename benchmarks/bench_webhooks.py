"""End-to-end webhook delivery: events committed → signed POSTs received, with 1 and 2 workers.

    python benchmarks/bench_webhooks.py [--events 10000] [--workers 1 2] [--rate 600]
                                        [--database-url postgresql+psycopg://…]

For each worker count, on a fresh PostgreSQL database (created on the local server unless
`--database-url` is given) with one endpoint pointing at a receiver on loopback (a separate
uvicorn process answering 200 and noting when each delivery arrived), with N
`soundseal worker` processes running:

- burst: commit `--events` events as fast as one producer can (100 per transaction);
  deliveries/s = events / (last receipt - first commit). This is the capacity.
- paced: commit `--events` events at `--rate` events/s (10 per transaction) and measure the
  lag from each event's commit to its receipt (p50, p95, p99).

Prints one line per run. Receipts are counted per event, so duplicates (which at-least-once
delivery allows) show up as `dupes`.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from typing import Any

import httpx
import sqlalchemy as sa
from sqlalchemy.engine import make_url

from soundseal.db import create_database, upgrade
from soundseal.registry.accounts.services import create_account
from soundseal.registry.events.services import emit
from soundseal.registry.webhooks.services import create_endpoint

ADMIN_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"


def receiver_app() -> Any:
    """The receiver: records (n, receipt time) per request; GET returns them all."""
    seen: list[tuple[int, float]] = []

    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        if scope["method"] == "POST":
            seen.append((json.loads(body)["data"]["n"], time.time()))
            out = b"ok"
        else:
            out = json.dumps(seen).encode()
            if scope["method"] == "DELETE":
                seen.clear()
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": out})

    return app


def serve_receiver(port: int) -> None:
    import uvicorn

    uvicorn.run(receiver_app(), host="127.0.0.1", port=port, log_level="error", access_log=False)


def fresh_database(url: str | None) -> str:
    if url:
        return url
    name = f"soundseal_bench_{secrets.token_hex(4)}"
    admin = sa.create_engine(ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    admin.dispose()
    return make_url(ADMIN_URL).set(database=name).render_as_string(hide_password=False)


def produce(url: str, account_id: str, count: int, rate: float | None) -> dict[int, float]:
    """Commit `count` events; returns each one's commit time."""
    database = create_database(url, pool_size=1)
    per_commit = 10 if rate else 100
    committed: dict[int, float] = {}
    start = time.time()
    for first in range(0, count, per_commit):
        if rate:
            due = start + first / rate
            if (wait := due - time.time()) > 0:
                time.sleep(wait)
        batch = range(first, min(first + per_commit, count))
        with database.transaction() as session:
            for n in batch:
                emit(
                    session, account_id=account_id, mode="live", type="credits.used", data={"n": n}
                )
        now = time.time()
        committed.update((n, now) for n in batch)
    database.dispose()
    return committed


def wait_for_all(client: httpx.Client, base: str, count: int, limit: float) -> list[Any]:
    deadline = time.monotonic() + limit
    while True:
        seen = client.get(base).json()
        if len({n for n, _ in seen}) >= count or time.monotonic() > deadline:
            return list(seen)
        time.sleep(0.25)


def run(args: argparse.Namespace, workers: int, port: int) -> None:
    url = fresh_database(args.database_url)
    database = create_database(url, pool_size=1)
    upgrade(database.engine)
    with database.transaction() as session:
        account = create_account(
            session, email=f"bench{secrets.token_hex(4)}@example.com", name="Bench"
        )
        create_endpoint(
            session,
            account_id=account.id,
            mode="live",
            url=f"http://127.0.0.1:{port}/hook",
            events=["credits.used"],
            description="bench",
            allow_private=True,
        )
        account_id = account.id
    database.dispose()
    env = {
        **os.environ,
        "SOUNDSEAL_DATABASE_URL": url,
        "SOUNDSEAL_WEBHOOK_ALLOW_PRIVATE": "true",
        "SOUNDSEAL_WEBHOOK_BATCH_SIZE": str(args.batch_size),
    }
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "soundseal", "worker"],
            env=env,
            stderr=open(f"{args.log_dir}/worker-{workers}-{n}.log", "w"),  # noqa: SIM115
        )
        for n in range(workers)
    ]
    base = f"http://127.0.0.1:{port}/"
    try:
        time.sleep(2)  # the workers' start-up is not what is measured
        with httpx.Client(timeout=30) as client:
            for label, rate in (("burst", None), ("paced", args.rate)):
                client.delete(base)
                committed = produce(url, account_id, args.events, rate)
                seen = wait_for_all(client, base, args.events, limit=300)
                first: dict[int, float] = {}
                for n, at in seen:
                    first.setdefault(n, at)
                lags = sorted(first[n] - committed[n] for n in first)
                span = max(first.values()) - min(committed.values())
                produced = max(committed.values()) - min(committed.values())
                q = statistics.quantiles(lags, n=100)
                print(
                    f"workers={workers} {label:5} events={args.events} "
                    f"rate={'max' if rate is None else f'{rate:g}/s'} "
                    f"committed/s={args.events / produced:,.0f} "
                    f"received={len(first)} dupes={len(seen) - len(first)} "
                    f"deliveries/s={len(first) / span:,.0f} "
                    f"lag p50={statistics.median(lags) * 1000:,.0f} ms "
                    f"p95={q[94] * 1000:,.0f} ms p99={q[98] * 1000:,.0f} ms "
                    f"max={lags[-1] * 1000:,.0f} ms",
                    flush=True,
                )
    finally:
        for proc in procs:
            proc.send_signal(signal.SIGTERM)
        for proc in procs:
            proc.wait(timeout=30)
        if not args.database_url:
            admin = sa.create_engine(ADMIN_URL, isolation_level="AUTOCOMMIT")
            with admin.connect() as conn:
                name = make_url(url).database
                conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            admin.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=10_000)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--rate", type=float, default=600, help="events/s of the paced run")
    parser.add_argument("--batch-size", type=int, default=100)
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--port", type=int, default=18765)
    parser.add_argument("--log-dir", default=tempfile.gettempdir(), help="workers' logs")
    parser.add_argument("--receive", type=int, default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.receive:
        serve_receiver(args.receive)
        return
    receiver = subprocess.Popen([sys.executable, __file__, "--receive", str(args.port)])
    try:
        time.sleep(1.5)
        for workers in args.workers:
            run(args, workers, args.port)
    finally:
        receiver.terminate()
        receiver.wait(timeout=10)


if __name__ == "__main__":
    main()
