"""The xero-python client, built per organisation: base URLs from Settings, no hidden retries, plain answers.

Responses are read as raw JSON (`_preload_content=False`): the engine needs a handful of fields per element,
and the SDK's model deserialiser costs more CPU than the whole rest of a 50-invoice batch.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import urllib3
from xero_python.accounting import (
    AccountingApi,
    Contacts,
    HistoryRecord,
    HistoryRecords,
    Invoices,
    PaymentDelete,
    Payments,
)
from xero_python.api_client import ApiClient
from xero_python.api_client.configuration import Configuration
from xero_python.api_client.oauth2 import OAuth2Token
from xero_python.exceptions import HTTPStatusException
from xero_python.identity import IdentityApi

from myapprentice_app.domain.stored_text import made_storable, storable_json
from myapprentice_app.domain.whole_numbers import whole_number
from myapprentice_app.integrations.xero import results
from myapprentice_app.integrations.xero.endpoints import endpoints
from myapprentice_app.integrations.xero.errors import (
    ConnectionRevoked,
    OutcomeUnknown,
    RateLimited,
    Rejected,
    TokenRejected,
    Unavailable,
)

TIMEOUT = (5.0, 60.0)
TokenSource = Callable[[], dict[str, Any]]


@dataclass
class Reply:
    status: int
    body: Any
    headers: dict[str, str] = field(default_factory=dict)

    def items(self, plural: str) -> list[dict[str, Any]]:
        return list((self.body or {}).get(plural) or [])

    def invoices(self) -> list[results.InvoiceResult]:
        return [results.invoice(element) for element in self.items("Invoices")]

    def contacts(self) -> list[results.ContactResult]:
        return [results.contact(element) for element in self.items("Contacts")]

    def payments(self) -> list[results.PaymentResult]:
        return [results.payment(element) for element in self.items("Payments")]

    def bank_transactions(self) -> list[results.TransactionResult]:
        return [results.transaction(element, "BankTransactionID") for element in self.items("BankTransactions")]

    def credit_notes(self) -> list[results.TransactionResult]:
        return [results.transaction(element, "CreditNoteID") for element in self.items("CreditNotes")]

    def accounts(self) -> list[results.Account]:
        return [results.account(element) for element in self.items("Accounts")]

    def tax_rates(self) -> list[results.TaxRate]:
        return [results.tax_rate(element) for element in self.items("TaxRates")]

    @property
    def day_remaining(self) -> int | None:
        return whole_number(self.headers.get("x-daylimit-remaining") or "")

    @property
    def minute_remaining(self) -> int | None:
        return whole_number(self.headers.get("x-minlimit-remaining") or "")


class XeroClient:
    """One organisation's view of Xero. `token_source` returns a valid token dict for every request."""

    def __init__(self, tenant_id: str, token_source: TokenSource) -> None:
        where = endpoints()
        self.tenant_id = tenant_id
        # No client secret here on purpose: the SDK would refresh by itself through TokenApi, whose URLs
        # are hard-wired to identity.xero.com and which knows nothing of our per-organisation lock.
        configuration = Configuration(oauth2_token=OAuth2Token(client_id=where.client_id))
        configuration.connection_pool_maxsize = 8
        self.api_client = ApiClient(configuration, pool_threads=1, oauth2_token_getter=token_source,
                                    oauth2_token_saver=lambda token: None)
        # urllib3's default Retry honours Retry-After and silently repeats GET/PUT up to 3 times (§7.6):
        # every call must be exactly one request, so the shared rate-limit budget counts true.
        self.api_client.rest_client.pool_manager.connection_pool_kw["retries"] = urllib3.Retry(
            total=0, connect=0, read=0, status=0, redirect=0, respect_retry_after_header=False,
            raise_on_status=False)
        self.accounting = AccountingApi(self.api_client, base_url=where.api_url)
        self.identity = IdentityApi(self.api_client, base_url=where.identity_url)

    # -- reads ---------------------------------------------------------------------------------------

    def accounts(self) -> Reply:
        return self._call(self.accounting.get_accounts, self.tenant_id)

    def tax_rates(self) -> Reply:
        return self._call(self.accounting.get_tax_rates, self.tenant_id)

    def contacts(self, page: int) -> Reply:
        return self._call(self.accounting.get_contacts, self.tenant_id, page=page, page_size=1000,
                          include_archived=True)

    def invoices_by_number(self, numbers: list[str]) -> Reply:
        return self._call(self.accounting.get_invoices, self.tenant_id, invoice_numbers=numbers,
                          page=1, page_size=1000)

    def invoices_changed_since(self, since: dt.datetime | None, page: int) -> Reply:
        kwargs: dict[str, Any] = {"page": page, "page_size": 1000, "where": 'Type=="ACCREC"'}
        if since is not None:
            kwargs["if_modified_since"] = since
        return self._call(self.accounting.get_invoices, self.tenant_id, **kwargs)

    def payments_changed_since(self, since: dt.datetime | None, page: int) -> Reply:
        kwargs: dict[str, Any] = {"page": page, "page_size": 1000}
        if since is not None:
            kwargs["if_modified_since"] = since
        return self._call(self.accounting.get_payments, self.tenant_id, **kwargs)

    def payment(self, payment_id: str) -> Reply:
        return self._call(self.accounting.get_payment, self.tenant_id, payment_id)

    def payments_with_reference(self, references: list[str]) -> Reply:
        where = " OR ".join(f"Reference=={_literal(reference)}" for reference in references)
        return self._call(self.accounting.get_payments, self.tenant_id, where=where)

    def bank_transactions_with_reference(self, reference: str) -> Reply:
        return self._call(self.accounting.get_bank_transactions, self.tenant_id,
                          where=f"Reference=={_literal(reference)}")

    def credit_notes_with_reference(self, reference: str) -> Reply:
        return self._call(self.accounting.get_credit_notes, self.tenant_id, where=f"Reference=={_literal(reference)}")

    def online_invoice(self, invoice_id: str) -> Reply:
        return self._call(self.accounting.get_online_invoice, self.tenant_id, invoice_id)

    # -- writes (each carries its Idempotency-Key) ---------------------------------------------------

    def create_contacts(self, contacts: list[Any], key: str) -> Reply:
        return self._call(self.accounting.create_contacts, self.tenant_id, Contacts(contacts=contacts),
                          summarize_errors=False, idempotency_key=key)

    def create_invoices(self, invoices: list[Any], key: str) -> Reply:
        return self._call(self.accounting.create_invoices, self.tenant_id, _invoices_body(invoices),
                          summarize_errors=False, unitdp=4, idempotency_key=key)

    def update_invoices(self, invoices: list[Any], key: str) -> Reply:
        return self._call(self.accounting.update_or_create_invoices, self.tenant_id,
                          _invoices_body(invoices), summarize_errors=False, unitdp=4, idempotency_key=key)

    def create_payments(self, payments: list[Any], key: str) -> Reply:
        return self._call(self.accounting.create_payments, self.tenant_id, Payments(payments=payments),
                          summarize_errors=False, idempotency_key=key)

    def add_history_note(self, invoice_id: str, details: str, key: str) -> Reply:
        """A note in the invoice's History and Notes in Xero (one invoice per call: Xero has no batch form)."""
        return self._call(self.accounting.create_invoice_history, self.tenant_id, invoice_id,
                          HistoryRecords(history_records=[HistoryRecord(details=details)]), idempotency_key=key)

    def create_bank_transactions(self, transactions: list[dict[str, Any]], key: str) -> Reply:
        """Spend/receive money, given in wire form (`{"BankTransactions": [...]}` passes the serialiser as is)."""
        return self._call(self.accounting.create_bank_transactions, self.tenant_id,
                          {"BankTransactions": transactions}, summarize_errors=False, idempotency_key=key)

    def create_credit_notes(self, notes: list[dict[str, Any]], key: str) -> Reply:
        """Credit notes in wire form, like create_bank_transactions."""
        return self._call(self.accounting.create_credit_notes, self.tenant_id, {"CreditNotes": notes},
                          summarize_errors=False, idempotency_key=key)

    def delete_payment(self, payment_id: str) -> Reply:
        return self._call(self.accounting.delete_payment, self.tenant_id, payment_id, PaymentDelete(status="DELETED"))

    # -- identity ------------------------------------------------------------------------------------

    def connections(self) -> list[results.Tenant]:
        reply = self._call(self.identity.get_connections)
        return [results.tenant(element) for element in reply.body or []]

    def delete_connection(self, connection_id: str) -> None:
        self._call(self.identity.delete_connection, connection_id)

    # -- plumbing ------------------------------------------------------------------------------------

    def _call(self, method: Callable[..., Any], *args: Any, **kwargs: Any) -> Reply:
        try:
            raw = method(*args, _preload_content=False, _request_timeout=TIMEOUT, **kwargs)
            body = raw.data
        except HTTPStatusException as error:
            raise _translated(error) from error
        except (urllib3.exceptions.HTTPError, OSError) as error:
            raise OutcomeUnknown(f"{type(error).__name__}: {error}") from error
        headers = {key.lower(): value for key, value in raw.headers.items()}
        try:
            parsed = storable_json(body, parse_float=Decimal) if body else None
        except ValueError as error:  # a gateway's HTML page, or an answer cut off: what Xero did is unknown
            raise OutcomeUnknown(f"Xero's answer was not JSON ({error}): {body[:200]!r}") from error
        return Reply(raw.status, parsed, headers)


