"""The operations platforms poll for every track they show: certificate status and
verification.

For these, FastAPI's per-request machinery (solving dependencies, validating each declared
parameter with fresh introspection of its annotation) cost more than the database read
behind them. They are FastAPI operations all the same — routed, documented and answered
like every other — with two differences: their route (`PolledRoute`) hands the request
straight to an endpoint that takes nothing else, and they declare their query parameters
as one pydantic model, which the OpenAPI document lists (`parameters`) and the endpoint
validates in one call (`parse`). A refusal is FastAPI's own `RequestValidationError`, so it
reads exactly like every other operation's. Authentication, scopes, rate limits and errors
are the same code as everywhere else, called by the endpoint.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar, cast

from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute
from pydantic import BaseModel, ConfigDict, ValidationError
from starlette.requests import Request
from starlette.routing import request_response

__all__ = ["PolledRoute", "QueryModel", "parameters", "parse"]

Q = TypeVar("Q", bound="QueryModel")


class QueryModel(BaseModel):
    """Parameters of a query string; ones it does not name are ignored, as FastAPI does."""

    model_config = ConfigDict(extra="ignore", frozen=True)


def parameters(model: type[QueryModel], *path: str) -> dict[str, Any]:
    """`openapi_extra` for an operation taking `model`'s fields in its query (and the named
    path parameters, which are strings)."""
    schema = model.model_json_schema()
    required = set(schema.get("required", ()))
    listed: list[dict[str, Any]] = [
        {"name": name, "in": "path", "required": True, "schema": {"type": "string"}}
        for name in path
    ]
    for name, field in schema["properties"].items():
        field = dict(field)
        description = field.pop("description", None)
        field.pop("title", None)
        entry: dict[str, Any] = {
            "name": name,
            "in": "query",
            "required": name in required,
            "schema": field,
        }
        if description:
            entry["description"] = description
        listed.append(entry)
    return {"parameters": listed}


@functools.cache
def _defaults(model: type[QueryModel]) -> QueryModel:
    return model()


def parse(model: type[Q], request: Request) -> Q:
    """The request's query string as `model`."""
    if not request.scope.get("query_string"):
        # No parameters given (a status poll, most often): the model's defaults, made once.
        return cast(Q, _defaults(model))
    try:
        return model.model_validate(request.query_params)
    except ValidationError as exc:
        errors = [{**error, "loc": ("query", *error["loc"])} for error in exc.errors()]
        raise RequestValidationError(errors) from exc


class PolledRoute(APIRoute):
    """A route whose endpoint takes the request and nothing else, and is handed it as is:
    no dependencies to solve, no parameters to validate one by one, and none of the
    per-request cleanup stacks that dependencies with `yield` need (there are none)."""

    def __init__(self, path: str, endpoint: Callable[..., Any], **kwargs: Any) -> None:
        super().__init__(path, endpoint, **kwargs)
        dependant = self.dependant
        declared = (
            dependant.path_params,
            dependant.query_params,
            dependant.header_params,
            dependant.cookie_params,
            dependant.body_params,
            dependant.dependencies,
        )
        if any(declared):
            raise TypeError(f"{path}: a polled endpoint takes only the request")
        self.app = request_response(endpoint)
