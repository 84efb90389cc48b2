"""Throughput and latency of the hot read endpoints beside a bare endpoint.

    python benchmarks/bench_api.py [--certificates 100000] [--database-url URL]

Seeds a registry with N certificates (bulk insert: seeding is not what is measured), starts
one server process holding the soundseal app plus a bare FastAPI endpoint (`/bench/bare`,
which returns a constant), and drives each endpoint with `wrk` (32 connections by default)
over loopback, so both are measured in the same process in one run:

- `GET /api/v1/certificates/{id}/status` with random IDs (a secret key, as platforms call it)
- `GET /api/v1/verify?sha256=…` with random hashes of existing certificates

Prints requests/s, p50 and p99 per endpoint and each endpoint's ratio to the bare one.
Needs `wrk` (Debian package `wrk`).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import httpx
import sqlalchemy as sa
from fastapi import FastAPI

from soundseal.db import create_database, upgrade
from soundseal.ids import new_certificate_id
from soundseal.registry.accounts.services import create_account
from soundseal.registry.keys.services import create_key
from soundseal.registry.models import Certificate

LUA = """
local paths = {}
for line in io.lines("%s") do paths[#paths + 1] = line end
request = function()
  return wrk.format("GET", paths[math.random(#paths)], {["Authorization"] = "Bearer %s"})
end
"""


def seed(url: str, count: int) -> tuple[str, list[str], list[str]]:
    database = create_database(url)
    upgrade(database.engine)
    with database.transaction() as session:
        account = create_account(
            session, email=f"bench{secrets.token_hex(4)}@example.com", name="Bench"
        )
        _, key = create_key(session, account_id=account.id, kind="secret")
        account_id = account.id
    now = datetime.now(UTC)
    ids, hashes = [], []
    table = Certificate.__table__
    with database.engine.begin() as conn:
        batch = []
        for n in range(count):
            cert_id = new_certificate_id(test_mode=False)
            digest = secrets.token_hex(32)
            ids.append(cert_id)
            hashes.append(digest)
            batch.append(
                {
                    "id": cert_id,
                    "account_id": account_id,
                    "mode": "live",
                    "certificate_number": f"SS-{now.year}-{n:08X}"[:16],
                    "track_title": f"Track {n}",
                    "artist_name": f"Artist {n % 997}",
                    "sha256": digest,
                    "type": "sound_recording",
                    "declaration_text": "Original Work",
                    "status": "active",
                    "issued_at": now,
                    "updated_at": now,
                    "version": 1,
                    "sequence": 0,
                }
            )
            if len(batch) == 5000:
                conn.execute(sa.insert(table), batch)
                batch = []
        if batch:
            conn.execute(sa.insert(table), batch)
    database.dispose()
    return key, ids, hashes


def bench_app() -> FastAPI:
    """The soundseal app plus a bare endpoint, in one process."""
    from soundseal.app import create_server_app

    app = create_server_app()

    @app.get("/bench/bare")
    async def bare() -> dict[str, str]:
        return {"status": "ok"}

    return app


def serve(port: int, workers: int) -> None:
    import uvicorn

    sys.path.insert(0, str(Path(__file__).parent))
    uvicorn.run(
        "bench_api:bench_app",
        factory=True,
        host="127.0.0.1",
        port=port,
        workers=workers,
        log_level="warning",
        access_log=False,
    )


def wrk(
    url: str, script: Path | None, key: str, seconds: int, connections: int
) -> dict[str, float]:
    cmd = ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency"]
    if script:
        cmd += ["-s", str(script)]
    else:
        cmd += ["-H", f"Authorization: Bearer {key}"]
    out = subprocess.run([*cmd, url], capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)

    def pct(p: str) -> float:
        value, unit = re.search(rf"\s{p}%\s+([\d.]+)(us|ms|s)", out).groups()  # type: ignore[union-attr]
        return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]

    return {
        "rps": rps,
        "p50_ms": pct("50"),
        "p99_ms": pct("99"),
        "errors": float(non2xx.group(1)) if non2xx else 0.0,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--certificates", type=int, default=100_000)
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--workers", type=int, default=1, help="server processes")
    parser.add_argument("--serve", type=int, default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(args.serve, args.workers)
        return
    if shutil.which("wrk") is None:
        sys.exit("bench_api needs wrk (apt-get install wrk)")
    workdir = Path(tempfile.mkdtemp(prefix="soundseal-bench-"))
    env = dict(
        os.environ,
        SOUNDSEAL_DATA_DIR=str(workdir),
        SOUNDSEAL_RATE_LIMIT_SECRET="1000000000",
        # Hundreds of thousands of requests from one workspace: past any monthly quota.
        SOUNDSEAL_QUOTAS_ENABLED="false",
        # The bench workspace issues certificates without buying credits.
        SOUNDSEAL_CREDITS_ENABLED="false",
    )
    if args.database_url:
        env["SOUNDSEAL_DATABASE_URL"] = args.database_url
    url = args.database_url or f"sqlite:///{workdir / 'soundseal.sqlite3'}"
    started = time.monotonic()
    key, ids, hashes = seed(url, args.certificates)
    print(
        f"seeded {args.certificates} certificates in {time.monotonic() - started:.1f} s "
        f"({'PostgreSQL' if args.database_url else 'SQLite'})"
    )
    port = 18000 + random.randrange(1000)
    server = subprocess.Popen(
        [sys.executable, __file__, "--serve", str(port), "--workers", str(args.workers)], env=env
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                httpx.get(f"{base}/bench/bare", timeout=1)
                break
            except httpx.TransportError:
                time.sleep(0.1)
        sample = random.sample(range(len(ids)), min(2000, len(ids)))
        status_paths = workdir / "status.txt"
        status_paths.write_text("\n".join(f"/api/v1/certificates/{ids[i]}/status" for i in sample))
        verify_paths = workdir / "verify.txt"
        verify_paths.write_text("\n".join(f"/api/v1/verify?sha256={hashes[i]}" for i in sample))
        check = httpx.get(
            f"{base}/api/v1/certificates/{ids[0]}/status",
            headers={"Authorization": f"Bearer {key}"},
        )
        assert check.status_code == 200, check.text
        results = {}
        for name, paths in (("bare", None), ("status", status_paths), ("verify", verify_paths)):
            script = None
            if paths is not None:
                script = workdir / f"{name}.lua"
                script.write_text(LUA % (paths, key))
            wrk(f"{base}/bench/bare", None, key, 2, args.connections)  # warm-up
            results[name] = wrk(f"{base}/bench/bare", script, key, args.duration, args.connections)
    finally:
        server.terminate()
        server.wait()
        shutil.rmtree(workdir, ignore_errors=True)
    bare = results["bare"]["rps"]
    print(f"\n{'endpoint':<44}{'req/s':>9}{'p50 ms':>9}{'p99 ms':>9}{'vs bare':>9}{'non-2xx':>9}")
    labels = {
        "bare": "GET /bench/bare (constant, same server)",
        "status": "GET /api/v1/certificates/{id}/status",
        "verify": "GET /api/v1/verify?sha256=…",
    }
    for name, r in results.items():
        print(
            f"{labels[name]:<44}{r['rps']:>9.0f}{r['p50_ms']:>9.2f}{r['p99_ms']:>9.2f}"
            f"{r['rps'] / bare:>8.0%}{r['errors']:>9.0f}"
        )
    print(
        "\n"
        + json.dumps(
            {
                "connections": args.connections,
                "duration_s": args.duration,
                "certificates": args.certificates,
                "results": results,
            }
        )
    )


if __name__ == "__main__":
    main()
