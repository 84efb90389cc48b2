"""`soundseal serve` as a user runs it: a real process, real HTTP, the operator CLI beside it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from soundseal.db import Database
from tests.conftest import free_port
from tests.factories import sha256_of

SOUNDSEAL = [sys.executable, "-m", "soundseal"]


def cli(*args: str, env: dict[str, str]) -> dict[str, object]:
    out = subprocess.run([*SOUNDSEAL, *args], env=env, capture_output=True, text=True, check=True)
    return dict(json.loads(out.stdout))


@contextmanager
def serving(*args: str, env: dict[str, str]) -> Iterator[str]:
    port = free_port()
    process = subprocess.Popen(
        [*SOUNDSEAL, "serve", "--port", str(port), *args],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                httpx.get(f"{url}/api/v1/certificates/cer_test_synthetic", timeout=1)
                break
            except httpx.TransportError:
                if process.poll() is not None or time.monotonic() > deadline:
                    output = process.stdout.read().decode() if process.stdout else ""
                    raise RuntimeError(f"server did not start:\n{output}") from None
                time.sleep(0.1)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=20)


def base_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SOUNDSEAL_")}
    env.update(extra)
    return env


@pytest.mark.parametrize("workers", ["1", "2"])
def test_embedded_server_with_cli_created_account(tmp_path: Path, workers: str) -> None:
    data = tmp_path / "data"
    env = base_env(SOUNDSEAL_DATA_DIR=str(data))
    with serving("--workers", workers, env=env) as url:
        cli("accounts", "create", "--email", "label@example.com", "--name", "Label", env=env)
        key = cli("keys", "create", "--account", "label@example.com", env=env)["key"]
        headers = {"Authorization": f"Bearer {key}"}
        created = httpx.post(
            f"{url}/api/v1/certificates",
            json={
                "track_title": "Song",
                "artist_name": "Band",
                "sha256_fingerprint": sha256_of("s"),
            },
            headers=headers,
        )
        assert created.status_code == 201, created.text
        cert_id = created.json()["certificate"]["id"]
        for _ in range(4):  # whichever worker answers, it sees the same registry
            status = httpx.get(f"{url}/api/v1/certificates/{cert_id}/status", headers=headers)
            assert status.json()["status"] == "active"
    assert (data / "soundseal.sqlite3").exists()


def test_server_on_a_database_url(database: Database, tmp_path: Path) -> None:
    url = database.engine.url.render_as_string(hide_password=False)
    env = base_env(SOUNDSEAL_DATABASE_URL=url, SOUNDSEAL_DATA_DIR=str(tmp_path / "unused"))
    assert cli("db", "upgrade", env=env) == {"upgraded": True}
    with serving(env=env) as server:
        cli("accounts", "create", "--email", "db@example.com", "--name", "DB", env=env)
        key = cli("keys", "create", "--account", "db@example.com", env=env)["key"]
        response = httpx.get(f"{server}/api/v1/certificates", headers={"X-API-Key": str(key)})
        assert response.status_code == 200
        assert response.json()["pagination"]["total"] == 0


def test_serve_ignores_x_forwarded_for_unless_told_which_proxies_to_trust(
    tmp_path: Path,
) -> None:
    env = base_env(SOUNDSEAL_DATA_DIR=str(tmp_path / "data"), SOUNDSEAL_RATE_LIMIT_ANONYMOUS="3")
    with serving(env=env) as url:
        statuses = [
            httpx.get(
                f"{url}/api/v1/certificates", headers={"X-Forwarded-For": f"198.51.100.{n}"}
            ).status_code
            for n in range(5)
        ]
    # The server's own start-up probe may have been charged too: the limit is reached
    # within the first four, whatever the header says.
    assert statuses[-1] == 429
    assert 429 in statuses[:4]


def test_serve_refuses_the_replaced_proxy_setting_and_says_what_to_set(tmp_path: Path) -> None:
    env = base_env(SOUNDSEAL_DATA_DIR=str(tmp_path / "data"), SOUNDSEAL_TRUST_PROXY_HEADERS="true")
    result = subprocess.run(
        [*SOUNDSEAL, "serve", "--port", str(free_port())],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    error = json.loads(result.stderr)
    assert error["code"] == "invalid_settings"
    assert "SOUNDSEAL_TRUSTED_PROXIES" in error["error"]
