import reflex as rx

from myapprentice_app.ui.components.layout import page
from myapprentice_app.ui.components.tables import data_table
from myapprentice_app.ui.state.audit import AuditState


def audit_page() -> rx.Component:
    return page("Audit trail", lambda: data_table(
        AuditState.events, [("When", "when"), ("Who", "who"), ("What", "action"), ("On", "target"),
                            ("Detail", "detail")], "Nothing recorded yet.", "audit-row"))
