"""Verified Stripe events: stored once by id, then acted on from Stripe's current state (events are hints,
and they arrive twice or out of order). Problems are kept for the Owner/Admin; nothing here raises on bad data.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from myapprentice_app.domain.whole_numbers import whole_number
from myapprentice_app.integrations.stripe import client as stripe_api
from myapprentice_app.integrations.stripe.client import VerifiedEvent
from myapprentice_app.models import StripeAccount, StripeCheckout, StripeEvent
from myapprentice_app.services import stripe_payments, xero_sync
from myapprentice_app.services.stripe_connection import account_by_stripe_id, apply_account

PAYMENT_EVENTS = {"checkout.session.completed", "payment_intent.succeeded", "charge.refunded",
                  "checkout.session.async_payment_succeeded"}
DISPUTE_EVENTS = {"charge.dispute.created", "charge.dispute.updated", "charge.dispute.closed",
                  "charge.dispute.funds_withdrawn", "charge.dispute.funds_reinstated"}
XERO_EVENTS = PAYMENT_EVENTS | DISPUTE_EVENTS  # what may change the payment, refund, fee or note in Xero


def receive(session: Session, event: VerifiedEvent) -> int | None:
    """Record and act on one event. Returns the business whose payments changed (for a Xero cycle), if any.

    Raises StripeProblem when Stripe can't be asked for the current state: nothing is kept then, so
    Stripe's retry of this delivery is processed in full.
    """
    if session.get(StripeEvent, event.id) is not None:
        return None  # a duplicate delivery: already handled
    row = StripeEvent(id=event.id, type=event.type, account_id=event.account, created=event.created)
    account = account_by_stripe_id(session, event.account)
    row.business_id = account.business_id if account else _former_business(session, event.account)
    if event.livemode != stripe_api.live_mode():  # a Connect endpoint hears live and test events alike
        _review(row, f"A {'live' if event.livemode else 'test'}-mode {event.type} event ({event.id}) reached this "
                     f"{'live' if stripe_api.live_mode() else 'test'}-mode app; nothing was done.")
    elif account is None and row.business_id is not None:  # from the account this business disconnected
        if event.type in XERO_EVENTS:
            _review(row, f"A {event.type} event ({event.id}) came from the Stripe account {event.account}, which "
                         "was disconnected from this business; nothing was recorded here or in Xero. Check it in "
                         "your Stripe Dashboard and record it by hand.")
        else:
            row.status = "ignored"
    elif account is None and event.type in XERO_EVENTS | {"account.updated"}:
        _review(row, f"No business here uses the Stripe account {event.account or '(none)'}; nothing was recorded.")
    elif event.type in PAYMENT_EVENTS:
        assert account is not None
        _settle(session, row, account, event)
    else:
        handler = HANDLERS.get(event.type)
        if handler is None:
            row.status = "ignored"
        else:
            handler(session, row, account, event)
    # Stored last: the handlers ask Stripe before they write, so no write lock (SQLite's is the whole database's)
    # waits on Stripe's answer. A copy of this delivery handled meanwhile makes this fail, and nothing is kept.
    session.add(row)
    try:
        session.flush()
    except IntegrityError:
        session.rollback()
        return None
    session.commit()
    if event.type in XERO_EVENTS and account is not None and row.business_id:
        xero_sync.payments_run(session, row.business_id)  # queues itself: the payment, refund, fee or note
        return row.business_id
    return None


def _settle(session: Session, row: StripeEvent, account: StripeAccount, event: VerifiedEvent) -> None:
    obj = event.object
    if event.type.startswith("checkout.session"):
        if obj.get("payment_status") != "paid" or not obj.get("payment_intent"):
            row.status = "ignored"
            return
        _close_checkout(session, obj.get("id"), "complete")
        intent_id = str(obj["payment_intent"])
    elif event.type == "charge.refunded":
        intent_id = str(obj.get("payment_intent") or "")
    else:
        intent_id = str(obj.get("id") or "")
    if not intent_id:
        row.status = "ignored"
        return
    intent = stripe_api.retrieve_payment(account.account_id, intent_id)
    problem = stripe_payments.settle(session, account, intent)
    if problem:
        _review(row, problem)
    else:
        row.status = "processed"


def _disputed(session: Session, row: StripeEvent, account: StripeAccount | None, event: VerifiedEvent) -> None:
    """A chargeback: the payment is settled first (a dispute may arrive before the payment's own events),
    then the dispute as Stripe has it now is kept and, when it is news, put before the Owner/Admin."""
    assert account is not None
    dispute = stripe_api.retrieve_dispute(account.account_id, str(event.object.get("id") or ""))
    intent_id = str(dispute.get("payment_intent") or "")
    if intent_id:
        stripe_payments.settle(session, account, stripe_api.retrieve_payment(account.account_id, intent_id))
    message, news = stripe_payments.record_dispute(session, dispute)
    if news:
        _review(row, message)
    else:
        row.status = "processed"


def _account_updated(session: Session, row: StripeEvent, account: StripeAccount | None,
                     event: VerifiedEvent) -> None:
    assert account is not None
    apply_account(account, stripe_api.retrieve_account(account.account_id))  # now, not as the event saw it
    row.status = "processed"


def _deauthorized(session: Session, row: StripeEvent, account: StripeAccount | None, event: VerifiedEvent) -> None:
    if account is None:
        row.status = "ignored"
        return
    account.charges_enabled = False
    account.status = "disconnected"
    account.currently_due = "reconnect"
    row.status = "processed"


def _expired(session: Session, row: StripeEvent, account: StripeAccount | None, event: VerifiedEvent) -> None:
    _close_checkout(session, event.object.get("id"), "expired")
    row.status = "processed"


def _failed(session: Session, row: StripeEvent, account: StripeAccount | None, event: VerifiedEvent) -> None:
    """A declined card: the invoice stays as it is; the pay page tells the client why."""
    error = event.object.get("last_payment_error") or {}
    invoice_id = (event.object.get("metadata") or {}).get("invoice_id", "")
    checkout = session.exec(select(StripeCheckout).where(
        StripeCheckout.invoice_id == (whole_number(str(invoice_id)) or -1),
        StripeCheckout.account_id == (event.account or "")).order_by(StripeCheckout.created_at.desc())  # type: ignore[attr-defined]
    ).first()
    if checkout is not None:
        checkout.failure = str(error.get("message") or "The card was declined.")[:500]
    row.status = "processed"


def _close_checkout(session: Session, checkout_id: Any, status: str) -> None:
    checkout = session.get(StripeCheckout, str(checkout_id or ""))
    if checkout is not None and checkout.status == "open":
        checkout.status = status


def _former_business(session: Session, account_id: str | None) -> int | None:
    """The business whose invoices took card payments through a Stripe account it has since disconnected: a
    late refund or payment from it is shown to that business for review, not lost."""
    if not account_id:
        return None
    return session.exec(select(StripeCheckout.business_id).where(StripeCheckout.account_id == account_id)).first()


def _review(row: StripeEvent, problem: str) -> None:
    row.status, row.problem = "needs_review", problem[:2000]


HANDLERS: dict[str, Callable[[Session, StripeEvent, StripeAccount | None, VerifiedEvent], None]] = {
    "account.updated": _account_updated,
    "account.application.deauthorized": _deauthorized,
    "checkout.session.expired": _expired,
    "payment_intent.payment_failed": _failed,
    **{name: _disputed for name in DISPUTE_EVENTS},
}
