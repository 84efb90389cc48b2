"""verify-audio and identify over real HTTP, and the bulk certify speed-up.

    python benchmarks/bench_audio_api.py [--corpus DIR] [--certificates 10000]

Needs real music: by default Debian's drascula-music tracks (install `drascula-music`), or any
folder of recordings with --corpus.

- verify-audio: a 10-minute master (corpus tracks joined by FFmpeg) is certified by upload;
  the query is a 120 s clip from its middle re-encoded to MP3 128 kbps and fingerprinted with
  `fpcalc -raw`, as a platform would. Server time is read from the `Server-Timing` header;
  round trips are one client's over loopback with a kept-alive connection.
- identify: the registry is filled with N certificates whose fingerprints are real corpus
  fingerprints, windowed and XOR-ed with a random mask per certificate (real Chromaprint
  statistics, all distinct), plus the real master; the first identify loads the index.
- certify: `soundseal certify`'s per-file work (SHA-256 + whole-length fingerprint) over the
  corpus with one process and with one per core, side by side.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

import httpx
import numpy as np
import sqlalchemy as sa

from soundseal.audio import encode_values, fingerprint_file
from soundseal.cli.artist_commands import prepare
from soundseal.db import create_database, upgrade
from soundseal.ids import new_certificate_id
from soundseal.registry.accounts.services import create_account
from soundseal.registry.keys.services import create_key
from soundseal.registry.models import Certificate


def default_corpus() -> Path:
    """The folder of Debian's drascula-music package, wherever dpkg put it."""
    listing = subprocess.run(["dpkg", "-L", "drascula-music"], capture_output=True, text=True)
    oggs = [Path(line) for line in listing.stdout.splitlines() if line.endswith(".ogg")]
    return oggs[0].parent if oggs else Path("drascula-music-not-installed")


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def make_master(tracks: list[Path], target: Path, seconds: int = 600) -> Path:
    chosen, total = [], 0.0
    for track in tracks:
        probe = subprocess.run(
            [
                "ffprobe",
                "-v",
                "error",
                "-show_entries",
                "format=duration",
                "-of",
                "csv=p=0",
                str(track),
            ],
            capture_output=True,
            text=True,
            check=True,
        )
        chosen.append(track)
        total += float(probe.stdout.strip() or 0)
        if total >= seconds:
            break
    inputs = [arg for t in chosen for arg in ("-i", str(t))]
    graph = "".join(f"[{i}:a]" for i in range(len(chosen))) + f"concat=n={len(chosen)}:v=0:a=1"
    subprocess.run(
        [
            "ffmpeg",
            "-v",
            "error",
            "-y",
            *inputs,
            "-filter_complex",
            graph,
            "-t",
            str(seconds),
            "-ac",
            "2",
            "-ar",
            "44100",
            str(target),
        ],
        check=True,
    )
    return target


def server_ms(response: httpx.Response) -> float:
    """The server's own time for a request, from its `Server-Timing: app;dur=…` header."""
    return float(response.headers["server-timing"].split("dur=")[1])


def fpcalc_body(path: Path) -> dict[str, object]:
    out = subprocess.run(["fpcalc", "-raw", "-json", str(path)], capture_output=True, text=True)
    data = json.loads(out.stdout)
    values = [int(x) & 0xFFFFFFFF for x in data["fingerprint"]]
    return {"fingerprint": encode_values(values), "duration_ms": round(data["duration"] * 1000)}


