"""Payments: what soundseal sells (from settings) and Stripe Checkout, behind one interface.

Nothing here decides what a payment *does* to a workspace; that is
`soundseal.registry.billing.services.apply_payment`, fed by the verified Stripe webhook.
"""
