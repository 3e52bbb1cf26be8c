"""The invoice page's read side: one invoice with its lines, totals and payments, formatted for the UI."""

from __future__ import annotations

from decimal import Decimal

from sqlmodel import Session, col, select

from myapprentice_app.domain.card_money import from_minor
from myapprentice_app.domain.invoice_status import InvoiceStatus, SyncStatus
from myapprentice_app.domain.money import AmountsAre, money
from myapprentice_app.domain.roles import Permission, Role, can
from myapprentice_app.domain.sync_states import ConnectionStatus
from myapprentice_app.models import (
    Client,
    Job,
    LineItem,
    Payment,
    Quote,
    StripeCredit,
    StripeDispute,
    StripePayment,
    XeroConnection,
    XeroSettings,
)
from myapprentice_app.models.invoice_views import InvoiceDetail, LineView, PaymentView
from myapprentice_app.services import invoices
from myapprentice_app.services.invoice_delivery import pay_link
from myapprentice_app.services.lines import plain_number
from myapprentice_app.services.principal import Principal
from myapprentice_app.services.stripe_payments import dispute_message

AMOUNTS_LABELS = {
    AmountsAre.EXCLUSIVE: "Tax exclusive",
    AmountsAre.INCLUSIVE: "Tax inclusive",
    AmountsAre.NO_TAX: "No tax",
}
# Who may choose the payment accounts (a Sole Trader has no one to ask).
_SETTERS = [role.label for role in Role if role != Role.SOLE_TRADER and can(role, Permission.XERO_SETTINGS)]
SETTINGS_ROLES = ", ".join(_SETTERS[:-1]) + " or " + _SETTERS[-1]  # "Business Owner, Office Admin or Finance"
METHOD_LABELS = {
    "bank_transfer": "Bank transfer",
    "cash": "Cash",
    "card": "Card",
    "stripe": "Card (Stripe)",
    "xero": "Recorded in Xero",
}


def invoice_detail(session: Session, actor: Principal, invoice_id: int) -> InvoiceDetail:
    actor.require(Permission.VIEW_INVOICES)
    invoice = invoices.get_invoice(session, actor, invoice_id)
    client = session.get(Client, invoice.client_id)
    assert client is not None
    rates = invoices.tax_rates(session, invoice.business_id)
    cur = invoice.currency
    lines = [
        LineView(
            description=item.description,
            quantity=plain_number(item.quantity),
            unit_amount=_unit_price(item.unit_amount, cur),
            category=item.category.capitalize(),
            tax_rate=rates[item.tax_rate_id].name if item.tax_rate_id in rates else "No tax",
            line_amount=money(item.line_amount, cur),
        )
        for item in session.exec(
            select(LineItem).where(LineItem.invoice_id == invoice.id).order_by(col(LineItem.position))
        )  # type: ignore[arg-type]
    ]
    payments = [_payment_view(session, actor, p, cur) for p in session.exec(
        select(Payment).where(Payment.invoice_id == invoice.id).order_by(Payment.id))]  # type: ignore[arg-type]
    return InvoiceDetail(
        id=invoice.id or 0,
        number=invoice.number,
        client_name=client.name,
        client_email=client.email or "",
        reference=invoice.reference or "",
        issue_date=f"{invoice.issue_date:%d %b %Y}",
        due_date=f"{invoice.due_date:%d %b %Y}",
        status=invoice.status,
        status_label=InvoiceStatus(invoice.status).label,
        amounts_are_label=AMOUNTS_LABELS.get(AmountsAre(invoice.amounts_are), ""),
        subtotal=money(invoice.subtotal, cur),
        total_tax=money(invoice.total_tax, cur),
        total=money(invoice.total, cur),
        amount_paid=money(invoice.amount_paid, cur),
        amount_due=money(invoice.amount_due, cur),
        amount_due_plain=f"{invoice.amount_due:.2f}",
        sent_at=f"{invoice.sent_at:%d %b %Y %H:%M} UTC" if invoice.sent_at else "",
        pay_link=pay_link(invoice),
        origin=_origin(session, invoice.quote_id, invoice.job_id),
        lines=lines,
        payments=payments,
        card_notices=_card_notices(session, actor, invoice.id or 0, invoice.number),
    )


