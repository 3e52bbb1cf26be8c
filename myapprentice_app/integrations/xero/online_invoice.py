"""The invoice's online-invoice link: Xero's client-facing billing page for an approved sales invoice.

One call through xero-python (`AccountingApi.get_online_invoice`, `GET /Invoices/{InvoiceID}/OnlineInvoice`,
via `XeroClient.online_invoice`). Xero has no online invoice for a DRAFT (it answers 400) and none for an invoice
it doesn't know (404); both mean "no link", not a sync error.
"""

from __future__ import annotations

from myapprentice_app.integrations.xero.client import Reply, XeroClient
from myapprentice_app.integrations.xero.errors import Rejected

STATUSES_WITH_A_LINK = frozenset({"AUTHORISED", "PAID"})


def request(xero: XeroClient, invoice_id: str) -> Reply:
    return xero.online_invoice(invoice_id)


def url_in(reply: Reply) -> str | None:
    """`{"OnlineInvoices": [{"OnlineInvoiceUrl": "https://in.xero.com/…"}]}` → the URL."""
    for item in reply.items("OnlineInvoices"):
        url = item.get("OnlineInvoiceUrl")
        if isinstance(url, str) and url.startswith(("https://", "http://")):
            return url
    return None


def online_invoice_url(xero: XeroClient, invoice_id: str) -> str | None:
    """The link for one Xero invoice, or None when Xero has none for it."""
    try:
        return url_in(request(xero, invoice_id))
    except Rejected:
        return None
