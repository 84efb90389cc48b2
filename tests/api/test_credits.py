"""Credits over the API: what costs one, what 402 says, and that a refusal writes nothing."""

from __future__ import annotations

import json
from pathlib import Path

from fastapi import FastAPI
from starlette.testclient import TestClient
from typer.testing import CliRunner

from soundseal.app import create_app
from soundseal.cli.app import build
from soundseal.db import Database
from soundseal.registry.events.services import list_events
from tests.api.test_certificates import issue
from tests.conftest import make_settings
from tests.factories import Factory


def credits_of(client: TestClient, headers: dict[str, str]) -> dict[str, object]:
    response = client.get("/api/v1/credits", headers=headers)
    assert response.status_code == 200, response.text
    body: dict[str, object] = response.json()
    return body


def test_a_live_certificate_costs_one_credit_and_says_so_on_the_ledger(
    client: TestClient, factory: Factory, database: Database
) -> None:
    key = factory.key(factory.account(credits=3))
    cert = issue(client, key).json()["certificate"]
    body = credits_of(client, key.headers)
    assert body["credits_remaining"] == 2
    assert body["credits_enabled"] is True
    entries = body["entries"]
    assert isinstance(entries, list)
    assert [(e["amount"], e["reason"], e["balance_after"]) for e in entries] == [
        (-1, "certificate", 2),
        (3, "signup", 3),
    ]
    with database.transaction(write=False) as session:
        types = [e.type for e in list_events(session, account_id=key.account_id, mode="live")]
    assert types == ["credits.used", "certificate.created"]
    assert cert["status"] == "active"


def test_without_credits_issuing_is_402_with_the_balance_and_where_to_buy(
    client: TestClient, factory: Factory, database: Database
) -> None:
    key = factory.key(factory.account(credits=0))
    response = issue(client, key)
    assert response.status_code == 402
    body = response.json()
    assert body["code"] == "payment_required"
    assert body["credits_remaining"] == 0
    assert body["purchase_url"] == "https://registry.test/dashboard/billing"
    assert body["request_id"] == response.headers["X-Request-Id"]
    listed = client.get("/api/v1/certificates", headers=key.headers).json()
    assert listed["certificates"] == []
    with database.transaction(write=False) as session:
        assert list_events(session, account_id=key.account_id, mode="live") == []


def test_a_refused_duplicate_keeps_its_credit(client: TestClient, factory: Factory) -> None:
    key = factory.key(factory.account(credits=5))
    assert issue(client, key, n=1).status_code == 201
    assert issue(client, key, n=1).status_code == 409
    assert credits_of(client, key.headers)["credits_remaining"] == 4


def test_test_mode_is_free(client: TestClient, factory: Factory) -> None:
    key = factory.key(factory.account(credits=0), mode="test")
    assert issue(client, key).status_code == 201
    assert credits_of(client, key.headers)["credits_remaining"] == 0


def test_a_registry_that_does_not_charge_never_says_402(
    database: Database, tmp_path: Path, factory: Factory
) -> None:
    app: FastAPI = create_app(make_settings(database, tmp_path, credits_enabled=False), database)
    key = factory.key(factory.account(credits=0))
    with TestClient(app) as client:
        assert issue(client, key, n=1).status_code == 201
        assert issue(client, key, n=2).status_code == 201
        body = credits_of(client, key.headers)
    assert body["credits_enabled"] is False
    assert body["entries"] == []


def test_the_ledger_pages_newest_first(client: TestClient, factory: Factory) -> None:
    key = factory.key(factory.account(credits=10))
    for n in range(3):
        issue(client, key, n=f"page-{n}")
    first = client.get("/api/v1/credits?limit=2", headers=key.headers).json()
    assert first["has_more"] is True
    rest = client.get(
        f"/api/v1/credits?limit=2&starting_after={first['next_starting_after']}",
        headers=key.headers,
    ).json()
    assert [e["balance_after"] for e in first["entries"] + rest["entries"]] == [7, 8, 9, 10]
    assert rest["has_more"] is False
    bad = client.get("/api/v1/credits?starting_after=cer_X", headers=key.headers)
    assert bad.status_code == 400
    assert bad.json()["field"] == "starting_after"


def test_reading_credits_needs_a_secret_key_with_billing_read(
    client: TestClient, factory: Factory
) -> None:
    account = factory.account()
    publishable = factory.key(account, kind="publishable")
    narrow = factory.key(account, scopes="certificates:read")
    for key in (publishable, narrow):
        response = client.get("/api/v1/credits", headers=key.headers)
        assert response.status_code == 403
        assert response.json()["required_scope"] == "billing:read"


def test_an_operator_grants_credits_from_the_command_line(tmp_path: Path) -> None:
    runner = CliRunner()
    data = str(tmp_path / "registry")

    def run(*args: str) -> dict[str, object]:
        result = runner.invoke(build(), ["--data-dir", data, *args])
        assert result.exit_code == 0, result.stderr
        value: dict[str, object] = json.loads(result.stdout)
        return value

    account = run("accounts", "create", "--email", "l@example.com", "--name", "L")
    assert account["credit_balance"] == 10  # SOUNDSEAL_SIGNUP_CREDITS' default
    granted = run("credits", "grant", "--account", "l@example.com", "--amount", "25")
    assert granted["credits_remaining"] == 35
    shown = run("credits", "show", "--account", str(account["id"]))
    entries = shown["entries"]
    assert isinstance(entries, list)
    assert [e["amount"] for e in entries] == [25, 10]
    refused = runner.invoke(
        build(),
        ["--data-dir", data, "credits", "grant", "--account", "l@example.com", "--amount", "0"],
    )
    assert refused.exit_code != 0
    assert "amount" in refused.stderr
