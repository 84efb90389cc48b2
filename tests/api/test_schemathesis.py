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

from soundseal.api import create_app
from soundseal.db import Database, create_database
from soundseal.registry.webhooks.models import WebhookEndpoint
from soundseal.registry.webhooks.services import send_test_event
from soundseal.settings import Settings, load_settings
from tests.conftest import LiveServer, make_settings
from tests.factories import Factory, Key

# Enough for the fuzzing phase to reach every branch the schema describes while the whole
# run stays around a minute on a small machine; the examples and coverage phases add their
# own deterministic cases on top.
MAX_EXAMPLES = 25
SEED = 20261204

# Where the API's answer to schema-valid input depends on more than a JSON schema can say,
# `positive_data_acceptance` also accepts the documented 400 (`bad_request` naming the field).
# Everything a schema can say (enums, bounds, ID prefixes) is in the schema instead.
SEMANTIC_400: dict[str, str] = {
    # exactly one of three optional query parameters: OpenAPI parameters cannot say so
    "GET /api/v1/verify": "one of certificate_number, sha256 or isrc",
    "POST /api/v1/verify": "one of certificate_number, sha256 or isrc",
    "GET /api/v1/verify/deep": "one of certificate_number, sha256 or isrc",
    # a fingerprint must decode in its `encoding`, and comes with its duration
    "POST /api/v1/certificates": "fingerprint and duration_ms together, and decodable",
    "POST /api/v1/certificates/{certificate_id}/verify-audio": "a decodable fingerprint",
    "POST /api/v1/identify": "a decodable fingerprint",
    # cursors are opaque: only one the API returned is valid
    "GET /api/v1/certificates": "a cursor this API returned",
    "GET /api/v1/webhooks/{webhook_id}/deliveries": "a cursor this API returned",
    # text that is blank once trimmed, an email address, a certificate that exists
    "POST /api/v1/claims": "a real claim: non-blank text, an email, a certificate",
    "GET /api/v1/claims": "a certificate filter naming an existing certificate",
    "POST /api/v1/certificates/{certificate_id}/contributors": "an email address",
    # the address guard: https, and an address on the public internet
    "POST /api/v1/webhooks": "a public https URL",
    "PATCH /api/v1/webhooks": "a public https URL",
    # comma-separated certificate IDs in one string
    "GET /api/v1/public/status": "1 to 100 certificate IDs (cer_…)",
    # billing is off in this registry (no Stripe keys): 400 `billing_disabled`
    "POST /api/v1/billing/checkout": "billing is not configured",
    "POST /api/v1/billing/credits": "billing is not configured",
    # a Stripe event without Stripe's signature is 400 `invalid_signature`, by design
    "POST /api/v1/billing/stripe/webhook": "unsigned Stripe event",
}


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


def fuzz_config() -> dict[str, Any]:
    positive = {"expected-statuses": ["2XX", "3XX", 401, 403, 404, 409, 429]}
    return {
        "seed": SEED,
        "suppress-health-check": ["too_slow", "filter_too_much", "data_too_large"],
        "generation": {"max-examples": MAX_EXAMPLES, "deterministic": True},
        "checks": {"enabled": True, "positive_data_acceptance": positive},
        "operations": [
            {
                "include-name": name,
                "checks": {
                    "positive_data_acceptance": {
                        "expected-statuses": [*positive["expected-statuses"], 400]
                    }
                },
            }
            for name in SEMANTIC_400
        ],
    }


def described_api() -> dict[str, Any]:
    """The OpenAPI document the server serves; building it touches no database."""
    with tempfile.TemporaryDirectory() as scratch:
        url = f"sqlite:///{scratch}/spec.db"
        database = create_database(url)
        try:
            return create_app(load_settings(data_dir=scratch, database_url=url), database).openapi()
        finally:
            database.dispose()


SPEC = described_api()
schema = schemathesis.openapi.from_dict(SPEC, config=SchemathesisConfig.from_dict(fuzz_config()))


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
