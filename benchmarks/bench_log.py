"""The transparency log's cost to issuing, and its proof server time at a million leaves.

    python benchmarks/bench_log.py                         # embedded SQLite in a temp dir
    python benchmarks/bench_log.py --database-url postgresql+psycopg://…/db

1. Issuing: `create_certificate` one transaction at a time (the registry's issue use case
   without the credit), first as it runs, signing the statement and appending its leaf, then
   with the log's three steps (the active-key check, the signature, the append) replaced by
   no-ops: the same code path without the log. Prints certificates/s for each.
2. Proofs: seeds a log of `--leaves` leaves in bulk (the complete-subtree rows from
   `stored_tree.hashes_to_store`, the leaf rows beside them), then drives the ASGI app
   directly with random inclusion and consistency proof requests (`/api/v1/log/live/…`) and
   the checkpoint, so the figures are the server's own time: every middleware, the route,
   the one query for the proof's rows, the JSON. Prints p50 / p95 / p99 in milliseconds.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import random
import statistics
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from unittest import mock

from sqlalchemy import insert, update

from soundseal.app import create_app
from soundseal.db import Database, create_database, upgrade
from soundseal.registry.accounts.services import create_account
from soundseal.registry.certificates.services import NewCertificate, create_certificate
from soundseal.registry.changes.models import FeedCounter
from soundseal.registry.keys.services import create_key
from soundseal.registry.log.models import LogEntry, LogHash
from soundseal.registry.log.notary import Notary
from soundseal.registry.log.rebuild import start_notary
from soundseal.settings import Settings, load_settings
from soundseal.transparency.stored_tree import hashes_to_store


@contextmanager
def without_log() -> Iterator[None]:
    """Issuance with the log's steps made no-ops (the baseline)."""
    with (
        mock.patch("soundseal.registry.changes.services.append_leaves"),
        mock.patch.object(Notary, "require_active"),
        mock.patch.object(Notary, "certificate_entry", return_value=b""),
    ):
        yield


def issue(database: Database, notary: Notary, account_id: str, count: int, mode: str) -> float:
    start = time.perf_counter()
    for _ in range(count):
        with database.transaction() as session:
            create_certificate(
                session,
                account_id=account_id,
                mode=mode,
                draft=NewCertificate(
                    track_title="Track",
                    artist_name="Artist",
                    sha256=hashlib.sha256(str(time.perf_counter_ns()).encode()).hexdigest(),
                ),
                actor=None,
                base_url="http://bench",
                notary=notary,
            )
    return count / (time.perf_counter() - start)


def bench_issuing(settings: Settings, count: int) -> None:
    database = create_database(settings.effective_database_url)
    upgrade(database.engine)
    with database.transaction() as session:
        notary = start_notary(session, settings)
        account = create_account(session, email=f"b{time.time_ns()}@example.com", name="Bench")
    # The logged runs issue test certificates, the baseline live ones: a log-less issuance
    # leaves its mode's log behind its feed, where no logged issuance may follow.
    issue(database, notary, account.id, 20, "test")  # warm-up
    with_log = issue(database, notary, account.id, count, "test")
    with without_log():
        baseline = issue(database, notary, account.id, count, "live")
    with_log_again = issue(database, notary, account.id, count, "test")
    database.dispose()
    print(f"issuing, {count} certificates each, one transaction each:")
    print(f"  with the log     {with_log:8.1f} /s  (again: {with_log_again:.1f} /s)")
    print(f"  log steps no-ops {baseline:8.1f} /s")
    print(f"  cost             {100 * (1 - max(with_log, with_log_again) / baseline):.1f} %")


def seed_log(database: Database, leaves: int, batch: int = 50_000) -> None:
    """A live log of `leaves` synthetic leaves, and a feed counter level with it."""
    edge: list[bytes] = []
    with database.transaction() as session:
        for first in range(0, leaves, batch):
            entries = [b"entry %d" % i for i in range(first, min(first + batch, leaves))]
            hashes = [hashlib.sha256(b"\x00" + e).digest() for e in entries]
            edge, rows = hashes_to_store(first, edge, hashes)
            session.execute(
                insert(LogEntry),
                [{"mode": "live", "index": first + i, "entry": e} for i, e in enumerate(entries)],
            )
            session.execute(
                insert(LogHash),
                [{"mode": "live", "level": lv, "index": ix, "hash": h} for lv, ix, h in rows],
            )
        session.execute(
            update(FeedCounter).where(FeedCounter.mode == "live").values(last_sequence=leaves)
        )


async def get(app: Any, path: str, query: str = "") -> int:
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": query.encode(),
        "root_path": "",
        "headers": [(b"host", b"bench")],
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


async def timed(app: Any, requests: list[tuple[str, str]]) -> list[float]:
    timings = []
    for path, query in requests:
        start = time.perf_counter()
        status = await get(app, path, query)
        timings.append((time.perf_counter() - start) * 1000)
        assert status == 200, (path, query, status)
    return timings


