"""Business Settings → Business: what doesn't fit is refused field by field, never cut short in silence."""

from __future__ import annotations

import pytest
from sqlmodel import Session

from myapprentice_app.domain.roles import Role
from myapprentice_app.models import Business
from myapprentice_app.services import business, invoice_delivery, invoices
from myapprentice_app.services.business import BusinessDetails
from myapprentice_app.services.errors import ValidationFailed
from tests.integration.invoicing_helpers import client, draft, gst


def test_details_too_long_for_their_fields_or_a_name_on_two_lines_are_refused_and_nothing_changes(
        session: Session, make_actor) -> None:
    owner = make_actor(Role.OWNER)
    too_much = BusinessDetails(name="Bright\nSpark Electrical", email="a" * 320 + "@spark.test",
                               phone="02 9000 0000 (office), 0400 000 000 (after hours)",
                               abn="51 824 753 556 (Bright Spark Trust)")

    with pytest.raises(ValidationFailed) as refused:
        business.update_business(session, owner, too_much)

    assert refused.value.errors == {
        "name": "Keep the name on one line.",
        "email": "Keep the email address under 320 characters.",
        "phone": "Keep the phone number under 40 characters.",
        "abn": "Keep the ABN under 20 characters.",
    }
    session.rollback()
    assert session.get(Business, owner.business_id).abn is None  # type: ignore[union-attr]


def test_an_abn_and_phone_that_fit_are_kept_whole(session: Session, make_actor) -> None:
    owner = make_actor(Role.OWNER)

    business.update_business(session, owner, BusinessDetails(name="Bright Spark Electrical", phone="02 9000 0000",
                                                             abn="51 824 753 556"))

    saved = session.get(Business, owner.business_id)
    assert saved is not None and (saved.phone, saved.abn) == ("02 9000 0000", "51 824 753 556")


@pytest.mark.parametrize("name", [
    "Sparky 👩\u200d🔧 Electrical", "Smith\u00a0& Sons", "Bright\u200bSpark", "שמש\u200f Electrical"])
def test_a_name_with_an_emoji_a_no_break_space_or_a_direction_mark_is_saved_and_heads_its_invoices_emails(
        session: Session, make_actor, name: str) -> None:
    owner = make_actor(Role.OWNER)
    business.update_business(session, owner, BusinessDetails(name=name))
    invoice = invoices.create_invoice(session, owner, draft(client(session, owner), gst(session, owner)))

    review = invoice_delivery.draft_email(session, owner, invoice.id or 0)
    invoice_delivery.send_to_client(session, owner, invoice.id or 0, review)

    assert review.subject == f"Invoice INV-0001 from {name}"
    assert invoices.get_invoice(session, owner, invoice.id or 0).status == "sent"