def _literal(text: str) -> str:
    """Text as a string literal in a `where` clause. Xero's filter parser (System.Linq.Dynamic's) escapes a quote
    by doubling it and takes a backslash as it is (a `\\"` is a syntax error there, XeroAPI/Xero-Java#347): a
    quote in a payment's reference would otherwise end the literal, and Xero would refuse the whole query."""
    return '"' + text.replace('"', '""') + '"'


def _invoices_body(invoices: list[Any]) -> Any:
    """Invoice models, or invoices already in the JSON the SDK's serialiser makes of them (`mapping.invoice_wire`).

    The engine builds each invoice's JSON once and keeps it for the invoice's history; the SDK method is
    then given the body in wire form (`{"Invoices": [...]}`), which its serialiser passes through unchanged.
    """
    if invoices and all(isinstance(invoice, dict) for invoice in invoices):
        return {"Invoices": invoices}
    return Invoices(invoices=invoices)


def _translated(error: HTTPStatusException) -> Exception:
    response = error.http_resp
    status = response.status if response is not None else 0
    raw_body = response.data if response is not None else b""
    headers = {key.lower(): value for key, value in (response.getheaders().items() if response else [])}
    text = made_storable(raw_body.decode("utf-8", "replace") if isinstance(raw_body, bytes | bytearray)
                         else str(raw_body))
    if status == 429:
        retry_after = headers.get("retry-after", "1")
        seconds = retry_after.isascii() and retry_after.replace(".", "", 1).isdigit()
        return RateLimited(float(retry_after) if seconds else 1.0,
                           headers.get("x-rate-limit-problem"))
    if status == 401:
        return TokenRejected(text[:500])
    if status == 403:
        return ConnectionRevoked(text[:500])
    if status == 400:
        try:
            body = storable_json(text.encode(), parse_float=Decimal)
        except ValueError:
            body = {}
        if isinstance(body, dict) and body.get("error") == "invalid_grant":
            return ConnectionRevoked("invalid_grant")
        return Rejected(body if isinstance(body, dict) else {}, text)
    if status == 404:
        return Rejected({}, text)
    return Unavailable(f"HTTP {status}: {text[:300]}")
