"""The invoice page: lines, totals, status, payments, and the actions the signed-in role may take."""

from __future__ import annotations

import reflex as rx

from myapprentice_app.domain.invoice_status import InvoiceStatus
from myapprentice_app.ui.components.badges import status_badge, sync_badge
from myapprentice_app.ui.components.invoice_actions import payment_dialog
from myapprentice_app.ui.components.layout import page
from myapprentice_app.ui.components.line_editor import totals_box
from myapprentice_app.ui.components.send_dialog import send_dialog
from myapprentice_app.ui.components.url import route_param
from myapprentice_app.ui.components.xero_panel import xero_panel_card
from myapprentice_app.ui.state.invoice_actions import InvoiceActionsState
from myapprentice_app.ui.state.invoice_detail import InvoiceDetailState, XeroPanelState


def _actions() -> rx.Component:
    s, inv = InvoiceDetailState, InvoiceDetailState.invoice
    editable = s.can_edit & (inv.status == InvoiceStatus.DRAFT.value)
    return rx.flex(
        rx.cond(
            editable,
            rx.link(rx.button(rx.icon("pencil", size=16), "Edit", variant="soft"), href=f"/invoices/{inv.id}/edit"),
            rx.fragment(),
        ),
        rx.cond(editable, rx.button("Authorise", on_click=[s.authorise_invoice, XeroPanelState.refresh],
                                             data_testid="authorise"), rx.fragment()),
        rx.cond(
            s.can_edit & (inv.status != InvoiceStatus.PAID.value) & (inv.status != InvoiceStatus.VOIDED.value),
            rx.button(rx.icon("send", size=16), "Send to client", on_click=s.open_send, data_testid="send-to-client"),
            rx.fragment(),
        ),
        rx.cond(
            s.can_pay & ((inv.status == InvoiceStatus.AUTHORISED.value) | (inv.status == InvoiceStatus.SENT.value)
                       | (inv.status == InvoiceStatus.PART_PAID.value)),
            rx.button(
                rx.icon("banknote", size=16),
                "Mark as paid",
                variant="soft",
                color_scheme="green",
                on_click=InvoiceActionsState.open_payment(inv.id),
                data_testid="mark-paid",
            ),
            rx.fragment(),
        ),
        rx.cond(
            s.can_export,
            rx.button(
                rx.icon("download", size=16),
                "CSV export",
                variant="soft",
                color_scheme="gray",
                on_click=InvoiceActionsState.export_csv(inv.id),
            ),
            rx.fragment(),
        ),
        rx.cond(
            s.can_edit & ((inv.status == InvoiceStatus.DRAFT.value) | (inv.status == InvoiceStatus.AUTHORISED.value)
                         | (inv.status == InvoiceStatus.SENT.value)),
            _void_button(),
            rx.fragment(),
        ),
        spacing="2",
        wrap="wrap",
    )


def _void_button() -> rx.Component:
    inv = InvoiceDetailState.invoice
    return rx.alert_dialog.root(
        rx.alert_dialog.trigger(rx.button("Void", variant="soft", color_scheme="red", data_testid="void")),
        rx.alert_dialog.content(
            rx.alert_dialog.title(f"Void invoice {inv.number}?"),
            rx.alert_dialog.description(
                "A voided invoice stays on record but can't be sent, paid or edited again. This can't be undone."
            ),
            rx.hstack(
                rx.alert_dialog.cancel(rx.button("Keep it", variant="soft", color_scheme="gray")),
                rx.alert_dialog.action(
                    rx.button(
                        "Void invoice",
                        color_scheme="red",
                        on_click=[InvoiceDetailState.void_invoice, XeroPanelState.refresh],  # its sync status too
                        data_testid="confirm-void",
                    )
                ),
                justify="end",
                padding_top="1em",
            ),
        ),
    )


def _lines() -> rx.Component:
    inv = InvoiceDetailState.invoice
    hide_on_phone = ["none", "none", "table-cell"]
    return rx.table.root(
        rx.table.header(
            rx.table.row(
                rx.table.column_header_cell("Description"),
                rx.table.column_header_cell("Qty"),
                rx.table.column_header_cell("Unit price", display=hide_on_phone),
                rx.table.column_header_cell("Category", display=hide_on_phone),
                rx.table.column_header_cell("Tax", display=hide_on_phone),
                rx.table.column_header_cell("Amount"),
            )
        ),
        rx.table.body(
            rx.foreach(
                inv.lines,
                lambda line: rx.table.row(
                    rx.table.cell(line.description, white_space="pre-wrap"),
                    rx.table.cell(line.quantity),
                    rx.table.cell(line.unit_amount, display=hide_on_phone),
                    rx.table.cell(line.category, display=hide_on_phone),
                    rx.table.cell(line.tax_rate, display=hide_on_phone),
                    rx.table.cell(line.line_amount),
                    data_testid="invoice-line",
                ),
            )
        ),
        variant="surface",
        width="100%",
    )


