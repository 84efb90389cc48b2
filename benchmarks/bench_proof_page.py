"""Server time of the proof page, `/cert/{id}`: p50 / p95 / p99 in milliseconds.

Drives the ASGI app directly (every middleware, the route, the database, the template), so
the figures are the server's own time without a client or a socket in them. Seeds a fresh
registry with `--certificates` certificates and reads random ones.

    python benchmarks/bench_proof_page.py                      # embedded SQLite
    python benchmarks/bench_proof_page.py --database-url postgresql+psycopg://…/db
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import random
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from soundseal.app import create_app
from soundseal.db import create_database, upgrade
from soundseal.registry.accounts.services import create_account
from soundseal.registry.certificates.services import NewCertificate, create_certificate
from soundseal.registry.log.rebuild import start_notary
from soundseal.settings import Settings, load_settings


def seed(settings: Settings, count: int) -> list[str]:
    database = create_database(settings.effective_database_url)
    upgrade(database.engine)
    ids = []
    with database.transaction() as session:
        notary = start_notary(session, settings)
        account = create_account(session, email=f"bench{time.time_ns()}@example.com", name="Bench")
        for n in range(count):
            cert = create_certificate(
                session,
                account_id=account.id,
                mode="live",
                draft=NewCertificate(
                    track_title=f"Track {n}",
                    artist_name=f"Artist {n % 50}",
                    sha256=hashlib.sha256(f"bench {time.time_ns()} {n}".encode()).hexdigest(),
                    isrc=f"GBBEN26{n:05d}",
                    ai_disclosure={"involvement": "none", "tools": []},
                ),
                actor=None,
                base_url="http://bench",
                notary=notary,
            )
            ids.append(cert.id)
    database.dispose()
    return ids


async def get(app: Any, path: str) -> int:
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [(b"host", b"bench"), (b"accept", b"text/html")],
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 8000),
    }
    status = 0

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]

    await app(scope, receive, send)
    return status


async def run(app: Any, ids: list[str], requests: int, warmup: int) -> list[float]:
    for cert_id in ids[:warmup]:
        assert await get(app, f"/cert/{cert_id}") == 200
    timings = []
    for _ in range(requests):
        path = f"/cert/{random.choice(ids)}"
        start = time.perf_counter()
        status = await get(app, path)
        timings.append((time.perf_counter() - start) * 1000)
        assert status == 200, status
    return timings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", help="default: a fresh SQLite file in a temp dir")
    parser.add_argument("--certificates", type=int, default=2000)
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--warmup", type=int, default=100)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = args.database_url or f"sqlite:///{Path(tmp) / 'bench.sqlite3'}"
        settings = load_settings(data_dir=Path(tmp), database_url=url)
        ids = seed(settings, args.certificates)
        app = create_app(settings)
        timings = asyncio.run(run(app, ids, args.requests, args.warmup))
    cuts = statistics.quantiles(timings, n=100)
    backend = url.split(":", 1)[0]
    print(
        f"proof page /cert/{{id}} on {backend}, {args.requests} requests over "
        f"{args.certificates} certificates: p50 {cuts[49]:.2f} ms  p95 {cuts[94]:.2f} ms  "
        f"p99 {cuts[98]:.2f} ms  max {max(timings):.2f} ms"
    )


if __name__ == "__main__":
    main()
