"""Send to client: the email carries the invoice summary and its pay link; sending authorises the invoice.

With SMTP_URL set it goes through a real SMTP server (aiosmtpd on a free local port); without, to the outbox.
"""

from __future__ import annotations

import email
import socket
from collections.abc import Iterator
from dataclasses import replace

import pytest
from aiosmtpd.controller import Controller
from sqlmodel import Session, select

from myapprentice_app.config import get_settings
from myapprentice_app.domain.roles import Role
from myapprentice_app.models import AuditEvent, EmailMessage
from myapprentice_app.selectors.outbox import outbox
from myapprentice_app.services import invoice_delivery, invoices, team
from myapprentice_app.services.email import EmailNotSent
from myapprentice_app.services.errors import ActionRefused, ValidationFailed
from tests.integration.invoicing_helpers import client, draft, gst


class Inbox:
    def __init__(self) -> None:
        self.messages: list[email.message.Message] = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's hook name)
        self.messages.append(email.message_from_bytes(envelope.content))
        return "250 OK"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def smtp_inbox(monkeypatch: pytest.MonkeyPatch) -> Iterator[Inbox]:
    inbox = Inbox()
    port = _free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    monkeypatch.setenv("SMTP_URL", f"smtp://127.0.0.1:{port}")
    get_settings.cache_clear()
    yield inbox
    controller.stop()
    monkeypatch.delenv("SMTP_URL")
    get_settings.cache_clear()


@pytest.fixture
def no_smtp(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.delenv("SMTP_URL", raising=False)
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def _draft_invoice(session: Session, actor) -> int:
    return invoices.create_invoice(session, actor, draft(client(session, actor), gst(session, actor))).id


def test_sending_a_draft_by_smtp_delivers_the_summary_and_pay_link_and_marks_it_sent(
    session: Session, make_actor, smtp_inbox: Inbox
) -> None:
    supervisor = make_actor(Role.SUPERVISOR)
    invoice_id = _draft_invoice(session, supervisor)

    review = invoice_delivery.draft_email(session, supervisor, invoice_id)
    invoice_delivery.send_to_client(session, supervisor, invoice_id, review)

    [received] = smtp_inbox.messages
    assert received["To"] == "accounts@harbourside.test"
    assert received["Subject"] == "Invoice INV-0001 from Test Electrical"
    body = received.get_payload()
    assert "Total: $627.00" in body and "/pay/" in body
    invoice = invoices.get_invoice(session, supervisor, invoice_id)
    assert invoice.status == "sent" and invoice.sent_at is not None
    assert invoice_delivery.pay_link(invoice) in body
    assert session.exec(select(EmailMessage.transport)).all() == ["smtp"]


def test_a_refusing_mail_server_leaves_the_invoice_a_draft(
    session: Session, make_actor, monkeypatch: pytest.MonkeyPatch
) -> None:
    owner = make_actor(Role.OWNER)
    invoice_id = _draft_invoice(session, owner)
    monkeypatch.setenv("SMTP_URL", f"smtp://127.0.0.1:{_free_port()}")  # nothing listens there
    get_settings.cache_clear()
    try:
        review = invoice_delivery.draft_email(session, owner, invoice_id)
        with pytest.raises(EmailNotSent, match="Nothing was marked as sent"):
            invoice_delivery.send_to_client(session, owner, invoice_id, review)
    finally:
        monkeypatch.delenv("SMTP_URL")
        get_settings.cache_clear()
    session.rollback()
    assert invoices.get_invoice(session, owner, invoice_id).status == "draft"
    assert session.exec(select(EmailMessage)).all() == []


def test_without_smtp_the_email_lands_in_the_outbox_the_app_shows(
    session: Session, make_actor, no_smtp
) -> None:
    finance = make_actor(Role.FINANCE)
    invoice_id = _draft_invoice(session, finance)
    review = invoice_delivery.draft_email(session, finance, invoice_id)
    review.body += "\nP.S. Thanks for the coffee."

    invoice_delivery.send_to_client(session, finance, invoice_id, review)

    [shown] = outbox(session, finance)
    assert shown.to_address == "accounts@harbourside.test" and shown.invoice_number == "INV-0001"
    assert shown.body.endswith("P.S. Thanks for the coffee.") and shown.transport == "Outbox"
    events = session.exec(select(AuditEvent.action).order_by(AuditEvent.id)).all()
    assert events[-2:] == ["invoice.emailed", "invoice.sent"]


def test_a_bad_address_is_refused_and_a_voided_invoice_cannot_be_sent(
    session: Session, make_actor, no_smtp
) -> None:
    owner = make_actor(Role.OWNER)
    invoice_id = _draft_invoice(session, owner)
    review = invoice_delivery.draft_email(session, owner, invoice_id)
    review.to_address = "not an email"
    with pytest.raises(ValidationFailed) as refused:
        invoice_delivery.send_to_client(session, owner, invoice_id, review)
    assert list(refused.value.errors) == ["to_address"]

    invoices.void_invoice(session, owner, invoice_id)
    with pytest.raises(ActionRefused, match="voided invoice can't be sent"):
        invoice_delivery.draft_email(session, owner, invoice_id)


def test_a_subject_split_over_two_lines_or_an_address_longer_than_any_is_refused_field_by_field(
    session: Session, make_actor, smtp_inbox: Inbox
) -> None:
    owner = make_actor(Role.OWNER)
    invoice_id = _draft_invoice(session, owner)
    review = invoice_delivery.draft_email(session, owner, invoice_id)
    review.subject = "Invoice INV-0001\r\nBcc: someone@elsewhere.test"
    review.to_address = "a" * 320 + "@client.test"

    with pytest.raises(ValidationFailed) as refused:
        invoice_delivery.send_to_client(session, owner, invoice_id, review)

    assert refused.value.errors == {"to_address": "Enter the client's email address, like accounts@client.com.",
                                    "subject": "Keep the subject on one line."}
    assert smtp_inbox.messages == []


def test_an_invitation_from_a_long_business_name_and_sender_name_is_emailed_on_one_subject_line(
    session: Session, make_actor, smtp_inbox: Inbox
) -> None:
    owner = replace(make_actor(Role.OWNER), name="Sam " + "Sparks " * 13, business_name="Bright\nSpark " * 20)

    team.invite(session, owner, email_address="nina@invites.test", name="Nina", role="finance")

    [received] = smtp_inbox.messages
    subject = session.exec(select(EmailMessage.subject)).one()
    assert subject.startswith("Sam Sparks Sparks") and "\n" not in subject and len(subject) == 300
    assert " ".join(received["Subject"].split()) == subject  # one header (a long one is folded on the wire)
