"""Business details and the team, as Business Settings changes them."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, col, select

from myapprentice_app.domain.roles import Permission, Role
from myapprentice_app.domain.stored_text import one_line
from myapprentice_app.domain.whole_numbers import whole_number
from myapprentice_app.models import Business, Membership, User
from myapprentice_app.services import audit
from myapprentice_app.services.auth import EMAIL_LENGTH, EMAIL_PATTERN
from myapprentice_app.services.errors import ValidationFailed
from myapprentice_app.services.principal import Principal


@dataclass
class BusinessDetails:
    name: str = ""
    email: str = ""
    phone: str = ""
    abn: str = ""
    address: str = ""
    payment_terms_days: str = "14"


@dataclass
class TeamMember:
    user_id: int = 0
    name: str = ""
    email: str = ""
    role: str = ""
    role_label: str = ""


def business_details(session: Session, actor: Principal) -> BusinessDetails:
    actor.require(Permission.BUSINESS_SETTINGS)
    business = session.get(Business, actor.business_id)
    assert business is not None
    return BusinessDetails(name=business.name, email=business.email or "", phone=business.phone or "",
                           abn=business.abn or "", address=business.address or "",
                           payment_terms_days=str(business.payment_terms_days))


def update_business(session: Session, actor: Principal, details: BusinessDetails) -> None:
    actor.require(Permission.BUSINESS_SETTINGS)
    problems = {}
    if not details.name.strip():
        problems["name"] = "Enter the business name."
    elif len(details.name) > 200:
        problems["name"] = "Keep the name under 200 characters."
    elif not one_line(details.name):  # it heads every email the business sends
        problems["name"] = "Keep the name on one line."
    if details.email.strip() and not EMAIL_PATTERN.match(details.email.strip()):
        problems["email"] = "Enter an email address like accounts@business.com."
    for field, label, limit in (("email", "the email address", EMAIL_LENGTH), ("phone", "the phone number", 40),
                                ("abn", "the ABN", 20)):
        if len(getattr(details, field).strip()) > limit:
            problems[field] = f"Keep {label} under {limit} characters."
    days = whole_number(details.payment_terms_days)
    if days is None or not 0 <= days <= 365:
        problems["payment_terms_days"] = "Enter a number of days from 0 to 365."
    if len(details.address) > 500:
        problems["address"] = "Keep the address under 500 characters."
    if problems:
        raise ValidationFailed(problems)
    business = session.get(Business, actor.business_id)
    assert business is not None
    business.name = details.name.strip()
    business.email = details.email.strip() or None
    business.phone = details.phone.strip() or None
    business.abn = details.abn.strip() or None
    business.address = details.address.strip() or None
    business.payment_terms_days = int(details.payment_terms_days)
    audit.record(session, actor, actor.business_id, "settings.business_changed")
    session.commit()


def team(session: Session, actor: Principal) -> list[TeamMember]:
    actor.require(Permission.BUSINESS_SETTINGS)
    rows = session.exec(
        select(Membership, User).join(User, col(User.id) == Membership.user_id)
        .where(Membership.business_id == actor.business_id).order_by(User.name)
    )
    return [TeamMember(user_id=user.id or 0, name=user.name, email=user.email, role=membership.role,
                       role_label=Role(membership.role).label) for membership, user in rows]
