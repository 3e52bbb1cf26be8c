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


@dataclass
class InvoicePage:
    rows: list[InvoiceRow] = field(default_factory=list)
    total_count: int = 0
    page: int = 1
    page_count: int = 1


@dataclass
class JobRow:
    id: int = 0
    title: str = ""
    client_name: str = ""
    status: str = ""
    assigned_to: str = ""


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


@dataclass
class AuditRow:
    when: str = ""
    who: str = ""
    action: str = ""
    target: str = ""
    detail: str = ""
