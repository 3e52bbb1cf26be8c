"""Stripe in the browser: an Owner (Xero already connected) connects Stripe through the step-up and Stripe's
onboarding; then a client opens the pay link from the invoice email, is declined once and told why, pays with
4242 on the hosted checkout, and sees Paid; the payment and Stripe's fee are in Xero."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pyotp
from playwright.sync_api import Browser, Page, expect
from sqlmodel import Session, col, select

from myapprentice_app.db import get_engine
from myapprentice_app.domain.roles import Role
from myapprentice_app.models import EmailMessage, Invoice, StripeAccount, StripePayment, XeroSettings
from tests.e2e.conftest import AppServer, _bright_spark, login, screenshot
from tests.support.waiting import wait_until
from tests.support.xero_sandbox import SandboxAdmin


def _code(secret: str, seconds_ahead: int = 0) -> str:
    return pyotp.TOTP(secret).at(dt.datetime.now(dt.UTC) + dt.timedelta(seconds=seconds_ahead))


def _connect_stripe_as_owner(page: Page, app_server: AppServer, owner: str) -> None:
    login(page, app_server, owner)
    page.goto(f"{app_server.url}/settings/security")
    page.get_by_role("button", name="Set up two-step sign-in").click()
    secret = page.get_by_test_id("mfa-secret").inner_text()
    page.get_by_placeholder("123456").fill(_code(secret))
    page.get_by_role("button", name="Turn on").click()
    expect(page.get_by_test_id("mfa-status")).to_have_text("On")

    page.get_by_role("link", name="Integrations").click()
    expect(page.get_by_test_id("xero-connection-status")).to_have_text("Connected")
    expect(page.get_by_test_id("stripe-connection-status")).to_have_text("Not connected")
    page.get_by_test_id("connect-stripe").click()
    page.get_by_test_id("stripe-step-up-code").fill(_code(secret))
    page.get_by_test_id("stripe-step-up-confirm").click()

    page.wait_for_url(f"{app_server.stripe_sandbox_url}/setup/s/**")
    page.get_by_label("Business name").fill("Bright Spark Electrical")
    page.get_by_role("button", name="Agree and submit").click()
    page.wait_for_url("**/settings/integrations?stripe=connected")
    expect(page.get_by_test_id("stripe-connection-status")).to_have_text("Connected · charges enabled")
    expect(page.get_by_test_id("xero-connection-status")).to_have_text("Connected")  # both, together
    screenshot(page, "stripe-connected")


def _send_and_push(page: Page, app_server: AppServer) -> Invoice:
    """Finance emails an authorised invoice to its client, then pushes it to Xero."""
    with Session(get_engine(app_server.database_url), expire_on_commit=False) as session:
        business = _bright_spark(session)
        invoice = session.exec(select(Invoice).where(Invoice.business_id == business.id, Invoice.status == "authorised",
                                                     Invoice.amount_paid == 0).order_by(col(Invoice.id))).first()
        assert invoice is not None
        settings = session.get(XeroSettings, business.id)
        assert settings is not None
        settings.stripe_account, settings.stripe_fee_account = "091", "429"  # Stripe as a bank account in Xero
        session.commit()
    page.goto(f"{app_server.url}/invoices/{invoice.id}")
    page.get_by_test_id("send-to-client").click()
    page.get_by_test_id("confirm-send").click()
    expect(page.get_by_test_id("invoice-status").first).to_have_text("Sent")
    page.get_by_test_id("push-to-xero").click()
    expect(page.get_by_test_id("xero-panel").get_by_test_id("sync-status")).to_have_text("Synced", timeout=30_000)
    return invoice


def _pay_link(app_server: AppServer, invoice: Invoice) -> str:
    with Session(get_engine(app_server.database_url)) as session:
        email = session.exec(select(EmailMessage).where(EmailMessage.invoice_id == invoice.id)
                             .order_by(col(EmailMessage.id).desc())).first()
        assert email is not None
        return re.search(r"Pay online: (\S+)", email.body).group(1)  # type: ignore[union-attr]


def test_a_client_pays_a_sent_invoice_by_card_and_it_turns_paid_with_the_payment_and_fee_in_xero(
        page: Page, browser: Browser, app_server: AppServer, new_member, xero_admin: SandboxAdmin,
        xero_connected: str) -> None:
    _connect_stripe_as_owner(page, app_server, new_member(Role.OWNER))
    invoice = _send_and_push(page, app_server)
    link = _pay_link(app_server, invoice)
    token = link.rsplit("/", 1)[1]
    assert link.startswith(f"{app_server.url}/pay/") and len(token) >= 32 and token != str(invoice.id)

    client = browser.new_context().new_page()  # the client: no account, no sign-in
    client.goto(link)
    expect(client.get_by_test_id("pay-business")).to_have_text("Bright Spark Electrical")
    expect(client.get_by_test_id("pay-amount-due")).to_contain_text(f"{invoice.total:,.2f}")
    client.get_by_test_id("pay-now").click()
    client.wait_for_url(f"{app_server.stripe_sandbox_url}/c/pay/**")
    client.get_by_label("Card number").fill("4000 0000 0000 0002")
    client.get_by_role("button", name="Pay").click()
    expect(client.get_by_role("alert")).to_have_text("Your card was declined.")
    screenshot(client, "stripe-declined")
    assert _status(app_server, invoice) == "sent"

    client.get_by_label("Card number").fill("4242 4242 4242 4242")
    client.get_by_role("button", name="Pay").click()
    client.wait_for_url(f"{link}/done**")
    expect(client.get_by_test_id("pay-status")).to_have_text("Paid", timeout=10_000)
    screenshot(client, "stripe-paid")
    wait_until(lambda: _status(app_server, invoice) == "paid", seconds=5, waiting_for="the invoice to be Paid")

    page.goto(f"{app_server.url}/invoices/{invoice.id}")
    expect(page.get_by_test_id("invoice-status").first).to_have_text("Paid")
    [in_xero] = wait_until(lambda: [p for p in xero_admin.stored(xero_connected, "payments")
                                    if p["Invoice"]["InvoiceNumber"] == invoice.number], seconds=30,
                           waiting_for="the payment in Xero")
    assert in_xero["Account"]["Code"] == "091"
    spent = wait_until(lambda: xero_admin.get(f"organisations/{xero_connected}/banktransactions")["BankTransactions"],
                       seconds=30, waiting_for="Stripe's fee in Xero")
    with Session(get_engine(app_server.database_url)) as session:
        card = session.exec(select(StripePayment).where(StripePayment.invoice_id == invoice.id)).one()
    assert [round(Decimal(str(t["Total"])) * 100) for t in spent] == [card.fee] and card.fee > 0


def test_the_owner_sees_a_disputed_card_payment_on_the_invoice_and_finance_does_not(
        page: Page, browser: Browser, app_server: AppServer, new_member, xero_connected: str) -> None:
    owner = new_member(Role.OWNER)
    if _stripe_connected(app_server):  # by the test above, in a full run
        login(page, app_server, owner)
    else:
        _connect_stripe_as_owner(page, app_server, owner)
    invoice = _send_and_push(page, app_server)

    client = browser.new_context().new_page()
    client.goto(_pay_link(app_server, invoice))
    client.get_by_test_id("pay-now").click()
    client.get_by_label("Card number").fill("4000 0000 0000 0259")  # Stripe's card that pays, then is disputed
    client.get_by_role("button", name="Pay").click()
    expect(client.get_by_test_id("pay-status")).to_have_text("Paid", timeout=10_000)

    page.goto(f"{app_server.url}/invoices/{invoice.id}")
    expect(page.get_by_test_id("card-notice")).to_contain_text("disputed by the cardholder's bank (fraudulent)",
                                                                 timeout=10_000)
    screenshot(page, "stripe-dispute")
    finance = browser.new_context().new_page()
    login(finance, app_server, new_member(Role.FINANCE))
    finance.goto(f"{app_server.url}/invoices/{invoice.id}")
    expect(finance.get_by_test_id("invoice-status").first).to_have_text("Paid")
    expect(finance.get_by_test_id("card-notice")).to_have_count(0)


def _stripe_connected(app_server: AppServer) -> bool:
    with Session(get_engine(app_server.database_url)) as session:
        business = _bright_spark(session)
        account = session.exec(select(StripeAccount).where(StripeAccount.business_id == business.id)).first()
        return account is not None and account.charges_enabled


def _status(app_server: AppServer, invoice: Invoice) -> str:
    with Session(get_engine(app_server.database_url)) as session:
        row = session.get(Invoice, invoice.id)
        assert row is not None
        return row.status