async def post_json(app: Any, path: str, key: str, body: bytes) -> int:
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [
            (b"host", b"bench"),
            (b"authorization", f"Bearer {key}".encode()),
            (b"content-type", b"application/json"),
            (b"content-length", str(len(body)).encode()),
        ],
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 8000),
    }
    status = 0
    sent = False

    async def receive() -> dict[str, Any]:
        nonlocal sent
        if sent:
            return {"type": "http.disconnect"}
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]

    await app(scope, receive, send)
    return status


async def issue_through_api(app: Any, key: str, count: int) -> float:
    start = time.perf_counter()
    for n in range(count):
        digest = hashlib.sha256(f"{time.perf_counter_ns()} {n}".encode()).hexdigest()
        body = json.dumps(
            {"track_title": "Track", "artist_name": "Artist", "sha256_fingerprint": digest}
        ).encode()
        status = await post_json(app, "/api/v1/certificates", key, body)
        assert status == 201, status
    return count / (time.perf_counter() - start)


def bench_api_issuing(settings: Settings, count: int) -> None:
    """`POST /api/v1/certificates` (JSON) through the whole app, in-process: the issue use
    case as a client meets it (key, credit, checks, event, feed entry), with and without the
    log's steps."""
    quiet = settings.model_copy(
        update={"rate_limit_secret": 10**9, "credits_enabled": False, "quotas_enabled": False}
    )
    database = create_database(settings.effective_database_url)
    upgrade(database.engine)
    app = create_app(quiet, database)
    with database.transaction() as session:
        account = create_account(session, email=f"a{time.time_ns()}@example.com", name="Bench")
        _, test_key = create_key(session, account_id=account.id, kind="secret", mode="test")
        _, live_key = create_key(session, account_id=account.id, kind="secret", mode="live")
    asyncio.run(issue_through_api(app, test_key, 20))  # warm-up
    with_log = asyncio.run(issue_through_api(app, test_key, count))
    with without_log():
        baseline = asyncio.run(issue_through_api(app, live_key, count))
    again = asyncio.run(issue_through_api(app, test_key, count))
    print(f"issuing through the API (POST /api/v1/certificates, JSON), {count} each:")
    print(f"  with the log     {with_log:8.1f} /s  (again: {again:.1f} /s)")
    print(f"  log steps no-ops {baseline:8.1f} /s")
    print(f"  cost             {100 * (1 - max(with_log, again) / baseline):.1f} %")


def report(name: str, timings: list[float]) -> None:
    cuts = statistics.quantiles(timings, n=100)
    print(f"  {name:12s} p50 {cuts[49]:6.2f} ms  p95 {cuts[94]:6.2f} ms  p99 {cuts[98]:6.2f} ms")


def bench_proofs(settings: Settings, leaves: int, requests: int) -> None:
    database = create_database(settings.effective_database_url)
    upgrade(database.engine)
    start = time.perf_counter()
    seed_log(database, leaves)
    print(f"seeded {leaves:,} leaves in {time.perf_counter() - start:.1f} s")
    database.dispose()
    # The app's own rate limits would answer a benchmark's requests with 429.
    app = create_app(settings.model_copy(update={"rate_limit_anonymous": 10**9}))
    n = leaves
    inclusion = [
        ("/api/v1/log/live/inclusion", f"index={random.randrange(n)}&tree_size={n}")
        for _ in range(requests)
    ]
    consistency = []
    for _ in range(requests):
        first = random.randrange(1, n + 1)
        consistency.append(("/api/v1/log/live/consistency", f"first={first}&second={n}"))
    checkpoint = [("/log/live/checkpoint", "")] * requests
    asyncio.run(timed(app, inclusion[:50] + consistency[:50]))  # warm-up
    print(f"server time at {leaves:,} leaves, {requests} requests each:")
    report("inclusion", asyncio.run(timed(app, inclusion)))
    report("consistency", asyncio.run(timed(app, consistency)))
    report("checkpoint", asyncio.run(timed(app, checkpoint)))


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--database-url", help="default: a fresh SQLite file in a temp dir")
    parser.add_argument("--issue", type=int, default=300, help="certificates per issuing run")
    parser.add_argument("--leaves", type=int, default=1_000_000)
    parser.add_argument("--requests", type=int, default=2000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = args.database_url or f"sqlite:///{Path(tmp) / 'issue.sqlite3'}"
        bench_issuing(load_settings(data_dir=Path(tmp), database_url=url), args.issue)
    with tempfile.TemporaryDirectory() as tmp:
        url = args.database_url or f"sqlite:///{Path(tmp) / 'api.sqlite3'}"
        bench_api_issuing(load_settings(data_dir=Path(tmp), database_url=url), args.issue)
    with tempfile.TemporaryDirectory() as tmp:
        url = args.database_url or f"sqlite:///{Path(tmp) / 'proofs.sqlite3'}"
        if args.database_url:
            print("(proofs: the database must be fresh; its live log is seeded)")
        bench_proofs(
            load_settings(data_dir=Path(tmp), database_url=url), args.leaves, args.requests
        )


if __name__ == "__main__":
    main()