def _payments() -> rx.Component:
    inv = InvoiceDetailState.invoice
    hide_on_phone = ["none", "table-cell"]
    return rx.vstack(
        rx.heading("Payments", size="4"),
        rx.foreach(
            inv.card_notices,
            lambda notice: rx.callout.root(
                rx.callout.icon(rx.icon("triangle_alert")),
                rx.callout.text(notice, " ", rx.cond(notice.contains("Business Settings → Xero"),
                                                     rx.link("Choose it now", href="/settings/xero"), rx.fragment())),
                color_scheme="red", width="100%", data_testid="card-notice"),
        ),
        rx.cond(
            inv.payments.length() > 0,
            rx.table.root(
                rx.table.header(
                    rx.table.row(  # on a phone: date, amount and where it stands in Xero
                        rx.table.column_header_cell("Date"), rx.table.column_header_cell("Amount"),
                        rx.table.column_header_cell("Method", display=hide_on_phone),
                        rx.table.column_header_cell("Reference", display=hide_on_phone),
                        rx.table.column_header_cell("Xero"),
                    )
                ),
                rx.table.body(
                    rx.foreach(
                        inv.payments,
                        lambda p: rx.table.row(
                            rx.table.cell(p.paid_on),
                            rx.table.cell(p.amount),
                            rx.table.cell(p.method, display=hide_on_phone),
                            rx.table.cell(p.reference, display=hide_on_phone),
                            rx.table.cell(rx.vstack(
                                rx.text(p.sync_label, size="2", data_testid="payment-xero"),
                                rx.cond(p.sync_message != "", rx.text(p.sync_message, size="1", color_scheme="amber",
                                                                      data_testid="payment-sync-message"),
                                        rx.fragment()),
                                rx.cond(p.settings_href != "", rx.link("Choose it now", href=p.settings_href, size="1",
                                                                       data_testid="payment-settings-link"),
                                        rx.fragment()),
                                spacing="1")),
                            data_testid="payment-row",
                        ),
                    )
                ),
                variant="surface",
                width="100%",
            ),
            rx.text("No payments recorded yet.", color_scheme="gray", size="2", data_testid="no-payments"),
        ),
        width="100%",
    )


def _sync_badge() -> rx.Component:
    """The panel's own status, not a second copy read at another moment: a push answered between the header's
    read and the panel's would leave the two disagreeing."""
    panel = XeroPanelState.panel
    return rx.cond(panel.invoice_id == InvoiceDetailState.invoice.id, sync_badge(panel.sync_status, panel.sync_label),
                   rx.fragment())


def _summary() -> rx.Component:
    inv = InvoiceDetailState.invoice
    return rx.vstack(
        rx.flex(
            rx.heading(inv.number, size="6", data_testid="invoice-number"),
            status_badge(inv.status, inv.status_label),
            _sync_badge(),
            spacing="2",
            align="center",
            wrap="wrap",
        ),
        rx.text(inv.client_name, " · ", inv.client_email, size="3"),
        rx.text(
            "Issued ",
            inv.issue_date,
            " · due ",
            inv.due_date,
            " · ",
            inv.amounts_are_label,
            color_scheme="gray",
            size="2",
        ),
        rx.cond(inv.reference != "", rx.text("Reference: ", inv.reference, size="2"), rx.fragment()),
        rx.cond(inv.origin != "", rx.text(inv.origin, size="2", color_scheme="gray"), rx.fragment()),
        rx.cond(
            inv.sent_at != "",
            rx.text(
                "Sent ",
                inv.sent_at,
                " · pay link: ",
                rx.link(inv.pay_link, href=inv.pay_link, is_external=True),
                size="2",
            ),
            rx.fragment(),
        ),
        spacing="1",
        width="100%",
    )


def _content() -> rx.Component:
    inv = InvoiceDetailState.invoice
    return rx.cond(
        # Following a link keeps the page's state until on_load has cleared it: show only the URL's invoice.
        InvoiceDetailState.found & (inv.id.to_string() == route_param("id")),
        rx.vstack(
            rx.link("← All invoices", href="/invoices", size="2"),
            _summary(),
            _actions(),
            _lines(),
            totals_box(inv.subtotal, inv.total_tax, inv.total),
            rx.hstack(
                rx.text("Paid ", inv.amount_paid, " · "),
                rx.text("Amount due ", inv.amount_due, weight="bold", data_testid="amount-due"),
                align_self="end",
            ),
            _payments(),
            xero_panel_card(inv.id),
            send_dialog(),
            payment_dialog(),
            width="100%",
            spacing="4",
        ),
        rx.cond(
            InvoiceDetailState.missing != "",
            rx.vstack(rx.callout(InvoiceDetailState.missing, icon="circle-alert", color_scheme="red",
                                 data_testid="invoice-missing"),
                      rx.link("← All invoices", href="/invoices", size="2")),
            rx.center(rx.spinner(size="3"), padding="3em"),
        ),
    )


def invoice_detail_page() -> rx.Component:
    return page("Invoice", _content)
