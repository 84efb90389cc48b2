"""The dashboard's webhooks (part of "API & Webhooks"): create, edit, rotate the secret,
send a test event, read the deliveries and queue one again.

The same registry services as `/api/v1/webhooks`, scoped to the signed-in workspace and the
chosen mode; a secret appears only in the response that created or rotated it.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from soundseal.errors import InvalidInput
from soundseal.http.context import get_context, transaction
from soundseal.registry.events.types import EVENT_TYPES
from soundseal.registry.logins.services import SignedIn
from soundseal.registry.webhooks import services as webhooks
from soundseal.registry.webhooks.models import WebhookEndpoint
from soundseal.registry.webhooks.views import delivery_view
from soundseal.web.dashboard_pages import FormText, dashboard_page, mode_of
from soundseal.web.sessions import check_csrf, form_checks, require_user

router = APIRouter(
    prefix="/dashboard/webhooks", include_in_schema=False, dependencies=[form_checks(session=True)]
)

Events = Annotated[list[str] | None, Form()]
DELIVERIES_SHOWN = 50


def _endpoint(session: Session, user: SignedIn, webhook_id: str) -> WebhookEndpoint:
    # The mode is the endpoint's own: its ID says which, and the workspace must own it.
    mode = "test" if webhook_id.startswith("wh_test_") else "live"
    return webhooks.get_endpoint(
        session, account_id=user.account_id, mode=mode, endpoint_id=webhook_id
    )


def _list_page(
    request: Request,
    user: SignedIn,
    mode: str,
    *,
    created: WebhookEndpoint | None = None,
    error: str | None = None,
    status: int = 200,
) -> Response:
    with transaction(request, write=False) as session:
        items = webhooks.list_endpoints(session, account_id=user.account_id, mode=mode)
    return dashboard_page(
        request,
        "dashboard/webhooks.html",
        user,
        section="keys",
        mode=mode,
        webhooks=items,
        event_types=EVENT_TYPES,
        created=created,
        error=error,
        status_code=status,
    )


@router.get("")
def webhooks_page(request: Request, mode: str = "live") -> Response:
    return _list_page(request, require_user(request), mode_of(mode))


@router.post("")
def webhook_create(
    request: Request,
    csrf_token: FormText = "",
    mode: FormText = "live",
    url: FormText = "",
    description: FormText = "",
    events: Events = None,
) -> Response:
    user = require_user(request)
    check_csrf(request, csrf_token)
    mode = mode_of(mode)
    try:
        with transaction(request, write=True) as session:
            created = webhooks.create_endpoint(
                session,
                account_id=user.account_id,
                mode=mode,
                url=url.strip(),
                events=events or [],
                description=description.strip()[:500] or None,
                allow_private=get_context(request).settings.webhook_allow_private,
            )
    except InvalidInput as exc:
        return _list_page(request, user, mode, error=exc.message, status=exc.code.status)
    return _list_page(request, user, mode, created=created)


def _detail_page(
    request: Request,
    user: SignedIn,
    webhook_id: str,
    *,
    new_secret: str | None = None,
    error: str | None = None,
    status: int = 200,
) -> Response:
    with transaction(request, write=False) as session:
        endpoint = _endpoint(session, user, webhook_id)
        rows, types = webhooks.list_deliveries(session, endpoint, limit=DELIVERIES_SHOWN)
        deliveries: list[dict[str, Any]] = [delivery_view(d, types[d.id]) for d in rows]
    return dashboard_page(
        request,
        "dashboard/webhook.html",
        user,
        section="keys",
        mode=endpoint.mode,
        webhook=endpoint,
        deliveries=deliveries,
        event_types=EVENT_TYPES,
        new_secret=new_secret,
        error=error,
        status_code=status,
    )


@router.get("/{webhook_id}")
def webhook_detail(webhook_id: str, request: Request) -> Response:
    return _detail_page(request, require_user(request), webhook_id)


@router.post("/{webhook_id}")
def webhook_edit(
    webhook_id: str,
    request: Request,
    csrf_token: FormText = "",
    url: FormText = "",
    description: FormText = "",
    is_active: FormText = "",
    events: Events = None,
) -> Response:
    user = require_user(request)
    check_csrf(request, csrf_token)
    change = webhooks.Update(
        url=url.strip(),
        events=events or [],
        is_active=is_active == "on",
        description=description.strip()[:500],
    )
    try:
        with transaction(request, write=True) as session:
            endpoint = _endpoint(session, user, webhook_id)
            allow_private = get_context(request).settings.webhook_allow_private
            webhooks.update_endpoint(session, endpoint, change, allow_private=allow_private)
    except InvalidInput as exc:
        return _detail_page(request, user, webhook_id, error=exc.message, status=exc.code.status)
    return RedirectResponse(f"/dashboard/webhooks/{webhook_id}?done=webhook_updated", 303)


@router.post("/{webhook_id}/rotate")
def webhook_rotate(webhook_id: str, request: Request, csrf_token: FormText = "") -> Response:
    user = require_user(request)
    check_csrf(request, csrf_token)
    with transaction(request, write=True) as session:
        endpoint = _endpoint(session, user, webhook_id)
        allow_private = get_context(request).settings.webhook_allow_private
        change = webhooks.Update(rotate_secret=True)
        webhooks.update_endpoint(session, endpoint, change, allow_private=allow_private)
        secret = endpoint.secret
    # Rendered, not redirected to: the new secret is in this response only.
    return _detail_page(request, user, webhook_id, new_secret=secret)


@router.post("/{webhook_id}/test")
def webhook_test(webhook_id: str, request: Request, csrf_token: FormText = "") -> Response:
    user = require_user(request)
    check_csrf(request, csrf_token)
    with transaction(request, write=True) as session:
        webhooks.send_test_event(session, _endpoint(session, user, webhook_id))
    return RedirectResponse(f"/dashboard/webhooks/{webhook_id}?done=webhook_tested", 303)


@router.post("/{webhook_id}/delete")
def webhook_delete(webhook_id: str, request: Request, csrf_token: FormText = "") -> Response:
    user = require_user(request)
    check_csrf(request, csrf_token)
    with transaction(request, write=True) as session:
        endpoint = _endpoint(session, user, webhook_id)
        mode = endpoint.mode
        webhooks.delete_endpoint(session, endpoint)
    query = "?mode=test&" if mode == "test" else "?"
    return RedirectResponse(f"/dashboard/webhooks{query}done=webhook_deleted", 303)


@router.post("/{webhook_id}/deliveries/{delivery_id}/redeliver")
def webhook_redeliver(
    webhook_id: str, delivery_id: str, request: Request, csrf_token: FormText = ""
) -> Response:
    user = require_user(request)
    check_csrf(request, csrf_token)
    with transaction(request, write=True) as session:
        webhooks.redeliver(session, _endpoint(session, user, webhook_id), delivery_id)
    return RedirectResponse(f"/dashboard/webhooks/{webhook_id}?done=redelivered", 303)