def seed_registry(url: str, account_id: str, pool: np.ndarray, count: int) -> None:
    database = create_database(url)
    rng = np.random.default_rng(7)
    now = datetime.now(UTC)
    rows = []
    with database.engine.begin() as conn:
        for n in range(count):
            start = int(rng.integers(0, pool.size - 4845))
            values = (pool[start : start + 4845] ^ np.uint32(rng.integers(0, 2**32))).astype("<u4")
            rows.append(
                {
                    "id": new_certificate_id(test_mode=False),
                    "account_id": account_id,
                    "mode": "live",
                    "certificate_number": f"SS-{now.year}-B{n:07X}",
                    "track_title": f"Track {n}",
                    "artist_name": "Bench",
                    "sha256": secrets.token_hex(32),
                    "type": "sound_recording",
                    "declaration_text": "Original Work",
                    "status": "active",
                    "fingerprint": values.tobytes(),
                    "duration_ms": 600_000,
                    "issued_at": now,
                    "updated_at": now,
                    "version": 1,
                    "sequence": 0,
                }
            )
            if len(rows) == 2000:
                conn.execute(sa.insert(Certificate.__table__), rows)
                rows = []
        if rows:
            conn.execute(sa.insert(Certificate.__table__), rows)
    database.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=None)
    parser.add_argument("--certificates", type=int, default=10_000)
    parser.add_argument("--requests", type=int, default=200)
    args = parser.parse_args()
    args.corpus = args.corpus or default_corpus()
    suffixes = (".ogg", ".mp3", ".flac", ".wav")
    tracks = sorted(p for p in args.corpus.rglob("*") if p.suffix in suffixes)
    if len(tracks) < 4:
        raise SystemExit(f"need a corpus of recordings in {args.corpus}")
    work = Path(tempfile.mkdtemp(prefix="soundseal-bench-"))
    try:
        run(args, tracks, work)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def run(args: argparse.Namespace, tracks: list[Path], work: Path) -> None:
    master = make_master(tracks, work / "master.wav")
    clip = work / "clip.mp3"
    subprocess.run(
        [
            "ffmpeg",
            "-v",
            "error",
            "-y",
            "-ss",
            "240",
            "-t",
            "120",
            "-i",
            str(master),
            "-b:a",
            "128k",
            str(clip),
        ],
        check=True,
    )
    url = f"sqlite:///{work / 'soundseal.sqlite3'}"
    database = create_database(url)
    upgrade(database.engine)
    with database.transaction() as session:
        account = create_account(session, email="bench@example.com", name="Bench")
        _, key = create_key(session, account_id=account.id, kind="secret")
        account_id = account.id
    database.dispose()
    pool = np.concatenate([fingerprint_file(t, length_s=0).values for t in tracks[:20]])
    seed_registry(url, account_id, pool, args.certificates)

    env = dict(
        os.environ,
        SOUNDSEAL_DATA_DIR=str(work),
        SOUNDSEAL_RATE_LIMIT_SECRET="100000000",
        SOUNDSEAL_QUOTAS_ENABLED="false",
        # The bench workspace issues certificates without buying credits.
        SOUNDSEAL_CREDITS_ENABLED="false",
    )
    port = 18500 + secrets.randbelow(500)
    server = subprocess.Popen(
        [sys.executable, "-m", "soundseal", "serve", "--port", str(port)],
        env=env,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        with httpx.Client(
            base_url=base, headers={"Authorization": f"Bearer {key}"}, timeout=120
        ) as client:
            for _ in range(100):
                try:
                    client.get("/api/v1/certificates/cer_test_synthetic")
                    break
                except httpx.TransportError:
                    time.sleep(0.1)
            started = time.perf_counter()
            with master.open("rb") as handle:
                created = client.post(
                    "/api/v1/certificates",
                    data={"track_title": "Master", "artist_name": "Bench"},
                    files={"file": ("master.wav", handle)},
                )
            upload_s = time.perf_counter() - started
            assert created.status_code == 201, created.text
            cert_id = created.json()["certificate"]["id"]
            body = fpcalc_body(clip)
            verify_ms, identify_ms, verify_server, identify_server = [], [], [], []
            first = client.post(f"/api/v1/certificates/{cert_id}/verify-audio", json=body).json()
            for _ in range(args.requests):
                t = time.perf_counter()
                r = client.post(f"/api/v1/certificates/{cert_id}/verify-audio", json=body)
                verify_ms.append((time.perf_counter() - t) * 1000)
                verify_server.append(server_ms(r))
            t = time.perf_counter()
            found = client.post("/api/v1/identify", json=body).json()
            load_ms = (time.perf_counter() - t) * 1000
            for _ in range(args.requests):
                t = time.perf_counter()
                r = client.post("/api/v1/identify", json=body)
                identify_ms.append((time.perf_counter() - t) * 1000)
                identify_server.append(server_ms(r))
    finally:
        server.terminate()
        server.wait()

    print(f"registry: {args.certificates + 1} certificates with fingerprints (SQLite)")
    print(
        f"certify by upload of the 10-minute master: {upload_s:.2f} s (hash + fingerprint + "
        "duplicate check)"
    )
    print(
        f"verify-audio 120 s MP3 clip vs 10-min master: matched={first['matched']} "
        f"score={first['score']} offset={first['offset_ms']} ms"
    )
    print(
        f"  server time p50 {statistics.median(verify_server):.2f} ms, p95 "
        f"{pct(verify_server, 95):.2f} ms; round trip p50 {statistics.median(verify_ms):.2f} ms "
        f"over {args.requests} requests (target: server time p50 < 5 ms)"
    )
    top = found["matches"][0] if found["matches"] else {}
    print(
        f"identify among {args.certificates + 1}: first call (loads the index) {load_ms:.0f} ms;"
        f" top hit is the master: {top.get('certificate_id') == cert_id}"
    )
    print(
        f"  server time p50 {statistics.median(identify_server):.2f} ms, p95 "
        f"{pct(identify_server, 95):.2f} ms; round trip p95 {pct(identify_ms, 95):.2f} ms "
        "(target: p95 < 50 ms)"
    )

    files = tracks[:24]
    cores = sorted(os.sched_getaffinity(0))
    one = timed_prepare(files, workers=1, cpus={cores[0]})
    many = timed_prepare(files, workers=len(cores), cpus=set(cores))
    print(
        f"certify per-file work over {len(files)} corpus files: one core {one:.2f} s, "
        f"{len(cores)} cores {many:.2f} s, speed-up {one / many:.2f}x (target >= 1.7x)"
    )


def timed_prepare(files: list[Path], *, workers: int, cpus: set[int]) -> float:
    """Run certify's per-file work confined to `cpus` (FFmpeg's decoder inherits it)."""
    before = os.sched_getaffinity(0)
    os.sched_setaffinity(0, cpus)
    try:
        started = time.perf_counter()
        with ProcessPoolExecutor(max_workers=workers) as pool:
            list(pool.map(prepare, files))
        return time.perf_counter() - started
    finally:
        os.sched_setaffinity(0, before)


if __name__ == "__main__":
    main()
