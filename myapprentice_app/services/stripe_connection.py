"""Connecting a business's Stripe account (Connect, Account Links), its status, and disconnecting it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlmodel import Session, col, select

from myapprentice_app.config import get_settings
from myapprentice_app.db import locked, utcnow
from myapprentice_app.domain.roles import Permission
from myapprentice_app.integrations.stripe import client as stripe_api
from myapprentice_app.models import Business, StripeAccount, StripeCheckout, StripeEvent
from myapprentice_app.services import audit, follow_up
from myapprentice_app.services.errors import ActionRefused
from myapprentice_app.services.principal import Principal

NEEDS_MFA = "Confirm it's you with a code from your authenticator app first."
NEEDS_MFA_SETUP = "Set up two-step sign-in (Business Settings → Security) before connecting Stripe."
REQUIREMENT_LABELS = {
    "external_account": "a bank account for payouts",
    "tos_acceptance.date": "acceptance of Stripe's terms",
    "tos_acceptance.ip": "acceptance of Stripe's terms",
    "business_profile.url": "the business's website",
    "business_profile.mcc": "the business's industry",
    "representative.dob.day": "the representative's date of birth",
}


@dataclass
class StripeView:
    status: str = "not_connected"  # not_connected | onboarding | connected | restricted
    label: str = "Not connected"
    account_id: str = ""
    charges_enabled: bool = False
    missing: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # webhook events to review (Owner/Admin)


def onboarding_urls() -> tuple[str, str]:
    base = get_settings().app_url.rstrip("/")
    return f"{base}/api/stripe/onboarding/refresh", f"{base}/api/stripe/onboarding/return"


def stripe_view(session: Session, actor: Principal) -> StripeView:
    actor.require(Permission.CONNECT_STRIPE)
    view = view_for(session, actor.business_id)
    view.problems = [f"{event.type} {event.id}: {event.problem}" for event in session.exec(
        select(StripeEvent).where(StripeEvent.business_id == actor.business_id, StripeEvent.status == "needs_review")
        .order_by(col(StripeEvent.received_at).desc()).limit(20))]
    return view


def view_for(session: Session, business_id: int) -> StripeView:
    account = account_of(session, business_id)
    if account is None:
        return StripeView()
    missing = [REQUIREMENT_LABELS.get(name, name.replace("_", " ").replace(".", " ")) for name in
               account.currently_due.split(",") if name]
    if account.charges_enabled:
        status, label = "connected", "Connected · charges enabled"
    elif account.details_submitted:
        status, label = "restricted", "Connected · charges not enabled yet"
    else:
        status, label = "onboarding", "Onboarding not finished"
    return StripeView(status=status, label=label, account_id=account.account_id,
                      charges_enabled=account.charges_enabled, missing=list(dict.fromkeys(missing)))


def start_connect(session: Session, actor: Principal) -> str:
    """The URL of Stripe's onboarding for this business's connected account (made now if it has none)."""
    _require_step_up(actor)
    if account_of(session, actor.business_id) is None:
        business = session.get(Business, actor.business_id)
        assert business is not None
        created = stripe_api.create_account(business.country, business.email, actor.business_id)
        # Stripe gives a second tab connecting at the same moment the same account (the Idempotency-Key is the
        # business's): looked for again with the business locked, it is stored once.
        locked(session, Business, actor.business_id)
        if account_of(session, actor.business_id) is None:
            account = StripeAccount(business_id=actor.business_id, account_id=created["id"],
                                    connected_by_user_id=actor.user_id)
            apply_account(account, created)
            session.add(account)
            audit.record(session, actor, actor.business_id, "stripe.account_created", detail=account.account_id)
        session.commit()
    return onboarding_link(session, actor)


def onboarding_link(session: Session, actor: Principal) -> str:
    """A fresh single-use onboarding link (Stripe's refresh_url lands here when one has expired). The form it
    opens takes the bank account payouts go to: the same fresh code as connecting."""
    _require_step_up(actor)
    account = account_of(session, actor.business_id)
    if account is None:
        raise ActionRefused("Stripe isn't connected. Start again from Business Settings → Integrations.")
    refresh, back = onboarding_urls()
    return stripe_api.account_link(account.account_id, refresh, back)


def refresh_status(session: Session, actor: Principal) -> StripeView:
    """Back from onboarding: ask Stripe how the account stands now (returning doesn't mean it's finished)."""
    actor.require(Permission.CONNECT_STRIPE)
    account = account_of(session, actor.business_id)
    if account is None:
        return StripeView()
    apply_account(account, stripe_api.retrieve_account(account.account_id))
    session.commit()
    return stripe_view(session, actor)


def disconnect(session: Session, actor: Principal) -> None:
    _require_step_up(actor)
    account = account_of(session, actor.business_id)
    if account is None:
        return
    session.delete(account)
    audit.record(session, actor, actor.business_id, "stripe.disconnected", detail=account.account_id)
    session.commit()
    for invoice_id in session.exec(select(StripeCheckout.invoice_id).where(
            StripeCheckout.account_id == account.account_id, StripeCheckout.status == "open").distinct()).all():
        follow_up.enqueue("close_stripe_checkouts", invoice_id)  # no open page may take a card any more


def apply_account(account: StripeAccount, body: dict[str, Any]) -> None:
    requirements = body.get("requirements") or {}
    account.charges_enabled = bool(body.get("charges_enabled"))
    account.payouts_enabled = bool(body.get("payouts_enabled"))
    account.details_submitted = bool(body.get("details_submitted"))
    account.currently_due = ",".join(requirements.get("currently_due") or [])[:4000]
    account.disabled_reason = requirements.get("disabled_reason")
    account.country = body.get("country") or account.country
    account.status = "connected" if account.charges_enabled else "onboarding"
    account.updated_at = utcnow()


def account_of(session: Session, business_id: int) -> StripeAccount | None:
    return session.exec(select(StripeAccount).where(StripeAccount.business_id == business_id)).first()


def account_by_stripe_id(session: Session, account_id: str | None) -> StripeAccount | None:
    if not account_id:
        return None
    return session.exec(select(StripeAccount).where(StripeAccount.account_id == account_id)).first()


def _require_step_up(actor: Principal) -> None:
    actor.require(Permission.CONNECT_STRIPE)
    if not actor.mfa_enabled:
        raise ActionRefused(NEEDS_MFA_SETUP)
    if not actor.recent_mfa:
        raise ActionRefused(NEEDS_MFA)
