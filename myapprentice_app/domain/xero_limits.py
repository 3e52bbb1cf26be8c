"""Xero's limits per organisation: the sync engine keeps to them, the sync board estimates from them."""

MINUTE_LIMIT = 60  # calls a minute
CONCURRENT = 5  # calls at a time
BATCH = 50  # invoices in one request
