"""Outgoing email: through SMTP when SMTP_URL is set, otherwise kept in the in-app outbox.

Either way every message is stored, so the app can show what was sent, to whom and when.
SMTP_URL forms: smtp://host:port, smtp://user:password@host:port?starttls=1, smtps://user:password@host:465.
"""

from __future__ import annotations

import smtplib
from dataclasses import dataclass, replace
from email.message import EmailMessage as MimeMessage
from email.utils import formataddr, make_msgid
from urllib.parse import parse_qs, unquote, urlsplit

from sqlmodel import Session

from myapprentice_app.config import get_settings
from myapprentice_app.models import EmailMessage
from myapprentice_app.services.principal import Principal

SMTP_TIMEOUT_SECONDS = 15
SUBJECT_LENGTH = EmailMessage.__table__.c.subject.type.length  # type: ignore[attr-defined]
WITHHELD = "[link withheld: it was emailed]"


class EmailNotSent(Exception):
    """The mail server refused or could not be reached; the message is safe to show."""


@dataclass(frozen=True)
class Outgoing:
    to_address: str
    subject: str
    body: str
    from_name: str = "MyApprentice"
    reply_to: str | None = None
    # A part of the body that lets its reader in (an invitation link): the stored copy keeps it only when the
    # outbox is how the message reaches its reader (no SMTP). Emailed, the database holds it no more than the
    # token's hash.
    secret: str = ""


def send(
    session: Session,
    actor: Principal | None,
    business_id: int,
    message: Outgoing,
    invoice_id: int | None = None,
) -> EmailMessage:
    """Deliver one message and add its record to the caller's transaction (the caller commits).

    Raises EmailNotSent when SMTP is configured and delivery fails; nothing is recorded as sent then.
    """
    # Headers made from names people typed (the business's, the sender's) are one line that fits: a line break
    # in a header would start another one, and the mail library refuses it.
    message = replace(message, subject=_one_line(message.subject)[:SUBJECT_LENGTH],
                      from_name=_one_line(message.from_name))
    settings = get_settings()
    record = EmailMessage(
        business_id=business_id,
        invoice_id=invoice_id,
        sent_by_user_id=actor.user_id if actor else None,
        to_address=message.to_address,
        subject=message.subject,
        body=message.body,
    )
    if settings.smtp_url:
        _deliver(settings.smtp_url, settings.mail_from, message)
        record.transport = "smtp"
        if message.secret:
            record.body = message.body.replace(message.secret, WITHHELD)
    session.add(record)
    return record


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _deliver(smtp_url: str, mail_from: str, message: Outgoing) -> None:
    mime = MimeMessage()
    mime["From"] = formataddr((message.from_name, mail_from))
    mime["To"] = message.to_address
    mime["Subject"] = message.subject
    mime["Message-ID"] = make_msgid(domain=mail_from.partition("@")[2] or None)
    if message.reply_to:
        mime["Reply-To"] = message.reply_to
    mime.set_content(message.body)
    url = urlsplit(smtp_url)
    options = parse_qs(url.query)
    try:
        client_class = smtplib.SMTP_SSL if url.scheme == "smtps" else smtplib.SMTP
        with client_class(
            url.hostname or "localhost",
            url.port or (465 if url.scheme == "smtps" else 25),
            timeout=SMTP_TIMEOUT_SECONDS,
        ) as client:
            if options.get("starttls", ["0"])[0] in {"1", "true", "yes"}:
                client.starttls()
            if url.username:
                client.login(unquote(url.username), unquote(url.password or ""))
            client.send_message(mime)
    except (OSError, smtplib.SMTPException) as failure:
        raise EmailNotSent(
            f'The email couldn\'t be sent: the mail server said "{failure}". '
            "Nothing was marked as sent; try again in a moment."
        ) from failure
