"""Xero's limits per organisation, which the sync engine keeps to."""

MINUTE_LIMIT = 60  # calls a minute
CONCURRENT = 5  # calls at a time
BATCH = 50  # invoices in one request
DAY_SECONDS = 86_400.0  # Xero's day: a quota it reported longer ago than this has been reset since


def invoices_fitting(calls_left: int) -> int:
    """The invoices a push can send with `calls_left` calls of the day: one call is kept for their contacts."""
    return max(0, calls_left - 1) * BATCH


def day_quota_line(calls_left: int | None) -> str:
    """The Xero tab's line about the day's quota; empty until Xero's X-DayLimit-Remaining has been seen."""
    if calls_left is None:
        return ""
    return (f"Xero calls left today: {calls_left:,} (room for about {invoices_fitting(calls_left):,} invoices; "
            f"the rest of a push goes after Xero's reset)")


def day_quota_note(calls_left: int | None, invoices: int) -> str:
    """What a push of `invoices` should say when today's quota can't take them all; empty when it can."""
    if calls_left is None or invoices <= (fit := invoices_fitting(calls_left)):
        return ""
    return (f"Today's Xero quota ({calls_left:,} calls) fits about {min(fit, invoices):,} of the {invoices:,} "
            f"invoices; the rest go after Xero's reset.")
