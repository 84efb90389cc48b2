"""Every JSON operation's OpenAPI answer is the pydantic model its responses are made of."""

from __future__ import annotations

from typing import Any

from starlette.testclient import TestClient

# Operations under /api/v1 that answer something other than JSON, as (method, path): none
# today. The HTML pages are not in the document, nor are the document and its docs page.
NON_JSON: frozenset[tuple[str, str]] = frozenset()

_METHODS = {"get", "post", "put", "patch", "delete"}


def _success(operation: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    return [(code, answer) for code, answer in operation["responses"].items() if code[0] == "2"]


def test_every_json_operation_answers_a_component_schema(client: TestClient) -> None:
    spec = client.get("/api/v1/openapi.json").json()
    schemas = spec["components"]["schemas"]
    checked = 0
    for path, operations in spec["paths"].items():
        if not path.startswith("/api/v1"):
            continue
        for method, operation in operations.items():
            if method not in _METHODS or (method, path) in NON_JSON:
                continue
            where = f"{method.upper()} {path}"
            success = _success(operation)
            assert len(success) == 1, f"{where}: one 2xx answer, not {success}"
            _code, answer = success[0]
            schema = answer["content"]["application/json"]["schema"]
            ref = schema.get("$ref")
            assert isinstance(ref, str), f"{where}: answers {schema}, not a model"
            name = ref.removeprefix("#/components/schemas/")
            assert name in schemas, f"{where}: {ref} is not a component"
            model = schemas[name]
            assert model.get("properties"), f"{where}: {name} declares no members"
            assert model.get("additionalProperties") is False, f"{where}: {name} is open"
            checked += 1
    assert checked >= 30


def test_created_and_accepted_operations_keep_their_status(client: TestClient) -> None:
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    expected = {
        ("post", "/api/v1/certificates"): "201",
        ("post", "/api/v1/claims"): "201",
        ("post", "/api/v1/webhooks"): "201",
        ("post", "/api/v1/certificates/{certificate_id}/contributors"): "201",
        ("post", "/api/v1/webhooks/{webhook_id}/deliveries/{delivery_id}/redeliver"): "202",
        ("post", "/api/v1/webhooks/{webhook_id}/test"): "202",
    }
    for (method, path), code in expected.items():
        codes = [c for c in paths[path][method]["responses"] if c[0] == "2"]
        assert codes == [code], f"{method.upper()} {path}: {codes}"


def test_counts_in_answers_are_bounded(client: TestClient) -> None:
    schemas = client.get("/api/v1/openapi.json").json()["components"]["schemas"]
    for name, member in (
        ("ChangesOut", "last_sequence"),
        ("ChangeOut", "sequence"),
        ("CreditsOut", "credits_remaining"),
        ("DeliveryOut", "attempts"),
        ("ClaimPagination", "total"),
    ):
        prop = schemas[name]["properties"][member]
        bounds = (prop["minimum"], prop["maximum"])
        assert bounds == (0, 2**31 - 1), (name, member)
