"""The transparency logs over HTTP: C2SP tlog-tiles under `/log/<mode>/`, and JSON proofs.

`GET /log/<mode>/checkpoint` and the tiles are the logs' C2SP interface, outside `/api/v1`
because their paths are the specification's: a tlog-tiles client is pointed at
`<public URL>/log/<mode>` and finds everything below it. Full tiles never change and are
cached for a year; a partial tile is a prefix of a tile still filling, cached briefly; the
checkpoint is signed on each read, at the log's size then. The JSON endpoints under
`/api/v1/log/` give the same proofs to clients that do not read tiles.

Beside the C2SP reads: witnesses hand in cosignatures of the log's checkpoints (`POST
/log/<mode>/cosignature`, authenticated by the cosignature itself), the largest cosigned
checkpoint is served with them (`/log/<mode>/checkpoint/witnessed`), and a platform starting
cold reads the signed set of revoked IDs at a size (`/log/<mode>/revocations`). See
`registry.log.witnesses` and `docs/trust.md`.

The live log is public, as a transparency log must be. The test log holds test-mode
statements, which only test-mode keys read anywhere else, so it needs a test-mode key; a
live key is told it does not exist, as for a test certificate.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request, Response
from starlette.concurrency import run_in_threadpool

from soundseal.api.auth import mark_key_check, resolve_principal
from soundseal.api.responses_log import (
    ConsistencyProofBody,
    CosignatureStored,
    InclusionProofBody,
    LogState,
)
from soundseal.api.schemas import MAX_INT32, error_responses
from soundseal.errors import NotFound, Unauthorized
from soundseal.http.context import get_context, transaction
from soundseal.registry.log import services as log
from soundseal.registry.log import witnesses
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


def _mode_in_path(path: str) -> str | None:
    """The mode a `/log/<mode>/…` path names: a POST's checks run before routing (before its
    body is read, `soundseal.http.edge`), when no path parameter is parsed yet."""
    parts = path.split("/")
    return parts[2] if len(parts) > 2 and parts[1] == "log" else None


async def _log_reader(request: Request) -> None:
    """Refuse a caller who may not read the log the path names (see the module docstring)."""
    mode = request.path_params.get("mode", _mode_in_path(request.scope["path"]))
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


async def _cosignature_sender(request: Request) -> None:
    """The reader's rule for the log the path names; not CORS-open: witnesses are servers,
    and no page has a reason to hand in cosignatures."""
    await _log_reader(request)


mark_key_check(
    _cosignature_sender,
    "none (the cosignature is the authentication; the test log needs a test key)",
    publishable=False,
)
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


@router.post(
    "/log/{mode}/cosignature",
    summary="Hand in a witness's cosignature of one of the log's checkpoints",
    description=(
        "The body (text/plain) is a signed note: the checkpoint's text, a blank line, and the "
        "witness's cosignature line (C2SP tlog-cosignature, cosignature/v1); the log's own "
        "signature lines may stay. No API key: the cosignature is the authentication. It is "
        "kept when its key is one of SOUNDSEAL_WITNESS_KEYS (else 403), it verifies (else 400 "
        "`invalid_signature`), and the checkpoint is the one this log signs at that size "
        "(else 409 `checkpoint_mismatch`)."
    ),
    response_model=CosignatureStored,
    dependencies=[Depends(_cosignature_sender)],
    openapi_extra={
        **_KEYLESS,
        "requestBody": {"required": True, "content": _TEXT},
    },
    responses=error_responses(400, 401, 403, 404, 409, 413, 429),
)
async def add_cosignature(request: Request, mode: LogMode) -> CosignatureStored:
    context = get_context(request)
    body = await request.body()

    def store() -> witnesses.StoredCosignature:
        with transaction(request, write=True) as session:
            return witnesses.add_cosignature(
                session, context.notary, context.settings.witness_verifiers, mode, body
            )

    stored = await run_in_threadpool(store)
    return CosignatureStored(
        mode=stored.mode,
        origin=stored.origin,
        size=stored.size,
        witness=stored.witness,
        timestamp=stored.timestamp,
        cosignatures=stored.cosignatures,
    )


@router.get(
    "/log/{mode}/checkpoint/witnessed",
    summary="The largest checkpoint witnesses cosigned, with the log's signature and theirs",
    response_class=Response,
    dependencies=_READER,
    openapi_extra=_KEYLESS,
    responses={200: {"content": _TEXT, "description": "The cosigned note"}, **_ERRORS},
)
def witnessed_checkpoint(request: Request, mode: LogMode) -> Response:
    context = get_context(request)
    with transaction(request, write=False) as session:
        note = witnesses.witnessed_checkpoint(
            session, context.notary, context.settings.witness_verifiers, mode
        )
    return Response(
        note, media_type="text/plain; charset=utf-8", headers={"Cache-Control": "no-cache"}
    )


@router.get(
    "/log/{mode}/revocations",
    summary="The revoked certificate IDs at a tree size, signed by the log key",
    description=(
        "A signed note (soundseal/revocations/v1): the origin, the tree size, its root, then "
        "the sorted IDs of every certificate the log's first `size` entries revoke (default: "
        "the log's current size). A platform starting cold verifies it, then reads the log's "
        "entries from that size on."
    ),
    response_class=Response,
    dependencies=_READER,
    openapi_extra=_KEYLESS,
    responses={200: {"content": _TEXT, "description": "The signed snapshot"}, **_ERRORS},
)
def revocations(
    request: Request,
    mode: LogMode,
    size: Annotated[int | None, Query(ge=0, le=MAX_INT32)] = None,
) -> Response:
    notary = get_context(request).notary
    with transaction(request, write=False) as session:
        note = witnesses.revocation_snapshot(session, notary, mode, size)
    # The snapshot of a given size changes only when the signing key does.
    cache = "no-cache" if size is None else _cache(mode, _PARTIAL)
    return Response(note, media_type="text/plain; charset=utf-8", headers={"Cache-Control": cache})


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
