"""The operator CLI: accounts and keys, on the same registry the server uses."""

from __future__ import annotations

import json
from pathlib import Path

from starlette.testclient import TestClient
from typer.testing import CliRunner

from soundseal.app import create_app
from soundseal.cli.app import build
from soundseal.settings import load_settings

runner = CliRunner()


def run(*args: str, env: dict[str, str] | None = None) -> tuple[int, object]:
    result = runner.invoke(build(), list(args), env=env)
    stream = result.stdout if result.exit_code == 0 else result.stderr
    return result.exit_code, json.loads(stream) if stream.strip() else None


def test_accounts_and_keys_work_against_the_server(tmp_path: Path) -> None:
    data = str(tmp_path / "registry")
    code, account = run(
        "--data-dir", data, "accounts", "create", "--email", "Label@Example.com", "--name", "Label"
    )
    assert code == 0
    assert isinstance(account, dict)
    assert account["email"] == "label@example.com"
    code, key = run(
        "keys",
        "create",
        "--account",
        "label@example.com",
        "--scopes",
        "certificates:read",
        env={"SOUNDSEAL_DATA_DIR": data},
    )
    assert code == 0
    assert isinstance(key, dict)
    assert key["key"].startswith("ss_sk_live_")
    assert key["scopes"] == ["certificates:read"]
    code, listed = run("--data-dir", data, "keys", "list", "--account", account["id"])
    assert code == 0
    assert isinstance(listed, list)
    assert key["key"] not in json.dumps(listed)
    assert listed[0]["prefix"] == key["prefix"]

    app = create_app(load_settings(data_dir=data))
    with TestClient(app) as client:
        headers = {"Authorization": f"Bearer {key['key']}"}
        assert client.get("/api/v1/certificates", headers=headers).status_code == 200
        code, revoked = run("--data-dir", data, "keys", "revoke", key["id"])
        assert code == 0
        assert isinstance(revoked, dict)
        assert revoked["revoked_at"]
        assert client.get("/api/v1/certificates", headers=headers).status_code == 401


def test_the_key_is_not_stored_in_plain_text(tmp_path: Path) -> None:
    data = tmp_path / "registry"
    run("--data-dir", str(data), "accounts", "create", "--email", "a@example.com", "--name", "A")
    _, key = run(
        "--data-dir",
        str(data),
        "keys",
        "create",
        "--account",
        "a@example.com",
        "--kind",
        "publishable",
        "--mode",
        "test",
    )
    assert isinstance(key, dict)
    assert key["key"].startswith("ss_pk_test_")
    assert key["scopes"] == ["certificates:read", "verify:read"]
    raw = b"".join(p.read_bytes() for p in data.iterdir())
    assert key["key"].encode() not in raw


def test_bad_input_is_a_clear_error(tmp_path: Path) -> None:
    data = str(tmp_path / "registry")
    run("--data-dir", data, "accounts", "create", "--email", "a@example.com", "--name", "A")
    code, error = run(
        "--data-dir", data, "accounts", "create", "--email", "a@example.com", "--name", "B"
    )
    assert code == 1
    assert isinstance(error, dict)
    assert error["code"] == "account_exists"
    code, error = run(
        "--data-dir", data, "keys", "create", "--account", "a@example.com", "--scopes", "root"
    )
    assert code == 1
    assert isinstance(error, dict)
    assert error["field"] == "scopes"
    code, error = run("--data-dir", data, "keys", "create", "--account", "ghost@example.com")
    assert code == 1
    assert isinstance(error, dict)
    assert error["code"] == "not_found"
    code, error = run("--data-dir", data, "keys", "revoke", "key_nope")
    assert code == 1
    assert isinstance(error, dict)
    assert error["code"] == "not_found"


def test_config_masks_secrets(tmp_path: Path) -> None:
    code, config = run(
        "config",
        env={
            "SOUNDSEAL_DATABASE_URL": "postgresql+psycopg://u:pw@h/db",
            "SOUNDSEAL_RATE_LIMIT_SECRET": "77",
        },
    )
    assert code == 0
    assert isinstance(config, dict)
    assert config["database_url"] == "**********"
    assert config["rate_limit_secret"] == 77
    assert "pw" not in json.dumps(config)
