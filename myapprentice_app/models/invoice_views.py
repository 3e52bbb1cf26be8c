"""View models for the invoice page, forms and outbox: plain strings, already formatted."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class LineView:
    description: str = ""
    quantity: str = ""
    unit_amount: str = ""
    category: str = ""
    tax_rate: str = ""
    line_amount: str = ""


@dataclass
class PaymentView:
    paid_on: str = ""
    amount: str = ""
    method: str = ""
    reference: str = ""
    source: str = ""
    sync_label: str = ""
    sync_message: str = ""  # why it isn't in Xero yet, and who can change that
    settings_href: str = ""  # where this user chooses the missing setting, when they may


@dataclass
class InvoiceDetail:
    id: int = 0
    number: str = ""
    client_name: str = ""
    client_email: str = ""
    reference: str = ""
    issue_date: str = ""
    due_date: str = ""
    status: str = ""
    status_label: str = ""
    amounts_are_label: str = ""
    subtotal: str = ""
    total_tax: str = ""
    total: str = ""
    amount_paid: str = ""
    amount_due: str = ""
    amount_due_plain: str = ""
    sent_at: str = ""
    pay_link: str = ""
    origin: str = ""
    lines: list[LineView] = field(default_factory=list)
    payments: list[PaymentView] = field(default_factory=list)
    card_notices: list[str] = field(default_factory=list)  # disputes of card payments, for Owner/Admin


@dataclass
class Option:
    value: str = ""
    label: str = ""


@dataclass
class LineForm:
    """One row of the line editor, exactly as typed, with its live amount."""

    description: str = ""
    quantity: str = "1"
    unit_amount: str = ""
    category: str = "labour"
    tax_rate_id: str = ""
    line_amount: str = ""


@dataclass
class OutboxRow:
    when: str = ""
    to_address: str = ""
    subject: str = ""
    body: str = ""
    transport: str = ""
    invoice_number: str = ""
