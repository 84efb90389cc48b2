"""How endpoints and deliveries are shown. The secret is never part of a view."""

from __future__ import annotations

from typing import Any

from soundseal.registry.certificates.views import iso
from soundseal.registry.webhooks.models import WebhookDelivery, WebhookEndpoint

__all__ = ["delivery_view", "endpoint_view"]


def endpoint_view(endpoint: WebhookEndpoint) -> dict[str, Any]:
    return {
        "id": endpoint.id,
        "url": endpoint.url,
        "description": endpoint.description,
        "events": list(endpoint.events),
        "is_active": endpoint.is_active,
        "disabled_reason": endpoint.disabled_reason,
        "livemode": endpoint.mode == "live",
        "stats": {
            "success_count": endpoint.success_count,
            "failure_count": endpoint.failure_count,
        },
        "created_at": iso(endpoint.created_at),
        "updated_at": iso(endpoint.updated_at),
    }


def delivery_view(delivery: WebhookDelivery, event_type: str) -> dict[str, Any]:
    return {
        "id": delivery.id,
        "webhook_id": delivery.endpoint_id,
        "event_id": delivery.event_id,
        "event": event_type,
        "status": delivery.status,
        "attempts": delivery.attempts,
        "last_status_code": delivery.last_status_code,
        "last_latency_ms": delivery.last_latency_ms,
        "last_error": delivery.last_error,
        "last_attempt_at": iso(delivery.last_attempt_at),
        "next_attempt_at": iso(delivery.next_attempt_at) if delivery.status == "pending" else None,
        "delivered_at": iso(delivery.delivered_at),
        "created_at": iso(delivery.created_at),
    }
