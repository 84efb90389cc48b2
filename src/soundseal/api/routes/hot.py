"""The two reads platforms call most, as plain Starlette routes.

`GET /api/v1/certificates/{id}/status` and `GET /api/v1/verify` are polled by every
platform for every track it shows. FastAPI's per-route machinery (dependency resolution,
parameter models) costs more than the whole lookup behind them, so these two parse their
few parameters by hand and are matched before FastAPI's routes. Authentication, scopes,
rate limits, errors and headers are the same code as everywhere else; the OpenAPI entries
below describe them (`tests/api/test_openapi.py` holds them to it).
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from soundseal.api.auth import check_scope, checks_key, read_principal, resolve_principal
from soundseal.api.schemas import error_responses
from soundseal.api.verification import verification
from soundseal.errors import InvalidInput
from soundseal.http.context import get_context, lookup
from soundseal.registry.certificates import services as certificates
from soundseal.registry.certificates.access import check_readable
from soundseal.registry.certificates.views import status_view

__all__ = ["OPENAPI_PATHS", "ROUTES"]

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def _flag(request: Request, name: str) -> bool:
    raw = request.query_params.get(name, "false").lower()
    if raw not in _TRUE | _FALSE:
        raise InvalidInput(f"Invalid field '{name}': expected true or false", field=name)
    return raw in _TRUE


def _text(request: Request, name: str, max_length: int) -> str | None:
    value = request.query_params.get(name)
    if value is not None and len(value) > max_length:
        raise InvalidInput(f"Invalid field '{name}': at most {max_length} characters", field=name)
    return value


@checks_key("certificates:read", publishable=True)
async def certificate_status(request: Request) -> JSONResponse:
    certificate_id: str = request.path_params["certificate_id"]
    no_cache = _flag(request, "no_cache")
    principal = await read_principal(request, certificate_id)
    row = await lookup(request, lambda reader: certificates.get_status(reader, certificate_id))
    view = status_view(check_readable(row, principal, certificate_id))
    max_age = get_context(request).settings.status_max_age_seconds
    cache = "no-store" if no_cache else f"private, max-age={max_age}"
    return JSONResponse(view, headers={"Cache-Control": cache})


@checks_key("verify:read", publishable=True)
async def verify(request: Request) -> JSONResponse:
    principal = check_scope(await resolve_principal(request), "verify:read")
    return await verification(
        request,
        principal,
        _text(request, "certificate_number", 32),
        _text(request, "sha256", 64),
        _text(request, "isrc", 20),
    )


ROUTES = [
    Route("/api/v1/certificates/{certificate_id}/status", certificate_status, methods=["GET"]),
    Route("/api/v1/verify", verify, methods=["GET"]),
]


def _query(name: str, description: str, schema: dict[str, Any]) -> dict[str, Any]:
    return {
        "name": name,
        "in": "query",
        "required": False,
        "description": description,
        "schema": schema,
    }


def _operation(
    summary: str, scope: str, parameters: list[dict[str, Any]], tag: str
) -> dict[str, Any]:
    return {
        "tags": [tag],
        "summary": summary,
        "x-required-scope": scope,
        "parameters": parameters,
        "responses": {
            "200": {
                "description": "Successful Response",
                "content": {"application/json": {"schema": {"type": "object"}}},
            },
            **{
                str(status): {
                    "description": entry["description"],
                    "content": {
                        "application/json": {"schema": {"$ref": "#/components/schemas/ErrorBody"}}
                    },
                }
                for status, entry in error_responses(400, 401, 403, 404, 429).items()
            },
        },
    }


OPENAPI_PATHS: dict[str, dict[str, Any]] = {
    "/api/v1/certificates/{certificate_id}/status": {
        "get": _operation(
            "A certificate's current status (certificates:read; the sandbox needs no key)",
            "certificates:read (none for cer_test_synthetic)",
            [
                {
                    "name": "certificate_id",
                    "in": "path",
                    "required": True,
                    "schema": {"type": "string"},
                    "description": "ID (cer_…) or number (SS-…)",
                },
                _query(
                    "no_cache",
                    "answer fresh, with Cache-Control: no-store",
                    {"type": "boolean", "default": False},
                ),
            ],
            "certificates",
        )
    },
    "/api/v1/verify": {
        "get": _operation(
            "Verify by certificate number, SHA-256 or ISRC (verify:read)",
            "verify:read",
            [
                _query(
                    "certificate_number",
                    "e.g. SS-2026-XXXXXXXX",
                    {"type": "string", "maxLength": 32},
                ),
                _query(
                    "sha256",
                    "64-char hex SHA-256 of the audio file",
                    {"type": "string", "maxLength": 64},
                ),
                _query("isrc", "ISRC (hyphens allowed)", {"type": "string", "maxLength": 20}),
            ],
            "verification",
        )
    },
}
