"""A stateful Xero-compatible server: OAuth consent, Identity, Accounting, webhooks and an admin API.

Entry points live in :mod:`myapprentice_app.sandbox.xero.server` (``serve`` and ``create_app``).
"""