def _card_notices(session: Session, actor: Principal, invoice_id: int, number: str) -> list[str]:
    """Disputes, and card refunds Xero hasn't taken, are for whoever runs the business's Stripe account (Owner,
    Office Admin, Sole Trader); a Stripe fee Xero hasn't taken, for whoever chooses its account (and Finance)."""
    notices = []
    if can(actor.role, Permission.CONNECT_STRIPE):
        disputes = session.exec(select(StripeDispute).where(StripeDispute.invoice_id == invoice_id)
                                .order_by(col(StripeDispute.created_at))).all()
        stuck = session.exec(select(StripeCredit).where(StripeCredit.invoice_id == invoice_id,
                                                        col(StripeCredit.sync_message).is_not(None))).all()
        notices += [dispute_message(dispute, number) for dispute in disputes] + [
            f"Invoice {number}: a card refund of {money(from_minor(credit.amount, credit.currency), credit.currency)} "
            f"is not in Xero. {credit.sync_message}" for credit in stuck]
    if can(actor.role, Permission.XERO_SETTINGS):
        fees = session.exec(select(StripePayment.fee_sync_message).where(
            StripePayment.invoice_id == invoice_id, col(StripePayment.fee_sync_message).is_not(None))).all()
        notices += [f"Invoice {number}: {fee}" for fee in fees]
    return notices


def _payment_view(session: Session, actor: Principal, p: Payment, cur: str) -> PaymentView:
    message = payment_sync_message(session, actor, p)
    may_choose = "Business Settings → Xero" in message and can(actor.role, Permission.XERO_SETTINGS)
    return PaymentView(
        paid_on=f"{p.paid_on:%d %b %Y}",
        amount=money(p.amount, cur),
        method=METHOD_LABELS.get(p.method, p.method)
        + (f" · refunded {money(p.refunded_amount, cur)}" if p.refunded_amount else ""),
        reference=p.reference or "",
        source=p.source,
        sync_label=SyncStatus(p.sync_status).label,
        sync_message=message,
        settings_href="/settings/xero" if may_choose else "",
    )


def payment_sync_message(session: Session, actor: Principal, payment: Payment) -> str:
    """Why a payment isn't in Xero: with no payment account for it, which setting and who can choose it."""
    if payment.sync_status == SyncStatus.SYNCED or payment.source == "xero":
        return ""
    setting = "Stripe payment account" if payment.source == "stripe" else "Payment account for manual payments"
    settings = session.get(XeroSettings, actor.business_id)
    chosen = settings and (settings.stripe_account if payment.source == "stripe" else settings.payment_account)
    if chosen or not _xero_connected(session, actor.business_id):
        return payment.sync_error_message or ""
    if can(actor.role, Permission.XERO_SETTINGS):
        return f"Not sent to Xero: choose the {setting} in Business Settings → Xero."
    return (f"Not sent to Xero: the {setting} isn't chosen. Ask your {SETTINGS_ROLES} to choose it in "
            "Business Settings → Xero.")


def _xero_connected(session: Session, business_id: int) -> bool:
    connection = session.exec(select(XeroConnection).where(XeroConnection.business_id == business_id)).first()
    return connection is not None and connection.status == ConnectionStatus.CONNECTED


def _origin(session: Session, quote_id: int | None, job_id: int | None) -> str:
    if quote_id and (quote := session.get(Quote, quote_id)):
        return f"From quote {quote.number} · {quote.title}"
    if job_id and (job := session.get(Job, job_id)):
        return f"From job · {job.title}"
    return ""


def _unit_price(amount: Decimal, currency: str) -> str:
    """Unit prices may carry four decimals (Xero's unitdp=4); show them only when they are used."""
    if amount == amount.quantize(Decimal("0.01")):
        return money(amount, currency)
    return money(Decimal(0), currency).replace("0.00", plain_number(amount))
