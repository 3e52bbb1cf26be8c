"""A stateful Stripe-compatible server: Connect accounts, Account Links with an onboarding page, Checkout
Sessions with a hosted checkout page, PaymentIntents, Charges, Refunds, signed webhooks and an admin API.

Entry points live in :mod:`myapprentice_app.sandbox.stripe.server` (``serve`` and ``create_app``).
"""
