import reflex as rx

from myapprentice_app.domain.invoice_status import SyncStatus

STATUS_COLOURS = {
    "draft": "gray", "authorised": "blue", "sent": "indigo", "part_paid": "amber", "paid": "green", "voided": "red",
}
WORK_COLOURS = {
    "draft": "gray", "sent": "indigo", "accepted": "green", "declined": "red",
    "scheduled": "gray", "in_progress": "amber", "completed": "green",
}
SYNC_COLOURS = {"not_synced": "gray", "pending": "amber", "synced": "green", "error": "red"}


def status_badge(status: rx.Var, label: rx.Var) -> rx.Component:
    return rx.badge(label, color_scheme=rx.match(status, *STATUS_COLOURS.items(), "gray"), variant="soft",
                    data_testid="invoice-status")


def sync_badge(status: rx.Var, label: rx.Var, testid: str = "sync-status") -> rx.Component:
    return rx.badge(
        rx.cond(status == SyncStatus.PENDING.value, rx.spinner(size="1"), rx.fragment()),
        label,
        color_scheme=rx.match(status, *SYNC_COLOURS.items(), "gray"),
        variant="surface",
        data_testid=testid,
    )


def work_badge(status: rx.Var, label: rx.Var) -> rx.Component:
    """A quote's or job's status, badged like an invoice's."""
    return rx.badge(label, color_scheme=rx.match(status, *WORK_COLOURS.items(), "gray"), variant="soft",
                    data_testid="work-status")
