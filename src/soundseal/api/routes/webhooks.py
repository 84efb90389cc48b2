"""`/api/v1/webhooks`: endpoints (as the Audiverify doc has them), their deliveries,
redelivery and test events. Secret keys only; a key sees its own mode's endpoints."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request
from starlette.responses import Response

from soundseal.api.auth import require_scope
from soundseal.api.idempotency import secret_fields
from soundseal.api.responses import render
from soundseal.api.responses_webhooks import (
    DeliveryAnswer,
    DeliveryPageOut,
    WebhookCreated,
    WebhookDeleted,
    WebhookList,
    WebhookUpdated,
)
from soundseal.api.schemas import WebhookCreate, WebhookUpdate, error_responses
from soundseal.errors import InvalidInput
from soundseal.http.context import get_context, transaction
from soundseal.registry.events.types import EVENT_TYPES
from soundseal.registry.keys.services import Principal
from soundseal.registry.webhooks import services as webhooks
from soundseal.registry.webhooks.models import WebhookEndpoint
from soundseal.registry.webhooks.views import delivery_view, endpoint_view

router = APIRouter(prefix="/api/v1/webhooks", tags=["webhooks"])

_READ_ERRORS = error_responses(400, 401, 403, 404, 429)
_WRITE_ERRORS = error_responses(400, 401, 403, 404, 409, 422, 429)
_ID = Annotated[str, Query(min_length=1, max_length=40, description="The webhook's ID")]
_SAVE = "Save the secret - it will not be shown again."


def _read() -> Any:
    return require_scope("webhooks:read", secret_only=True)


def _manage() -> Any:
    return require_scope("webhooks:manage", secret_only=True)


def _owned(session: Any, principal: Principal, webhook_id: str) -> WebhookEndpoint:
    return webhooks.get_endpoint(
        session, account_id=principal.account_id, mode=principal.mode, endpoint_id=webhook_id
    )


@router.get(
    "",
    response_model=WebhookList,
    summary="List webhook endpoints (webhooks:read)",
    responses=_READ_ERRORS,
)
def list_webhooks(request: Request, principal: Principal = _read()) -> Response:
    with transaction(request, write=False) as session:
        items = webhooks.list_endpoints(
            session, account_id=principal.account_id, mode=principal.mode
        )
        views = [endpoint_view(e) for e in items]
    return render(WebhookList, {"webhooks": views, "available_events": list(EVENT_TYPES)})


@router.post(
    "",
    status_code=201,
    response_model=WebhookCreated,
    summary="Create a webhook endpoint; its secret is shown only now (webhooks:manage)",
    description="An Idempotency-Key replay returns `webhook.secret` as null: the secret is "
    "never stored with the replayable response.",
    responses=_WRITE_ERRORS,
    openapi_extra=secret_fields("webhook.secret"),
)
def create_webhook(
    body: WebhookCreate, request: Request, principal: Principal = _manage()
) -> Response:
    allow_private = get_context(request).settings.webhook_allow_private
    with transaction(request, write=True) as session:
        endpoint = webhooks.create_endpoint(
            session,
            account_id=principal.account_id,
            mode=principal.mode,
            url=body.url,
            events=body.events,
            description=body.description,
            allow_private=allow_private,
        )
        view = {**endpoint_view(endpoint), "secret": endpoint.secret}
    return render(
        WebhookCreated,
        {"success": True, "webhook": view, "message": f"Webhook created. {_SAVE}"},
        status_code=201,
    )


def _change(body: WebhookUpdate | None, query: dict[str, Any]) -> webhooks.Update:
    """The update, from query parameters (as the partner doc shows them) or from a JSON body.

    One or the other: a field in both places, or fields split between them, is refused
    rather than merged by a rule the caller would have to guess.
    """
    in_query = {name: value for name, value in query.items() if value is not None}
    in_body = body.model_fields_set if body is not None else set()
    if in_query and in_body:
        both = sorted(in_body & set(in_query)) or sorted(in_query)
        raise InvalidInput(
            f"Send the update as query parameters or as a JSON body, not both "
            f"('{both[0]}' is a query parameter and the body has {', '.join(sorted(in_body))})",
            field=both[0],
        )
    if in_query:
        events = in_query.get("events")
        if events is not None:
            # `events=a&events=b` or `events=a,b`: both are common ways to send a list.
            in_query["events"] = [
                e for item in events for e in (part.strip() for part in item.split(",")) if e
            ]
        return webhooks.Update(**in_query)
    body = body or WebhookUpdate()
    return webhooks.Update(
        url=body.url,
        events=body.events,
        is_active=body.is_active,
        rotate_secret=body.rotate_secret,
        description=body.description,
    )


@router.patch(
    "",
    response_model=WebhookUpdated,
    summary="Update a webhook: rotate its secret, URL, active state, events (webhooks:manage)",
    description="The fields come as query parameters (`?id=…&is_active=false`, as the partner "
    "doc shows) or as a JSON body, not both. `is_active: true` re-enables a disabled webhook, "
    "resets its failure count and re-queues its dead-lettered deliveries. An Idempotency-Key "
    "replay of a rotation returns `new_secret` as null.",
    responses=_WRITE_ERRORS,
    openapi_extra=secret_fields("new_secret"),
)
def update_webhook(
    request: Request,
    id: _ID,
    body: WebhookUpdate | None = None,
    rotate_secret: Annotated[
        bool | None, Query(description="A new secret (the old one stops working at once)")
    ] = None,
    url: Annotated[str | None, Query(min_length=1, max_length=2048)] = None,
    is_active: Annotated[
        bool | None, Query(description="true re-enables (and re-queues dead-lettered deliveries)")
    ] = None,
    events: Annotated[
        list[str] | None,
        Query(max_length=50, description="Event types: repeated, or comma-separated"),
    ] = None,
    description: Annotated[str | None, Query(max_length=500)] = None,
    principal: Principal = _manage(),
) -> Response:
    allow_private = get_context(request).settings.webhook_allow_private
    change = _change(
        body,
        {
            "rotate_secret": rotate_secret,
            "url": url,
            "is_active": is_active,
            "events": events,
            "description": description,
        },
    )
    with transaction(request, write=True) as session:
        endpoint = webhooks.get_endpoint(
            session,
            account_id=principal.account_id,
            mode=principal.mode,
            endpoint_id=id,
            lock=True,
        )
        updated = webhooks.update_endpoint(session, endpoint, change, allow_private=allow_private)
        out: dict[str, Any] = {
            "success": True,
            "message": "Webhook updated",
            "updated_fields": updated,
            "webhook": endpoint_view(endpoint),
        }
        if change.rotate_secret:
            out["new_secret"] = endpoint.secret
            out["warning"] = "Save this secret now. It will not be shown again."
    return render(WebhookUpdated, out)


@router.delete(
    "",
    response_model=WebhookDeleted,
    summary="Delete a webhook endpoint (webhooks:manage)",
    responses=_WRITE_ERRORS,
)
def delete_webhook(request: Request, id: _ID, principal: Principal = _manage()) -> Response:
    with transaction(request, write=True) as session:
        webhooks.delete_endpoint(session, _owned(session, principal, id))
    return render(WebhookDeleted, {"success": True, "message": "Webhook deleted"})


@router.get(
    "/{webhook_id}/deliveries",
    response_model=DeliveryPageOut,
    summary="A webhook's deliveries, newest first (webhooks:read)",
    description="Attempts, the last status code, latency and error, and when the next retry "
    "is due. Page with `cursor` = the previous page's `next_cursor`.",
    responses=_READ_ERRORS,
)
def list_deliveries(
    webhook_id: str,
    request: Request,
    principal: Principal = _read(),
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    cursor: Annotated[str | None, Query(max_length=40, pattern="^whd_")] = None,
    status: Annotated[Literal["pending", "succeeded", "dead"] | None, Query()] = None,
) -> Response:
    if status is not None and status not in ("pending", "succeeded", "dead"):
        raise InvalidInput("status must be pending, succeeded or dead", field="status")
    if cursor is not None and not cursor.startswith("whd_"):
        raise InvalidInput("cursor must be a delivery ID (whd_…)", field="cursor")
    with transaction(request, write=False) as session:
        endpoint = _owned(session, principal, webhook_id)
        rows, types = webhooks.list_deliveries(
            session, endpoint, limit=limit + 1, before=cursor, status=status
        )
        has_more = len(rows) > limit
        rows = rows[:limit]
        items = [delivery_view(d, types[d.id]) for d in rows]
    return render(
        DeliveryPageOut,
        {
            "deliveries": items,
            "pagination": {
                "limit": limit,
                "has_more": has_more,
                "next_cursor": rows[-1].id if has_more else None,
            },
        },
    )


@router.post(
    "/{webhook_id}/deliveries/{delivery_id}/redeliver",
    status_code=202,
    response_model=DeliveryAnswer,
    summary="Send a delivery's event again, as a new delivery (webhooks:manage)",
    responses=_WRITE_ERRORS,
)
def redeliver(
    webhook_id: str, delivery_id: str, request: Request, principal: Principal = _manage()
) -> Response:
    with transaction(request, write=True) as session:
        endpoint = _owned(session, principal, webhook_id)
        delivery = webhooks.redeliver(session, endpoint, delivery_id)
        view = delivery_view(delivery, webhooks.event_type_of(session, delivery))
    return render(DeliveryAnswer, {"success": True, "delivery": view}, status_code=202)


@router.post(
    "/{webhook_id}/test",
    status_code=202,
    response_model=DeliveryAnswer,
    summary="Send a webhook.test event to this webhook (webhooks:manage)",
    responses=_WRITE_ERRORS,
)
def send_test(webhook_id: str, request: Request, principal: Principal = _manage()) -> Response:
    with transaction(request, write=True) as session:
        endpoint = _owned(session, principal, webhook_id)
        delivery = webhooks.send_test_event(session, endpoint)
        view = delivery_view(delivery, webhooks.TEST_EVENT_TYPE)
    return render(DeliveryAnswer, {"success": True, "delivery": view}, status_code=202)
