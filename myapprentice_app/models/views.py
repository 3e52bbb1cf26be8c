"""View models sent to the UI: plain strings, already formatted."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class InvoiceRow:
    id: int = 0
    number: str = ""
    client_name: str = ""
    issue_date: str = ""
    due_date: str = ""
    total: str = ""
    amount_due: str = ""
    status: str = ""
    status_label: str = ""
    sync_status: str = ""
    sync_label: str = ""
    xero_url: str = ""
    pushable: bool = True  # not a voided invoice with nothing to take back in Xero


@dataclass
class InvoicePage:
    rows: list[InvoiceRow] = field(default_factory=list)
    total_count: int = 0
    page: int = 1
    page_count: int = 1


@dataclass
class Invoiced:
    """A quote's or job's invoices, as its list row and form show them."""

    label: str = ""  # "Invoiced · INV-0061" ("" when it has none)
    invoice_id: int = 0  # the latest
    notice: str = ""  # "Quote Q-0004 already has invoice INV-0061.": what creating another asks about


@dataclass
class JobRow:
    id: int = 0
    title: str = ""
    client_name: str = ""
    status: str = ""
    status_label: str = ""
    assigned_to: str = ""
    amount: str = ""
    invoiced: Invoiced = field(default_factory=Invoiced)


@dataclass
class ClientRow:
    id: int = 0
    name: str = ""
    email: str = ""
    phone: str = ""
    city: str = ""


@dataclass
class QuoteRow:
    id: int = 0
    number: str = ""
    title: str = ""
    client_name: str = ""
    status: str = ""
    status_label: str = ""
    amount: str = ""
    invoiced: Invoiced = field(default_factory=Invoiced)


@dataclass
class AuditRow:
    when: str = ""
    who: str = ""
    action: str = ""
    target: str = ""
    detail: str = ""
