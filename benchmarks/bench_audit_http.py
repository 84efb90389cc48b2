"""`soundseal audit` from scratch over HTTP, against a registry holding a long log.

    python benchmarks/bench_audit_http.py [--entries 100000] [--workers 2]

Seeds an embedded (SQLite) registry with ``--entries`` real signed certificate statements,
appended as the registry appends them (`appending.append_leaves`, with the registry's own
key), serves it with uvicorn in this process, and runs `soundseal audit` in another process
against it (no certificate pages compared: the seeded statements have no certificate rows).
Prints the seeding time, the audit's wall-clock time and its phases (log: checkpoint, entry
bundles and tree; statements: their verification over ``--workers`` processes), the time
per entry and the projection to a million. The keyless rate limit is raised for the run: at
the default of 300 requests a minute a million entries (3,907 bundles) take 13 minutes of
waiting alone.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import uvicorn
from sqlalchemy import update

from soundseal.app import create_app
from soundseal.db import create_database, upgrade
from soundseal.http.serving import UVICORN_OPTIONS
from soundseal.registry.changes.models import FeedCounter
from soundseal.registry.log.appending import append_leaves
from soundseal.registry.log.rebuild import start_notary
from soundseal.settings import load_settings
from soundseal.signing.jws import sign_statement
from soundseal.signing.statements import CertificateStatement

BATCH = 4096


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--entries", type=int, default=100_000)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    root = Path(tempfile.mkdtemp(prefix="bench-audit-"))
    settings = load_settings(
        data_dir=root / "data",
        database_url=f"sqlite:///{root / 'registry.sqlite3'}",
        public_url="https://registry.example",
        rate_limit_anonymous=10_000_000,
        webhook_worker="external",
    )
    database = create_database(settings.effective_database_url)
    upgrade(database.engine)
    started = time.perf_counter()
    with database.transaction() as session:
        notary = start_notary(session, settings)
    for first in range(0, args.entries, BATCH):
        entries = [
            sign_statement(
                CertificateStatement(
                    certificate_id=f"cer_01JBENCH{index:018d}",
                    certificate_number=f"SS-2026-{index:08X}",
                    mode="live",
                    track_title=f"A recording of some length, number {index}",
                    artist_name="The Benchmark Ensemble",
                    isrc="USRC17607839",
                    sha256_fingerprint=hashlib.sha256(b"%d" % index).hexdigest(),
                    acoustic_fingerprint=None,
                    match_policy_version="2026-11.1",
                    issuer=notary.issuer,
                    issued_at="2026-12-01T10:00:00.123Z",
                    log_index=index,
                ),
                notary.key,
            ).encode("ascii")
            for index in range(first, min(args.entries, first + BATCH))
        ]
        with database.transaction() as session:
            append_leaves(session, "live", first, entries)
    with database.transaction() as session:
        session.execute(
            update(FeedCounter).where(FeedCounter.mode == "live").values(last_sequence=args.entries)
        )
    seeded = time.perf_counter() - started

    port = _free_port()
    server = uvicorn.Server(
        uvicorn.Config(
            create_app(settings, database),
            host="127.0.0.1",
            port=port,
            log_level="warning",
            **UVICORN_OPTIONS,
        )
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.05)
    command = [
        sys.executable,
        "-m",
        "soundseal",
        "audit",
        "--registry",
        f"http://127.0.0.1:{port}",
        "--state",
        str(root / "audit"),
        "--log-key",
        notary.checkpoint_verifier("live").format(),
        "--workers",
        str(args.workers),
        "--current-limit",
        "0",
    ]
    started = time.perf_counter()
    result = subprocess.run(command, capture_output=True, text=True, env=dict(os.environ))
    elapsed = time.perf_counter() - started
    server.should_exit = True
    thread.join(timeout=15)
    if result.returncode != 0:
        sys.exit(f"the audit failed: {result.stderr}")
    report = json.loads(result.stdout)
    per_entry = elapsed / args.entries
    print(
        json.dumps(
            {
                "entries": args.entries,
                "seed_seconds": round(seeded, 1),
                "audit_seconds": round(elapsed, 2),
                "phases": report["seconds"],
                "microseconds_per_entry": round(per_entry * 1e6, 1),
                "projected_seconds_for_1m": round(per_entry * 1_000_000, 1),
                "workers": args.workers,
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
