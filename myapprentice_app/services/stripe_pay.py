"""The public pay page behind an invoice's `/pay/<token>` link, and the Checkout Session its Pay now opens.

No one signs in here: the unguessable token is the only key, and it reaches one invoice's summary only.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from dataclasses import dataclass

from sqlmodel import Session, col, select

from myapprentice_app.config import get_settings
from myapprentice_app.db import locked, utcnow
from myapprentice_app.domain.card_money import to_minor
from myapprentice_app.domain.invoice_status import InvoiceStatus
from myapprentice_app.domain.money import money
from myapprentice_app.integrations.stripe import client as stripe_api
from myapprentice_app.integrations.stripe.client import StripeProblem
from myapprentice_app.models import Business, Client, Invoice, StripeCheckout
from myapprentice_app.services import follow_up
from myapprentice_app.services.errors import ActionRefused, NotFound
from myapprentice_app.services.stripe_connection import account_of

PAYABLE = {InvoiceStatus.AUTHORISED, InvoiceStatus.SENT, InvoiceStatus.PART_PAID}
PAY_TOKEN = re.compile(r"[A-Za-z0-9_-]+")  # secrets.token_urlsafe's alphabet
UNAVAILABLE = "Card payments aren't available right now. Please try again in a few minutes."


@dataclass
class PayView:
    token: str
    business: str
    number: str
    client: str
    issue_date: str
    due_date: str
    total: str
    paid: str
    amount_due: str
    state: str  # payable | part_paid | paid | voided | not_ready | unavailable
    message: str = ""


def invoice_for_token(session: Session, token: str) -> Invoice:
    # Only what `new_token` makes is looked up: PostgreSQL refuses a NUL byte in a query's text.
    looks_like_one = 20 <= len(token) <= 64 and PAY_TOKEN.fullmatch(token) is not None
    invoice = session.exec(select(Invoice).where(Invoice.pay_token == token)).first() if looks_like_one else None
    if invoice is None:
        raise NotFound("That payment link")
    return invoice


def pay_view(session: Session, token: str) -> PayView:
    invoice = invoice_for_token(session, token)
    business = session.get(Business, invoice.business_id)
    client = session.get(Client, invoice.client_id)
    assert business is not None and client is not None
    status = InvoiceStatus(invoice.status)
    account = account_of(session, invoice.business_id)
    if status == InvoiceStatus.PAID or (invoice.amount_due <= 0 and status != InvoiceStatus.VOIDED):
        state, message = "paid", "Paid. Thank you!"
    elif status == InvoiceStatus.VOIDED:
        state, message = "voided", "This invoice has been voided, so there is nothing to pay."
    elif status not in PAYABLE:
        state, message = "unavailable", "This invoice isn't ready to be paid yet."
    elif account is None or not account.charges_enabled:
        state, message = "not_ready", f"{business.name} can't take card payments online yet. Please contact them."
    else:
        state = "part_paid" if status == InvoiceStatus.PART_PAID else "payable"
        message = (f"{money(invoice.amount_paid, invoice.currency)} has been paid. "
                   f"Pay the remaining {money(invoice.amount_due, invoice.currency)} below.") if state == "part_paid" \
            else ""
        failure = _last_failure(session, invoice)
        if failure:
            message = f"Your last attempt didn't go through: {failure} {message}".strip()
    return PayView(token=token, business=business.name, number=invoice.number, client=client.name,
                   issue_date=f"{invoice.issue_date:%d %b %Y}", due_date=f"{invoice.due_date:%d %b %Y}",
                   total=money(invoice.total, invoice.currency), paid=money(invoice.amount_paid, invoice.currency),
                   amount_due=money(invoice.amount_due, invoice.currency), state=state, message=message)


def start_checkout(session: Session, token: str) -> str:
    """The hosted checkout URL for the amount due now: an open session for that amount is reused, any other
    open one is expired first (two tabs must not lead to two payments), and an expired one is replaced."""
    invoice = invoice_for_token(session, token)
    view = pay_view(session, token)
    if view.state not in ("payable", "part_paid"):
        raise ActionRefused(view.message)
    account = account_of(session, invoice.business_id)
    assert account is not None
    amount = to_minor(invoice.amount_due, invoice.currency)
    now = utcnow()
    for checkout in _open_checkouts(session, invoice.id or 0):
        usable = (checkout.amount == amount and checkout.account_id == account.account_id
                  and checkout.expires_at > now + dt.timedelta(minutes=2))
        if usable:
            return checkout.url
        try:
            _expire(checkout)
        except StripeProblem as problem:  # it may still be payable: a second one would let the card pay twice
            session.commit()
            raise ActionRefused(UNAVAILABLE) from problem
    attempt = session.exec(select(StripeCheckout.id).where(StripeCheckout.invoice_id == invoice.id)).all()
    params = _params(session, invoice, token, amount)
    try:
        key = _idempotency_key(invoice, len(attempt), params)
        created = stripe_api.create_checkout(account.account_id, params, key)
    except StripeProblem as problem:
        session.commit()
        raise ActionRefused(UNAVAILABLE) from problem
    checkout = StripeCheckout(id=created["id"], business_id=invoice.business_id, invoice_id=invoice.id or 0,
                              account_id=account.account_id, amount=amount, currency=invoice.currency,
                              url=created["url"], expires_at=dt.datetime.fromtimestamp(created["expires_at"], dt.UTC))
    return _recorded(session, token, checkout)


def _recorded(session: Session, token: str, checkout: StripeCheckout) -> str:
    """Keep the new session, checked again under the invoice's lock: while Stripe made it, a payment by hand, a
    void, or Pay now in another tab may have landed. Then it is expired (a worker retries while Stripe can't
    say), so only one session that asks for what is owed can take the card. Returns the URL to send the client to."""
    invoice = locked(session, Invoice, checkout.invoice_id)
    assert invoice is not None
    if session.get(StripeCheckout, checkout.id) is not None:  # another tab's, asked with the same Idempotency-Key
        session.commit()
        return checkout.url
    rival = next((other for other in _open_checkouts(session, checkout.invoice_id) if other.amount == checkout.amount
                  and other.account_id == checkout.account_id), None)
    still_owed = invoice.status in PAYABLE and to_minor(invoice.amount_due, invoice.currency) == checkout.amount
    session.add(checkout)
    session.commit()
    if still_owed and rival is None:
        return checkout.url
    try:
        _expire(checkout)
        session.commit()
    except StripeProblem:
        session.rollback()
        follow_up.enqueue("close_stripe_checkouts", checkout.invoice_id)
    if still_owed and rival is not None:
        return rival.url  # another tab's, for the same amount
    view = pay_view(session, token)
    raise ActionRefused(view.message if view.state not in ("payable", "part_paid") else
                        f"What is owing changed a moment ago: it is now {view.amount_due}. Press Pay again.")


def has_open_checkouts(session: Session, invoice_id: int) -> bool:
    return bool(_open_checkouts(session, invoice_id))


def close_checkouts(session: Session, invoice_id: int) -> None:
    """Expire the invoice's open Checkout Sessions at Stripe once it is voided or paid by other means, so the
    client's open tab can't take the card (Pay now makes a new one for what is owed then). Raises StripeProblem
    while Stripe can't say whether one is closed: the worker tries again."""
    try:
        for checkout in _open_checkouts(session, invoice_id):
            _expire(checkout)
    finally:
        session.commit()


