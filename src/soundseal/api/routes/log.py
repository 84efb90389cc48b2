"""The transparency logs over HTTP: C2SP tlog-tiles under `/log/<mode>/`, and JSON proofs.

`GET /log/<mode>/checkpoint` and the tiles are the logs' C2SP interface, outside `/api/v1`
because their paths are the specification's: a tlog-tiles client is pointed at
`<public URL>/log/<mode>` and finds everything below it. Full tiles never change and are
cached for a year; a partial tile is a prefix of a tile still filling, cached briefly; the
checkpoint is signed on each read, at the log's size then. The JSON endpoints under
`/api/v1/log/` give the same proofs to clients that do not read tiles.

The live log is public, as a transparency log must be. The test log holds test-mode
statements, which only test-mode keys read anywhere else, so it needs a test-mode key; a
live key is told it does not exist, as for a test certificate.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request, Response

from soundseal.api.auth import mark_key_check, resolve_principal
from soundseal.api.responses_log import ConsistencyProofBody, InclusionProofBody, LogState
from soundseal.api.schemas import MAX_INT32, error_responses
from soundseal.errors import NotFound, Unauthorized
from soundseal.http.context import get_context, transaction
from soundseal.registry.log import services as log
from soundseal.registry.log.views import consistency_view, inclusion_view, log_view
from soundseal.transparency.tiles import ENTRIES, TILE_WIDTH, parse_tile_path
from soundseal.transparency.tree_errors import TilePathError

__all__ = ["router"]

router = APIRouter(tags=["transparency log"])

_MODES = ("live", "test")
_IMMUTABLE = "public, max-age=31536000, immutable"
_PARTIAL = "public, max-age=60"
_OCTETS = {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}}
_TEXT = {"text/plain": {"schema": {"type": "string"}}}
_ERRORS = error_responses(400, 401, 404, 429)


async def _log_reader(request: Request) -> None:
    """Refuse a caller who may not read the log the path names (see the module docstring)."""
    mode = request.path_params.get("mode")
    principal = await resolve_principal(request)
    if mode not in _MODES:
        raise NotFound(f"No log {str(mode)[:20]!r}: the logs are live and test")
    if mode == "test":
        if principal is None:
            raise Unauthorized("The test log is read with a test-mode key")
        if principal.mode != "test":
            raise NotFound("No test log for a live-mode key")


mark_key_check(
    _log_reader, "none (the live log is public; the test log needs a test key)", publishable=True
)
_READER = [Depends(_log_reader)]
# The live log takes no key; the test log's key is checked by `_log_reader`, not by a scheme
# every client must present.
_KEYLESS: dict[str, Any] = {"security": []}
LogMode = Annotated[str, Path(description="live or test", json_schema_extra={"enum": list(_MODES)})]


def _cache(mode: str, public: str) -> str:
    return public if mode == "live" else "private, no-cache"


@router.get(
    "/log/{mode}/checkpoint",
    summary="The log's current signed checkpoint (C2SP tlog-checkpoint)",
    response_class=Response,
    dependencies=_READER,
    openapi_extra=_KEYLESS,
    responses={200: {"content": _TEXT, "description": "The signed note"}, **_ERRORS},
)
def checkpoint(request: Request, mode: LogMode) -> Response:
    notary = get_context(request).notary
    with transaction(request, write=False) as session:
        signed = log.current_checkpoint(session, notary, mode)
    return Response(
        signed.text, media_type="text/plain; charset=utf-8", headers={"Cache-Control": "no-cache"}
    )


@router.get(
    "/log/{mode}/tile/{tile_path:path}",
    summary="A hash tile or entry bundle (C2SP tlog-tiles): tile/<L>/<N>[.p/<W>], "
    "tile/entries/<N>[.p/<W>]",
    response_class=Response,
    dependencies=_READER,
    openapi_extra=_KEYLESS,
    responses={200: {"content": _OCTETS, "description": "The tile's bytes"}, **_ERRORS},
)
def tile(request: Request, mode: LogMode, tile_path: str) -> Response:
    try:
        address = parse_tile_path(f"tile/{tile_path}")
    except TilePathError as exc:
        raise NotFound(f"Not a tile path: {exc}") from None
    with transaction(request, write=False) as session:
        if address.level == ENTRIES:
            body = log.entry_bundle(session, mode, address)
        else:
            body = log.hash_tile(session, mode, address)
    full = address.width == TILE_WIDTH
    return Response(
        body,
        media_type="application/octet-stream",
        headers={"Cache-Control": _cache(mode, _IMMUTABLE if full else _PARTIAL)},
    )


@router.get(
    "/api/v1/log/{mode}",
    summary="The log's size, root and signed checkpoint, and the key that signs it",
    response_model=LogState,
    dependencies=_READER,
    openapi_extra=_KEYLESS,
    responses=_ERRORS,
)
def log_state(request: Request, response: Response, mode: LogMode) -> LogState:
    notary = get_context(request).notary
    with transaction(request, write=False) as session:
        view = log_view(notary, mode, log.current_checkpoint(session, notary, mode))
    response.headers["Cache-Control"] = "no-cache"
    return LogState.model_validate(view)


@router.get(
    "/api/v1/log/{mode}/inclusion",
    summary="An inclusion proof of entry `index` in the tree of `tree_size` entries",
    response_model=InclusionProofBody,
    dependencies=_READER,
    openapi_extra=_KEYLESS,
    responses=_ERRORS,
)
def inclusion(
    request: Request,
    response: Response,
    mode: LogMode,
    index: Annotated[int, Query(ge=0, le=MAX_INT32)],
    tree_size: Annotated[int, Query(ge=1, le=MAX_INT32)],
) -> InclusionProofBody:
    with transaction(request, write=False) as session:
        proof = log.inclusion(session, mode, index=index, tree_size=tree_size)
    # A proof between two given sizes never changes.
    response.headers["Cache-Control"] = _cache(mode, _IMMUTABLE)
    return InclusionProofBody.model_validate(inclusion_view(proof))


@router.get(
    "/api/v1/log/{mode}/consistency",
    summary="A consistency proof from the tree of `first` entries to that of `second`",
    response_model=ConsistencyProofBody,
    dependencies=_READER,
    openapi_extra=_KEYLESS,
    responses=_ERRORS,
)
def consistency(
    request: Request,
    response: Response,
    mode: LogMode,
    first: Annotated[int, Query(ge=1, le=MAX_INT32)],
    second: Annotated[int, Query(ge=1, le=MAX_INT32)],
) -> ConsistencyProofBody:
    with transaction(request, write=False) as session:
        proof = log.consistency(session, mode, first=first, second=second)
    response.headers["Cache-Control"] = _cache(mode, _IMMUTABLE)
    return ConsistencyProofBody.model_validate(consistency_view(proof))
