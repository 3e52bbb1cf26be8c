"""Xero's limits per organisation, which the sync engine keeps to."""

MINUTE_LIMIT = 60  # calls a minute
CONCURRENT = 5  # calls at a time
BATCH = 50  # invoices in one request
