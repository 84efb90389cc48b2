"""Every integer the API accepts is bounded: out of range is a 400 naming the field, never a
500 from a database driver that cannot hold the number, and the OpenAPI states the bounds."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from starlette.testclient import TestClient

from tests.factories import Factory, Key

HUGE = 417240457329042587648  # past 2**64: no SQL driver binds it


def _bad_request(response: Any, field: str) -> None:
    assert response.status_code == 400, response.text
    body = response.json()
    assert body["code"] == "bad_request"
    assert body["field"] == field
    assert body["request_id"]
    assert field in body["error"]


@pytest.mark.parametrize(
    ("path", "field"),
    [
        ("/api/v1/certificates", "offset"),
        ("/api/v1/certificates", "limit"),
        ("/api/v1/claims", "offset"),
        ("/api/v1/claims", "limit"),
        ("/api/v1/certificates/changes", "since_sequence"),
        ("/api/v1/certificates/changes", "limit"),
        ("/api/v1/credits", "limit"),
    ],
)
@pytest.mark.parametrize("value", [HUGE, -HUGE, 2**63, 2**31])
def test_huge_query_integers_are_400_naming_the_field(
    client: TestClient, factory: Factory, path: str, field: str, value: int
) -> None:
    key = factory.key()
    response = client.get(path, params={field: value}, headers=key.headers)
    _bad_request(response, field)


@pytest.mark.parametrize("path", ["/api/v1/identify", "/api/v1/certificates"])
@pytest.mark.parametrize("value", [HUGE, 2**31, 0, -1])
def test_huge_duration_in_a_body_is_400_naming_the_field(
    client: TestClient, factory: Factory, path: str, value: int
) -> None:
    key = factory.key()
    body: dict[str, Any] = {"fingerprint": [1, 2, 3], "duration_ms": value}
    if path == "/api/v1/certificates":
        body |= {"track_title": "T", "artist_name": "A", "sha256_fingerprint": "a" * 64}
    response = client.post(path, json=body, headers=key.headers)
    _bad_request(response, "duration_ms")


def _integer_schemas(node: Any, where: str = "") -> list[tuple[str, dict[str, Any]]]:
    """Every `{"type": "integer"}` schema in the document, with where it sits."""
    found: list[tuple[str, dict[str, Any]]] = []
    if isinstance(node, dict):
        if node.get("type") == "integer" or node.get("type") == "number":
            found.append((where, node))
        for key, value in node.items():
            found.extend(_integer_schemas(value, f"{where}/{key}"))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            found.extend(_integer_schemas(value, f"{where}/{i}"))
    return found


def _references(node: Any) -> set[str]:
    """The component schemas `node` refers to."""
    if isinstance(node, dict):
        found = {ref.rsplit("/", 1)[-1] for key, ref in node.items() if key == "$ref"}
        return found.union(*(_references(value) for value in node.values()))
    if isinstance(node, list):
        return set().union(*(_references(value) for value in node))
    return set()


def test_the_openapi_bounds_every_integer_it_accepts(client: TestClient) -> None:
    spec = client.get("/api/v1/openapi.json").json()
    inputs = {
        "paths": {
            path: {
                method: {k: v for k, v in op.items() if k in ("parameters", "requestBody")}
                for method, op in ops.items()
            }
            for path, ops in spec["paths"].items()
        },
    }
    # Request bodies by reference: the schemas the inputs name, and those they name in turn
    # (the answers' schemas are not inputs).
    schemas = spec["components"]["schemas"]
    pending, named = _references(inputs), set()
    while pending:
        name = pending.pop()
        if name not in named:
            named.add(name)
            pending |= _references(schemas[name])
    inputs["schemas"] = {name: schemas[name] for name in named}
    assert {"VerifyRequest", "ClaimCreate", "WebhookCreate"} <= named
    assert "CertificateOut" not in named
    unbounded = [
        where
        for where, schema in _integer_schemas(inputs)
        if "maximum" not in schema or "minimum" not in schema
    ]
    assert not unbounded, unbounded
    limits = {
        p["name"]: p["schema"]
        for p in spec["paths"]["/api/v1/claims"]["get"]["parameters"]
        if p["in"] == "query"
    }
    assert limits["offset"]["minimum"] == 0
    assert limits["offset"]["maximum"] >= 1_000_000


_PAGES = st.sampled_from(
    [
        ("/api/v1/certificates", "offset"),
        ("/api/v1/certificates", "limit"),
        ("/api/v1/claims", "offset"),
        ("/api/v1/claims", "limit"),
        ("/api/v1/certificates/changes", "since_sequence"),
    ]
)


@pytest.fixture
def one_key(factory: Factory) -> Key:
    return factory.key()


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(page=_PAGES, value=st.integers() | st.text(max_size=30))
def test_any_value_of_a_paging_parameter_is_200_or_400(
    client: TestClient, one_key: Key, page: tuple[str, str], value: int | str
) -> None:
    path, field = page
    response = client.get(path, params={field: value}, headers=one_key.headers)
    assert response.status_code in (200, 400), response.text
    if response.status_code == 400:
        assert response.json()["field"] == field


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(duration=st.integers(), limit=st.integers())
def test_any_integers_in_an_identify_body_are_handled(
    client: TestClient, one_key: Key, duration: int, limit: int
) -> None:
    body = {"fingerprint": [1, 2, 3], "duration_ms": duration, "limit": limit}
    response = client.post("/api/v1/identify", json=body, headers=one_key.headers)
    # Three values are too short a fingerprint to search with: a clean 400 in any case.
    assert response.status_code == 400, response.text
    assert response.json()["field"] in ("duration_ms", "limit", "fingerprint")


# NUL cannot be stored in PostgreSQL text (the driver raises), and SQLite cuts C strings at it:
# text with one is a 400 naming the field on every body and query, never a 500.
NUL = "a\x00b"


@pytest.mark.parametrize(
    ("case", "field"),
    [
        ("certificate", "track_title"),
        ("webhook", "description"),
        ("claim", "description"),
        ("claimant", "claimant.name"),
        ("contributor", "name"),
        ("revoke", "reason"),
        ("verify", "certificate_number"),
    ],
)
def test_text_with_a_nul_character_is_a_400_naming_the_field(
    client: TestClient, factory: Factory, case: str, field: str
) -> None:
    owner = factory.key()
    cert = factory.certificate(owner)
    other = factory.key()
    hook = {"url": "https://hooks.example.com/a", "events": ["certificate.created"]}
    claim = {"certificate": cert.certificate_number, "type": "other", "description": "d"}
    requests: dict[str, tuple[Key, str, dict[str, Any]]] = {
        "certificate": (
            owner,
            "/api/v1/certificates",
            {"track_title": NUL, "artist_name": "A", "sha256_fingerprint": "a" * 64},
        ),
        "webhook": (owner, "/api/v1/webhooks", {**hook, "description": NUL}),
        "claim": (other, "/api/v1/claims", {**claim, "description": NUL}),
        "claimant": (
            other,
            "/api/v1/claims",
            {**claim, "claimant": {"name": NUL, "email": "c@example.com"}},
        ),
        "contributor": (
            owner,
            f"/api/v1/certificates/{cert.id}/contributors",
            {"name": NUL, "role": "producer", "email": "c@example.com"},
        ),
        "revoke": (owner, f"/api/v1/certificates/{cert.id}/revoke", {"reason": NUL}),
        "verify": (owner, "/api/v1/verify", {"certificate_number": NUL}),
    }
    key, path, body = requests[case]
    _bad_request(client.post(path, json=body, headers=key.headers), field)


@pytest.mark.parametrize(
    ("path", "field"),
    [
        ("/api/v1/certificates?artist=a%00b", "artist"),
        ("/api/v1/claims?status=pending&certificate=%00", "certificate"),
        ("/api/v1/verify?isrc=%00", "isrc"),
        ("/api/v1/certificates/changes?cursor=x%00", "cursor"),
    ],
)
def test_a_query_with_a_nul_character_is_a_400_naming_the_parameter(
    client: TestClient, factory: Factory, path: str, field: str
) -> None:
    key = factory.key()
    _bad_request(client.get(path, headers=key.headers), field)


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/claims/clm_%00",
        "/api/v1/webhooks/wh_%00/deliveries",
        "/api/v1/verification-receipts/vr_%00",
        "/api/v1/certificates/cer_a%00b",
    ],
)
def test_a_path_with_a_nul_character_names_nothing(
    client: TestClient, factory: Factory, path: str
) -> None:
    key = factory.key()
    response = client.get(path, headers=key.headers)
    assert response.status_code == 404, response.text
    assert response.json()["code"] == "not_found"
