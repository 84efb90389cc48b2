"""Response bodies of webhook endpoints and their deliveries."""

from __future__ import annotations

from pydantic import Field

from soundseal.api.responses import Count, Timestamp, _Out

__all__ = [
    "DeliveryAnswer",
    "DeliveryPageOut",
    "WebhookCreated",
    "WebhookDeleted",
    "WebhookList",
    "WebhookUpdated",
]

_SHOWN_ONCE = "shown only in this answer; null in an Idempotency-Key replay"


class WebhookStats(_Out):
    success_count: Count
    failure_count: Count


class WebhookOut(_Out):
    """An endpoint; its secret is never part of it."""

    id: str
    url: str
    description: str | None
    events: list[str]
    is_active: bool
    disabled_reason: str | None
    livemode: bool
    stats: WebhookStats
    created_at: Timestamp
    updated_at: Timestamp


class WebhookList(_Out):
    webhooks: list[WebhookOut]
    available_events: list[str]


class NewWebhook(WebhookOut):
    secret: str | None = Field(description=_SHOWN_ONCE)


class WebhookCreated(_Out):
    success: bool
    webhook: NewWebhook
    message: str


class WebhookUpdated(_Out):
    """`new_secret` and `warning` only when the secret was rotated."""

    success: bool
    message: str
    updated_fields: list[str]
    webhook: WebhookOut
    new_secret: str | None = Field(default=None, description=_SHOWN_ONCE)
    warning: str | None = None


class WebhookDeleted(_Out):
    success: bool
    message: str


class DeliveryOut(_Out):
    id: str
    webhook_id: str
    event_id: str
    event: str = Field(description="the event's type")
    status: str = Field(description="pending, succeeded or dead")
    attempts: Count
    last_status_code: int | None = Field(ge=0, le=999)
    last_latency_ms: Count | None
    last_error: str | None
    last_attempt_at: Timestamp | None
    next_attempt_at: Timestamp | None = Field(description="only while pending")
    delivered_at: Timestamp | None
    created_at: Timestamp


class DeliveryPagination(_Out):
    limit: Count
    has_more: bool
    next_cursor: str | None


class DeliveryPageOut(_Out):
    deliveries: list[DeliveryOut]
    pagination: DeliveryPagination


class DeliveryAnswer(_Out):
    success: bool
    delivery: DeliveryOut
