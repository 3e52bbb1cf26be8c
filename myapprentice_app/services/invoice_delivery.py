"""Send to client: review the email, send it (SMTP or the outbox), and the invoice becomes Sent."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from sqlmodel import Session, col, select

from myapprentice_app.config import get_settings
from myapprentice_app.domain.invoice_status import InvoiceStatus
from myapprentice_app.domain.money import money
from myapprentice_app.domain.roles import Permission
from myapprentice_app.domain.stored_text import one_line
from myapprentice_app.models import Business, Client, Invoice, LineItem
from myapprentice_app.services import audit, email, invoices
from myapprentice_app.services.auth import EMAIL_LENGTH, EMAIL_PATTERN
from myapprentice_app.services.errors import ActionRefused, ValidationFailed
from myapprentice_app.services.principal import Principal

SENDABLE = {InvoiceStatus.DRAFT, InvoiceStatus.AUTHORISED, InvoiceStatus.SENT, InvoiceStatus.PART_PAID}
MAX_BODY = 20_000


@dataclass
class EmailDraft:
    to_address: str = ""
    subject: str = ""
    body: str = ""


def pay_link(invoice: Invoice) -> str:
    return f"{get_settings().app_url.rstrip('/')}/pay/{invoice.pay_token}" if invoice.pay_token else ""


def draft_email(session: Session, actor: Principal, invoice_id: int) -> EmailDraft:
    """The email as it will go out, for the person to review and adjust before sending."""
    actor.require(Permission.EDIT_INVOICES)
    # Locked: emails drafted in two tabs at the same moment carry the same pay link, not one that no longer works
    invoice = _sendable(session, actor, invoice_id, to_change=True)
    _ensure_pay_token(invoice)
    session.commit()
    client = session.get(Client, invoice.client_id)
    business = session.get(Business, invoice.business_id)
    assert client is not None and business is not None
    return EmailDraft(
        to_address=client.email or "",
        subject=f"Invoice {invoice.number} from {business.name}",
        body=_body(session, invoice, client, business),
    )


def send_to_client(session: Session, actor: Principal, invoice_id: int, draft: EmailDraft) -> Invoice:
    """Email the invoice; a draft is authorised by sending. Raises email.EmailNotSent if SMTP refuses."""
    actor.require(Permission.EDIT_INVOICES)
    invoice = _sendable(session, actor, invoice_id)
    problems = {}
    if not EMAIL_PATTERN.match(draft.to_address.strip()) or len(draft.to_address.strip()) > EMAIL_LENGTH:
        problems["to_address"] = "Enter the client's email address, like accounts@client.com."
    if not draft.subject.strip() or len(draft.subject.strip()) > 300:
        problems["subject"] = "Enter a subject of up to 300 characters."
    elif not one_line(draft.subject):
        problems["subject"] = "Keep the subject on one line."
    if not draft.body.strip() or len(draft.body) > MAX_BODY:
        problems["body"] = f"Write a message of up to {MAX_BODY:,} characters."
    if problems:
        raise ValidationFailed(problems)
    _ensure_pay_token(invoice)
    business = session.get(Business, invoice.business_id)
    email.send(
        session,
        actor,
        invoice.business_id,
        email.Outgoing(
            to_address=draft.to_address.strip(),
            subject=draft.subject.strip(),
            body=draft.body,
            from_name=business.name if business else "MyApprentice",
            reply_to=business.email if business else None,
        ),
        invoice_id=invoice.id,
    )
    if invoice.status == InvoiceStatus.PART_PAID:
        audit.record(
            session,
            actor,
            invoice.business_id,
            "invoice.reminder_sent",
            target=invoice.number,
            detail=f"to {draft.to_address.strip()}",
        )
        session.commit()
        return invoice
    audit.record(
        session,
        actor,
        invoice.business_id,
        "invoice.emailed",
        target=invoice.number,
        detail=f"to {draft.to_address.strip()}",
    )
    return invoices.mark_sent(session, actor, invoice_id)


def _sendable(session: Session, actor: Principal, invoice_id: int, to_change: bool = False) -> Invoice:
    invoice = invoices.get_invoice(session, actor, invoice_id, to_change)
    if InvoiceStatus(invoice.status) not in SENDABLE:
        raise ActionRefused(f"A {InvoiceStatus(invoice.status).label.lower()} invoice can't be sent.")
    return invoice


def _ensure_pay_token(invoice: Invoice) -> None:
    if not invoice.pay_token:
        invoice.pay_token = secrets.token_urlsafe(24)


def _body(session: Session, invoice: Invoice, client: Client, business: Business) -> str:
    items = session.exec(
        select(LineItem).where(LineItem.invoice_id == invoice.id).order_by(col(LineItem.position))
    )
    lines = "\n".join(
        f"  - {item.description[:80]}: {money(item.line_amount, invoice.currency)}" for item in items
    )
    return (
        f"Hi {client.name},\n\n"
        f"Here is invoice {invoice.number} from {business.name}.\n\n"
        f"{lines}\n\n"
        f"Total: {money(invoice.total, invoice.currency)} "
        f"(includes {money(invoice.total_tax, invoice.currency)} tax)\n"
        f"Amount due: {money(invoice.amount_due, invoice.currency)} by {invoice.due_date:%d %B %Y}\n\n"
        f"Pay online: {pay_link(invoice)}\n\n"
        f"Thank you,\n{business.name}\n"
    )
