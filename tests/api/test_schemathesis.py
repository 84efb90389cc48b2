"""The whole API fuzzed from its own OpenAPI description, over real HTTP.

schemathesis reads `/api/v1/openapi.json` from a live server and sends every operation
schema-valid and schema-invalid requests with a secret key that holds every scope. Every
check runs on every response: no 5xx, only documented status codes, content types and
headers, bodies that match their declared schema, valid data accepted and invalid data
refused. The seed is fixed, so a failure is the same failure on every run.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.config import SchemathesisConfig
from schemathesis.core.parameters import ParameterLocation

from soundseal.app import create_app
from soundseal.db import Database, create_database, upgrade
from soundseal.registry.webhooks.models import WebhookEndpoint
from soundseal.registry.webhooks.services import send_test_event
from soundseal.settings import Settings, load_settings
from tests.conftest import LiveServer, make_settings
from tests.factories import Factory, Key


@pytest.fixture(name="settings")
def fuzz_settings(database: Database, tmp_path: Path) -> Settings:
    # Rate limits and quotas would answer most of a fuzz run with 429 and hide the routes.
    return make_settings(
        database,
        tmp_path,
        rate_limit_secret=1_000_000,
        rate_limit_publishable=1_000_000,
        rate_limit_anonymous=1_000_000,
        quotas_enabled=False,
        # Endpoints the fuzzer registers may name real public hosts: deliver nothing.
        webhook_worker="external",
    )


def described_api() -> dict[str, Any]:
    """The OpenAPI document the server serves, from an application on a scratch registry
    (building the application publishes its signing key, so the registry is migrated)."""
    with tempfile.TemporaryDirectory() as scratch:
        url = f"sqlite:///{scratch}/spec.db"
        database = create_database(url)
        upgrade(database.engine)
        try:
            return create_app(load_settings(data_dir=scratch, database_url=url), database).openapi()
        finally:
            database.dispose()


SPEC = described_api()
# Scenarios of the stateful phase, each up to 10 calls long.
STATEFUL_SCENARIOS = 60

# Seed, examples and checks: the settings `st run` uses from the command line too.
CONFIG = Path(__file__).parents[2] / "schemathesis.toml"
schema = schemathesis.openapi.from_dict(SPEC, config=SchemathesisConfig.from_path(CONFIG))


@pytest.fixture
def secret_key(factory: Factory) -> Key:
    """A live secret key with every scope, as anyone who signs up holds one."""
    return factory.key()


@pytest.fixture
def existing(factory: Factory, secret_key: Key, database: Database) -> dict[str, str]:
    """Objects of the key's workspace, by the path and query parameters that name them, so
    requests reach the routes' work and not only their 404s."""
    cert = factory.certificate(secret_key)
    claim = factory.claim(cert)
    webhook_id, _ = factory.webhook(secret_key, "https://hooks.example.com/soundseal")
    with database.transaction() as session:
        endpoint = session.get(WebhookEndpoint, webhook_id)
        assert endpoint is not None
        delivery = send_test_event(session, endpoint)
        delivery_id = delivery.id
    return {
        "certificate_id": cert.id,
        "id_or_number": cert.certificate_number,
        "claim_id": claim.id,
        "webhook_id": webhook_id,
        "id": webhook_id,
        "delivery_id": delivery_id,
    }


def aim_at_existing(case: schemathesis.Case, existing: dict[str, str]) -> None:
    """Point about half of the schema-valid identifiers at real objects.

    Only where the generated value is valid data anyway (any string is a well-formed ID), and
    chosen by the value itself so a seed always makes the same choice; the other half still
    tests unknown IDs.
    """
    for location, params in (
        (ParameterLocation.PATH, case.path_parameters),
        (ParameterLocation.QUERY, case.query),
    ):
        if params is None or case.meta is None or case.meta.is_negative_at(location):
            continue
        for name, value in list(params.items()):
            if name in existing and isinstance(value, str) and len(value) % 2 == 0:
                params[name] = existing[name]


@pytest.fixture
def server(live_server: LiveServer) -> LiveServer:
    # The schema is loaded at collection; the live server must serve the very same one.
    served = httpx.get(f"{live_server.url}/api/v1/openapi.json", timeout=10)
    assert served.json() == json.loads(json.dumps(SPEC))
    assert schema.config.seed is not None
    return live_server


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
@schema.parametrize()
# One server and one database per operation, shared by its examples on purpose: state left
# by one request (a revoked certificate, a deleted webhook) is what the next one meets.
@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_every_operation_holds_to_its_description(
    case: schemathesis.Case, server: LiveServer, secret_key: Key, existing: dict[str, str]
) -> None:
    aim_at_existing(case, existing)
    case.call_and_validate(base_url=server.url, headers=secret_key.headers)


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_sequences_of_operations_hold_to_the_description(
    server: LiveServer, secret_key: Key
) -> None:
    """The stateful phase: chains of calls where one response's IDs feed the next request
    (create a webhook, then page its deliveries; issue a certificate, then revoke it)."""
    url, headers = server.url, secret_key.headers

    class Workflow(schema.as_state_machine()):  # type: ignore[misc]
        def get_call_kwargs(self, case: schemathesis.Case) -> dict[str, Any]:
            return {"base_url": url, "headers": headers}

    Workflow.run(
        settings=settings(
            max_examples=STATEFUL_SCENARIOS,
            stateful_step_count=10,
            derandomize=True,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
    )
