"""What verifying the log adds to a platform's poll, for polls applying 1 and 1,000 entries.

    python benchmarks/bench_platform_log.py [--entries 1000] [--repeat 20]

A registry (SQLite, a real server on loopback) and a platform store (SQLite) with the log key
pinned. Each poll is timed whole, and the parts that verification added are timed inside it:
reading the checkpoint, the entry bundles and the key set over HTTP, `advance` (leaf hashes
and the right-edge fold), `verify_entry_statements` (the Ed25519 signature of each entry) and
the feed-to-log comparison. The rest (the feed's pages, the transaction) is what a poll cost
before. A poll applying 1 entry is timed `--repeat` times after an issuance each; a poll
applying `--entries` after that many issuances.
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
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx

import soundseal.platform.poller as poller
from soundseal.client import Client
from soundseal.db import create_database, upgrade
from soundseal.platform import open_store, pin_log_key, poll_once
from soundseal.registry.accounts.services import create_account
from soundseal.registry.keys.services import create_key

SPENT: dict[str, float] = defaultdict(float)


def timed(name: str, function: Callable[..., Any]) -> Callable[..., Any]:
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        started = time.perf_counter()
        try:
            return function(*args, **kwargs)
        finally:
            SPENT[name] += time.perf_counter() - started

    return wrapper


class TimedClient:
    """The real client, with its checkpoint and key-set reads timed (the entry bundles are
    read inside `advance`, and counted there)."""

    def __init__(self, client: Client) -> None:
        self.client = client
        self.log_checkpoint = timed("http", client.log_checkpoint)
        self.jwks = timed("http", client.jwks)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.client, name)


def timed_poll(client: TimedClient, store: Any) -> tuple[float, float, int]:
    """(whole poll ms, verification ms, entries applied)."""
    SPENT.clear()
    started = time.perf_counter()
    result = poll_once(client, store.sessions)  # type: ignore[arg-type]
    whole = (time.perf_counter() - started) * 1000
    assert result.ok, result.error
    return whole, sum(SPENT.values()) * 1000, result.applied


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    # The verification steps, as the poller calls them.
    poller.advance = timed("advance", poller.advance)
    poller.verify_entry_statements = timed("statements", poller.verify_entry_statements)
    poller.match_feed = timed("match", poller.match_feed)
    work = Path(tempfile.mkdtemp(prefix="soundseal-bench-"))
    try:
        run(args, work)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def run(args: argparse.Namespace, work: Path) -> None:
    database = create_database(f"sqlite:///{work / 'soundseal.sqlite3'}")
    upgrade(database.engine)
    with database.transaction() as session:
        account = create_account(
            session,
            email="bench@example.com",
            name="Bench",
            signup_credits=args.entries + args.repeat + 10,
        )
        _, key = create_key(session, account_id=account.id, kind="secret")
    database.dispose()
    port = 19500 + secrets.randbelow(400)
    server = subprocess.Popen(
        [sys.executable, "-m", "soundseal", "serve", "--port", str(port)],
        env=dict(os.environ, SOUNDSEAL_DATA_DIR=str(work)),
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    store = open_store(f"sqlite:///{work / 'platform.sqlite3'}")
    try:
        for _ in range(200):
            try:
                httpx.get(f"{url}/api/v1/log/live", timeout=1)
                break
            except httpx.TransportError:
                time.sleep(0.1)
        with Client(key, url) as registry:
            pin_log_key(store.sessions, registry.log_state("live")["verifier_key"])
            client = TimedClient(registry)

            def issue(n: int) -> None:
                for _ in range(n):
                    registry.create_certificate(
                        track_title="T", artist_name="A", sha256=secrets.token_hex(32)
                    )

            issue(1)
            timed_poll(client, store)  # warm up
            singles = []
            for _ in range(args.repeat):
                issue(1)
                singles.append(timed_poll(client, store))
            issue(args.entries)
            many = timed_poll(client, store)
            breakdown = {k: round(v * 1000, 1) for k, v in sorted(SPENT.items())}
    finally:
        store.dispose()
        server.terminate()
        server.wait()
    whole = statistics.median(s[0] for s in singles)
    added = statistics.median(s[1] for s in singles)
    print(
        f"poll applying 1 entry: p50 {whole:.1f} ms in all, of which verification "
        f"{added:.1f} ms (over {args.repeat} polls)"
    )
    print(
        f"poll applying {many[2]} entries: {many[0]:.0f} ms in all, of which verification "
        f"{many[1]:.0f} ms ({many[1] / many[2]:.2f} ms an entry); ms by part: {breakdown}"
    )


if __name__ == "__main__":
    main()