def _open_checkouts(session: Session, invoice_id: int) -> list[StripeCheckout]:
    return list(session.exec(select(StripeCheckout).where(StripeCheckout.invoice_id == invoice_id,
                                                          StripeCheckout.status == "open")).all())


def _expire(checkout: StripeCheckout) -> None:
    """Expired at Stripe, or found closed there already (expired or paid); else StripeProblem (Stripe down,
    a 429): the session may still take a card."""
    try:
        stripe_api.expire_checkout(checkout.account_id, checkout.id)
    except StripeProblem:
        if stripe_api.retrieve_checkout(checkout.account_id, checkout.id).get("status") == "open":
            raise
    checkout.status = "expired"


def _idempotency_key(invoice: Invoice, attempt: int, params: dict) -> str:
    """The same for a retry of a creation whose answer was lost (a timeout, a 429, a 500), so Stripe gives back
    the session it may have made rather than a second one; new once a session is kept (the next attempt) or
    when anything sent changes (the client's email, say), so Stripe never sees a key reused with other
    parameters. A session made by a lost call with since-changed parameters stays unknown to the client (its
    URL never reached them) and expires unpaid."""
    sent = hashlib.sha256(json.dumps(params, sort_keys=True).encode()).hexdigest()[:24]
    return f"inv-{invoice.id}-a{attempt}-{sent}"


def _params(session: Session, invoice: Invoice, token: str, amount: int) -> dict:
    client = session.get(Client, invoice.client_id)
    base = get_settings().app_url.rstrip("/")
    tags = {"invoice_id": str(invoice.id), "business_id": str(invoice.business_id),
            "invoice_version": str(invoice.version), "invoice_number": invoice.number}
    params = {
        "mode": "payment",
        "line_items": [{"quantity": 1, "price_data": {
            "currency": invoice.currency.lower(), "unit_amount": amount,
            "product_data": {"name": f"Invoice {invoice.number}"}}}],
        "client_reference_id": str(invoice.id),
        "metadata": tags,
        "payment_intent_data": {"metadata": tags, "description": f"Invoice {invoice.number}"},
        "success_url": f"{base}/pay/{token}/done?session_id={{CHECKOUT_SESSION_ID}}",
        "cancel_url": f"{base}/pay/{token}",
    }
    if client is not None and client.email:
        params["customer_email"] = client.email
    return params


def _last_failure(session: Session, invoice: Invoice) -> str:
    latest = session.exec(select(StripeCheckout).where(StripeCheckout.invoice_id == invoice.id)
                          .order_by(col(StripeCheckout.created_at).desc())).first()
    return latest.failure or "" if latest is not None else ""
