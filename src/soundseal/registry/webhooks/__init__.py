"""Webhooks: signed deliveries of the events outbox to each workspace's endpoints."""
