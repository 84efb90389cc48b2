"""Billing: API tiers and their monthly quotas, and applying what Stripe says was paid."""
