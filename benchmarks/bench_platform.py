"""Layer 2 speed: the render gate for a page of tracks, and a poll applying many revocations.

    python benchmarks/bench_platform.py [--tracks 100] [--revocations 10000]

- gate: `seals_visible` for a page of N tracks from the platform's SQLite (10,000 bindings in
  it), timed over repeated pages; also `seal_visible` called once per track.
- poll: a registry (SQLite, a real server on loopback) whose change feed holds N revocations
  of certificates the platform has bindings for; one `poll_once` applies them all.
"""

from __future__ import annotations

import argparse
import os
import secrets
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import httpx
import sqlalchemy as sa

from soundseal.client import Client
from soundseal.db import create_database, upgrade
from soundseal.ids import new_certificate_id
from soundseal.platform import (
    Binding,
    open_store,
    pin_log_key,
    poll_once,
    seal_visible,
    seals_visible,
)
from soundseal.registry.accounts.services import create_account
from soundseal.registry.keys.services import create_key
from soundseal.registry.models import Certificate, Change, FeedCounter


def seed_registry(url: str, count: int) -> tuple[str, list[str]]:
    database = create_database(url)
    upgrade(database.engine)
    with database.transaction() as session:
        account = create_account(session, email="bench@example.com", name="Bench")
        _, key = create_key(session, account_id=account.id, kind="secret")
        account_id = account.id
    now = datetime.now(UTC)
    ids = [new_certificate_id(test_mode=False) for _ in range(count)]
    certs = [
        {
            "id": cert_id,
            "account_id": account_id,
            "mode": "live",
            "certificate_number": f"SS-{now.year}-P{n:07X}",
            "track_title": f"T{n}",
            "artist_name": "Bench",
            "sha256": secrets.token_hex(32),
            "type": "sound_recording",
            "declaration_text": "Original Work",
            "status": "revoked",
            "revoked_at": now,
            "revocation_reason": "Benchmark",
            "issued_at": now,
            "updated_at": now,
            "version": 2,
            "sequence": 2 * n + 2,
        }
        for n, cert_id in enumerate(ids)
    ]
    changes = []
    for n, cert_id in enumerate(ids):
        changes.append(
            {
                "mode": "live",
                "sequence": 2 * n + 1,
                "type": "certificate.created",
                "certificate_id": cert_id,
                "status": "active",
                "occurred_at": now,
            }
        )
        changes.append(
            {
                "mode": "live",
                "sequence": 2 * n + 2,
                "type": "certificate.revoked",
                "certificate_id": cert_id,
                "status": "revoked",
                "occurred_at": now,
            }
        )
    with database.engine.begin() as conn:
        conn.execute(sa.insert(Certificate.__table__), certs)
        conn.execute(sa.insert(Change.__table__), changes)
        conn.execute(
            sa.update(FeedCounter.__table__)
            .where(FeedCounter.mode == "live")
            .values(last_sequence=2 * count)
        )
    database.dispose()
    return key, ids


def seed_bindings(store_url: str, ids: list[str]) -> None:
    store = open_store(store_url)
    now = datetime.now(UTC)
    with store.database.engine.begin() as conn:
        conn.execute(
            sa.insert(Binding.__table__),
            [
                {
                    "track_id": f"track-{n}",
                    "certificate_id": cert_id,
                    "served_sha256": f"{n:064x}",
                    "receipt_id": f"vrc_{n}",
                    "policy_version": "x",
                    "score": 0.9,
                    "bound_at": now,
                    "state": "verified",
                }
                for n, cert_id in enumerate(ids)
            ],
        )
    store.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tracks", type=int, default=100)
    parser.add_argument("--revocations", type=int, default=10_000)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="soundseal-bench-"))
    try:
        run(args, work)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def run(args: argparse.Namespace, work: Path) -> None:
    key, ids = seed_registry(f"sqlite:///{work / 'soundseal.sqlite3'}", args.revocations)
    store_url = f"sqlite:///{work / 'platform.sqlite3'}"
    seed_bindings(store_url, ids)
    env = dict(os.environ, SOUNDSEAL_DATA_DIR=str(work))
    port = 19000 + secrets.randbelow(500)
    server = subprocess.Popen(
        [sys.executable, "-m", "soundseal", "serve", "--port", str(port)],
        env=env,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    store = open_store(store_url)
    try:
        # Start-up signs the seeded feed into the log (`soundseal log rebuild`): a while.
        for _ in range(1200):
            try:
                httpx.get(f"{url}/api/v1/certificates/cer_test_synthetic", timeout=1)
                break
            except httpx.TransportError:
                if server.poll() is not None:
                    raise SystemExit("the registry did not start") from None
                time.sleep(0.1)
        with Client(key, url) as registry:
            pin_log_key(store.sessions, registry.log_state("live")["verifier_key"])
            started = time.perf_counter()
            result = poll_once(registry, store.sessions)
            poll_s = time.perf_counter() - started
        print(
            f"poll applying {args.revocations} revocations ({2 * args.revocations} feed "
            f"entries, {args.revocations} bindings flipped): {poll_s:.2f} s, ok={result.ok} "
            f"revoked={result.revoked} (target < 2 s)"
        )
        # The gate on a page of verified tracks: re-verify the page's bindings in place.
        with store.database.engine.begin() as conn:
            conn.execute(sa.update(Binding.__table__).values(state="verified"))
            conn.exec_driver_sql("DELETE FROM soundseal_revocations")
        page = {f"track-{n}": f"{n:064x}" for n in range(args.tracks)}
        batch, single = [], []
        for _ in range(200):
            with store.sessions() as session:
                t = time.perf_counter()
                results = seals_visible(session, page)
                batch.append((time.perf_counter() - t) * 1000)
                t = time.perf_counter()
                for track_id, sha in page.items():
                    seal_visible(session, track_id, sha)
                single.append((time.perf_counter() - t) * 1000)
        assert all(r.visible for r in results.values())
        print(
            f"gate for a page of {args.tracks} tracks (seals_visible): p50 "
            f"{statistics.median(batch):.2f} ms, max {max(batch):.2f} ms (target < 5 ms)"
        )
        print(
            f"  the same, one seal_visible call per track: p50 {statistics.median(single):.2f} ms"
        )
    finally:
        store.dispose()
        server.terminate()
        server.wait()


if __name__ == "__main__":
    main()
