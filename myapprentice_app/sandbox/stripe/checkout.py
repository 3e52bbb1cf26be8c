"""/v1/checkout/sessions (create, retrieve, list, expire, line items) and paying a session with a card,
which the hosted page and the admin API both use."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from . import checkout_object, forms, money
from .api import Context, page
from .cards import AUTHENTICATE, SUCCEED, Card, Decline, digits, luhn_valid
from .errors import StripeError, invalid
from .events import emit
from .payments import charge_card, finish_authentication, new_payment_intent
from .store import new_id

if TYPE_CHECKING:
    from .runtime import Sandbox

DEFAULT_LIFETIME, MIN_LIFETIME, MAX_LIFETIME = 24 * 3600, 30 * 60, 24 * 3600
CREATE_PARAMS = {
    "mode",
    "line_items",
    "success_url",
    "cancel_url",
    "client_reference_id",
    "metadata",
    "payment_intent_data",
    "customer_email",
    "expires_at",
    "payment_method_types",
    "locale",
    "submit_type",
    "currency",
    "ui_mode",
}
PI_DATA_PARAMS = {"metadata", "description", "application_fee_amount", "receipt_email", "statement_descriptor"}


def _line_items(params: dict[str, Any]) -> tuple[str, int, list[dict[str, Any]]]:
    items = params.get("line_items")
    if not items:
        raise forms.missing_param("line_items")
    if not isinstance(items, list):
        raise invalid("Invalid array", "line_items")
    currencies, total, stored = set(), 0, []
    for index, item in enumerate(items):
        prefix = f"line_items[{index}]"
        if not isinstance(item, dict):
            raise invalid("Invalid object", prefix)
        forms.check_known(item, {"price_data", "quantity", "price"}, prefix)
        if "price" in item:
            raise StripeError(
                404, f"No such price: '{item['price']}'", code="resource_missing", param=f"{prefix}[price]"
            )
        data = forms.mapping(item, "price_data", required=True, prefix=prefix)
        data_prefix = f"{prefix}[price_data]"
        forms.check_known(data, {"currency", "unit_amount", "product_data"}, data_prefix)
        code = money.currency(data, prefix=data_prefix)
        unit = forms.integer(data, "unit_amount", required=True, minimum=0, prefix=data_prefix)
        product = forms.mapping(data, "product_data", required=True, prefix=data_prefix)
        name = forms.text(product, "name", required=True, prefix=f"{data_prefix}[product_data]")
        quantity = forms.integer(item, "quantity", required=True, minimum=1, prefix=prefix)
        assert unit is not None and quantity is not None
        currencies.add(code)
        total += unit * quantity
        stored.append({"description": name, "currency": code, "unit_amount": unit, "quantity": quantity})
    if len(currencies) > 1:
        raise invalid("All line items must use the same currency.", "line_items")
    code = currencies.pop()
    if total:
        money.amount({"amount": str(total)}, code, prefix="line_items", name="amount")
    return code, total, stored


def create(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    forms.check_known(params, CREATE_PARAMS)
    mode = forms.choice(params, "mode", ("payment", "setup", "subscription"), required=True)
    if mode != "payment":
        raise invalid("This sandbox supports mode=payment only.", "mode")
    account = ctx.store.objects[ctx.account]
    if not account["charges_enabled"]:
        raise invalid(
            f"The account {ctx.account} cannot create charges yet: it has not finished onboarding "
            "(charges_enabled is false).",
            code="account_invalid",
        )
    success_url = forms.text(params, "success_url", required=True)
    for name in ("success_url", "cancel_url"):
        url = forms.text(params, name)
        if url is not None and not url.startswith(("http://", "https://")):
            raise invalid("Not a valid URL", name, "url_invalid")
    reference = forms.text(params, "client_reference_id")
    if reference is not None and len(reference) > 200:
        raise invalid("client_reference_id can be at most 200 characters.", "client_reference_id")
    now = ctx.store.now()
    expires_at = forms.integer(params, "expires_at") or now + DEFAULT_LIFETIME
    if not now + MIN_LIFETIME <= expires_at <= now + MAX_LIFETIME:
        raise invalid(
            "The `expires_at` timestamp must be between 30 minutes and 24 hours from Checkout Session creation.",
            "expires_at",
        )
    pi_data = forms.mapping(params, "payment_intent_data")
    forms.check_known(pi_data, PI_DATA_PARAMS, "payment_intent_data")
    fee = forms.integer(pi_data, "application_fee_amount", minimum=0, prefix="payment_intent_data")
    if fee is not None and not ctx.connected:
        raise invalid(
            "Can only apply an application_fee_amount when the PaymentIntent is attempting a direct payment "
            "(using an OAuth key or Stripe-Account header) or destination payment.",
            "payment_intent_data[application_fee_amount]",
        )
    forms.strings(params, "payment_method_types")
    code, total, line_items = _line_items(params)
    fields = {
        "success_url": success_url,
        "cancel_url": forms.text(params, "cancel_url"),
        "client_reference_id": reference,
        "customer_email": forms.text(params, "customer_email"),
        "metadata": forms.metadata(params),
        "locale": forms.text(params, "locale"),
        "submit_type": forms.choice(params, "submit_type", ("auto", "book", "donate", "pay", "subscribe")),
    }
    cs_id = new_id("cs")
    session = checkout_object.session(cs_id, now, expires_at, code, total, ctx.base_url, fields)
    ctx.store.state.setdefault("sessions", {})[cs_id] = {
        "line_items": line_items,
        "payment_intent_data": {
            "metadata": forms.metadata(pi_data),
            "description": forms.text(pi_data, "description"),
            "application_fee_amount": fee,
            "receipt_email": forms.text(pi_data, "receipt_email") or fields["customer_email"],
        },
    }
    return ctx.store.put(session, ctx.account)


def retrieve(ctx: Context, params: dict[str, Any], id: str) -> dict[str, Any]:
    return ctx.store.get("checkout.session", id, ctx.account, "session")


def list_all(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    forms.check_known(params, {"limit", "starting_after", "ending_before", "payment_intent", "status", "created"})
    sessions = ctx.store.all("checkout.session", ctx.account)
    for name in ("payment_intent", "status"):
        wanted = forms.text(params, name)
        if wanted:
            sessions = [s for s in sessions if s[name] == wanted]
    return page(sessions, params, "/v1/checkout/sessions")


def line_items(ctx: Context, params: dict[str, Any], id: str) -> dict[str, Any]:
    session = ctx.store.get("checkout.session", id, ctx.account, "session")
    items = [
        {
            "id": f"li_{id[8:32]}{index}",
            "object": "item",
            "amount_discount": 0,
            "amount_subtotal": item["unit_amount"] * item["quantity"],
            "amount_tax": 0,
            "amount_total": item["unit_amount"] * item["quantity"],
            "currency": item["currency"],
            "description": item["description"],
            "quantity": item["quantity"],
        }
        for index, item in enumerate(ctx.store.state["sessions"][session["id"]]["line_items"])
    ]
    return page(items, params, f"/v1/checkout/sessions/{id}/line_items")


def expire(ctx: Context, params: dict[str, Any], id: str) -> dict[str, Any]:
    session = ctx.store.get("checkout.session", id, ctx.account, "session")
    if session["status"] != "open":
        raise invalid(
            f'Only Checkout Sessions with a status in ["open"] can be expired. This Checkout Session has a '
            f'status of "{session["status"]}".',
            "session",
        )
    return expire_session(ctx.sandbox, session, ctx)


def expire_session(sandbox: Sandbox, session: dict[str, Any], ctx: Context | None = None) -> dict[str, Any]:
    session.update(status="expired", url=None)
    pi = sandbox.store.find(session["payment_intent"]) if session["payment_intent"] else None
    if pi is not None and pi["status"] != "succeeded":
        pi.update(status="canceled", canceled_at=sandbox.store.now(), cancellation_reason="abandoned")
    sandbox.store.changed()
    emit(sandbox, "checkout.session.expired", session, _connect(sandbox, session), ctx=ctx)
    return session


def expire_due(sandbox: Sandbox) -> int:
    now = sandbox.store.now()
    due = [s for s in sandbox.store.all("checkout.session") if s["status"] == "open" and s["expires_at"] <= now]
    for session in due:
        expire_session(sandbox, session)
    return len(due)


def _connect(sandbox: Sandbox, session: dict[str, Any]) -> str | None:
    owner = sandbox.store.owner(session["id"])
    return owner if owner != sandbox.store.platform else None


# -- paying (the hosted page and /sandbox-admin/) ----------------------------------------------------


@dataclass
class Attempt:
    status: str  # "succeeded", "requires_action", "declined" or "invalid"
    message: str = ""
    code: str | None = None


def pay(
    sandbox: Sandbox, session: dict[str, Any], number: str, email: str | None, name: str | None, base_url: str
) -> Attempt:
    if session["status"] != "open":
        return Attempt("invalid", f"This Checkout Session is {session['status']}.", "session_not_open")
    number = digits(number)
    if not luhn_valid(number):
        return Attempt("invalid", "Your card number is incorrect.", "incorrect_number")
    account = sandbox.store.owner(session["id"]) or sandbox.store.platform
    extras = sandbox.store.state["sessions"][session["id"]]
    extras["customer"] = {"email": email or session["customer_email"], "name": name}
    pi = sandbox.store.find(session["payment_intent"]) if session["payment_intent"] else None
    if pi is None:
        data = extras["payment_intent_data"]
        pi = new_payment_intent(
            sandbox,
            account,
            session["amount_total"],
            session["currency"],
            dict(data["metadata"]),
            data["description"],
            data["application_fee_amount"],
            data["receipt_email"],
        )
        session["payment_intent"] = pi["id"]
    return _settle(sandbox, session, charge_card(sandbox, account, pi, Card(number), base_url))


def authenticate(sandbox: Sandbox, session: dict[str, Any], success: bool, base_url: str) -> Attempt:
    pi = sandbox.store.find(session["payment_intent"]) if session["payment_intent"] else None
    if session["status"] != "open" or pi is None or pi["status"] != "requires_action":
        return Attempt("invalid", "There is no payment waiting for authentication.", "payment_intent_unexpected_state")
    account = sandbox.store.owner(session["id"]) or sandbox.store.platform
    return _settle(sandbox, session, finish_authentication(sandbox, account, pi, success, base_url))


def _settle(sandbox: Sandbox, session: dict[str, Any], outcome: str | Decline) -> Attempt:
    sandbox.store.changed()
    if outcome == AUTHENTICATE:
        return Attempt("requires_action", "Your bank asks you to confirm this payment.")
    if isinstance(outcome, Decline):
        return Attempt("declined", outcome.message, outcome.code)
    assert outcome == SUCCEED
    customer = sandbox.store.state["sessions"][session["id"]].get("customer", {})
    session.update(
        status="complete",
        payment_status="paid",
        url=None,
        customer_details=checkout_object.customer_details(customer.get("email"), customer.get("name")),
        collected_information=checkout_object.collected_information(customer.get("name")),
    )
    emit(sandbox, "checkout.session.completed", session, _connect(sandbox, session))
    return Attempt("succeeded")


def redirect_url(session: dict[str, Any], which: str) -> str | None:
    url = session.get(which)
    return url.replace("{CHECKOUT_SESSION_ID}", session["id"]) if url else None
