"""The OpenAPI document at `/api/v1/openapi.json`.

Routes declare what only they can answer (402 from a credit charge, 502 from the payment
provider, 404 from a lookup by query parameter). The errors every operation can give
because of the machinery around it are added here, in one place, from what that machinery
does, so no route can forget one and the fuzz tests (`tests/api/test_schemathesis.py`) hold
the document to the server's real answers:

- 400: every operation parses input (path, query, headers, body) and refuses what does
  not parse, in the one error shape (`http/errors.py`: FastAPI's 422 is our 400);
- 401 and 403: every operation that takes an API key;
- 404: every path with an identifier in it;
- 409 and 422: every POST/PUT/PATCH/DELETE, through `Idempotency-Key`;
- 413: every request with a body (`BodySizeLimitMiddleware`);
- 429: every operation (per-key, per-IP and monthly limits).
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from fastapi.routing import APIRoute

from soundseal.api.schemas import ErrorBody, error_responses

__all__ = ["describe", "standard_errors"]

_WRITES = {"post", "put", "patch", "delete"}
_BODIES = {"post", "put", "patch"}
# Operations that take no API key: anyone may call them, so a key cannot be refused.
_KEYLESS_SCOPES = ("none", "Stripe-Signature")
_ERROR_REF = {"$ref": "#/components/schemas/ErrorBody"}


def standard_errors(path: str, method: str, operation: dict[str, Any]) -> list[int]:
    """The error statuses `operation` can give whatever its route does."""
    statuses = [400, 429]
    scope = str(operation.get("x-required-scope", ""))
    if not scope.startswith(_KEYLESS_SCOPES):
        statuses += [401, 403]
    if "{" in path:
        statuses.append(404)
    if method in _WRITES:
        statuses += [409, 422]
    if method in _BODIES:
        statuses.append(413)
    return sorted(statuses)


def _add_errors(path: str, method: str, operation: dict[str, Any]) -> None:
    responses: dict[str, Any] = operation.setdefault("responses", {})
    generated = responses.get("422", {}).get("description") == "Validation Error"
    if generated:
        # FastAPI's own entry describes its validation body, which this API never sends:
        # request validation answers 400 in the one error shape.
        del responses["422"]
    for status in standard_errors(path, method, operation):
        entry = error_responses(status)[status]
        responses.setdefault(
            str(status),
            {
                "description": entry["description"],
                "content": {"application/json": {"schema": _ERROR_REF}},
            },
        )


def _hoist_defs(node: Any, schemas: dict[str, Any]) -> Any:
    """Move the `$defs` of hand-embedded model schemas (`openapi_extra`) into the components.

    A `#/$defs/X` reference resolves against the whole document, where there is no `$defs`:
    left in place it points nowhere, and clients and fuzzers skip that part of the body.
    """
    if isinstance(node, list):
        return [_hoist_defs(item, schemas) for item in node]
    if not isinstance(node, dict):
        return node
    for name, definition in node.pop("$defs", {}).items():
        schemas.setdefault(name, _hoist_defs(definition, schemas))
    ref = node.get("$ref")
    if isinstance(ref, str) and ref.startswith("#/$defs/"):
        node["$ref"] = "#/components/schemas/" + ref.removeprefix("#/$defs/")
    return {key: _hoist_defs(value, schemas) for key, value in node.items()}


# What every text input is held to (`http/edge.py` for paths and queries, `api/schemas.py`
# for bodies): no database stores NUL in text. Stated where a schema does not say more.
_NO_NUL = {"pattern": "^[^\\u0000]*$"}
_SAYS_MORE = ("pattern", "enum", "const", "format")


def _no_nul_strings(node: Any) -> None:
    """Give every string schema under `node` that allows any text the NUL-free pattern."""
    if isinstance(node, list):
        for item in node:
            _no_nul_strings(item)
        return
    if not isinstance(node, dict):
        return
    if node.get("type") == "string" and not any(key in node for key in _SAYS_MORE):
        node.update(_NO_NUL)
    for value in node.values():
        _no_nul_strings(value)


def _required_scopes(app: FastAPI, schema: dict[str, Any], routers: tuple[Any, ...]) -> None:
    routes = [r for router in routers for r in router.routes if isinstance(r, APIRoute)]
    for route in routes:
        # A dependency's key check (`require_scope`), or the endpoint's own (`checks_key`).
        calls = [dep.call for dep in route.dependant.dependencies] + [route.endpoint]
        scope = next((s for s in (getattr(c, "required_scope", None) for c in calls) if s), None)
        for method in route.methods or ():
            operation = schema["paths"][route.path_format].get(method.lower())
            if operation is not None and scope and "x-required-scope" not in operation:
                operation["x-required-scope"] = scope


def describe(app: FastAPI, routers: tuple[Any, ...]) -> dict[str, Any]:
    """The document, built once per app."""
    if app.openapi_schema:
        return app.openapi_schema
    schema = get_openapi(
        title=app.title,
        version=app.version,
        description=app.description,
        routes=app.routes,
        openapi_version="3.1.0",
    )
    components = schema.setdefault("components", {})
    components["securitySchemes"] = {
        "bearer": {"type": "http", "scheme": "bearer", "description": "An API key"},
        "apiKey": {"type": "apiKey", "in": "header", "name": "X-API-Key"},
    }
    schema["security"] = [{"bearer": []}, {"apiKey": []}]
    _required_scopes(app, schema, routers)
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            _add_errors(path, method, operation)
    schemas = components.setdefault("schemas", {})
    schema["paths"] = _hoist_defs(schema["paths"], schemas)
    schemas.setdefault("ErrorBody", ErrorBody.model_json_schema())
    for path_item in schema["paths"].values():
        for operation in path_item.values():
            _no_nul_strings(operation.get("parameters", []))
            _no_nul_strings(operation.get("requestBody", {}))
    for name, definition in schemas.items():
        if name != "ErrorBody":
            _no_nul_strings(definition)
    # Only FastAPI's generated 422 entries used these; none is left.
    for unused in ("HTTPValidationError", "ValidationError"):
        schemas.pop(unused, None)
    app.openapi_schema = schema
    return schema
