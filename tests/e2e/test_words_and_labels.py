"""Words and labels (issue 12, point 9): every form control is labelled, each role is told what it can do and
whom to ask for the rest, a refused page says so once, and the invoices fit a phone."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from myapprentice_app.domain.roles import Role
from tests.e2e.conftest import AppServer, connect_xero, login, screenshot
from tests.e2e.own_business import own_business
from tests.support.xero_sandbox import SandboxAdmin

ANY_TOAST = "[data-sonner-toast]"
# Go to a path the way the app's own links do (React Router, no reload): the page's state from before is kept.
CLIENT_SIDE_NAVIGATION = "path => { history.pushState({}, '', path); dispatchEvent(new PopStateEvent('popstate')); }"

# Every visible form control and the name a person (and get_by_label) finds it by: its <label>s, aria-label or
# aria-labelledby. Radix's hidden native <select>/<input> copies (aria-hidden) are not controls a person uses.
CONTROLS = """() => [...document.querySelectorAll(
    'input:not([type=hidden]), textarea, select, button[role=combobox], button[role=checkbox], [role=switch]')]
  .filter(el => !el.closest('[aria-hidden=true]') && el.getClientRects().length > 0)
  .map(el => ({
    control: el.outerHTML.slice(0, 160),
    label: ([...(el.labels || [])].map(l => l.innerText.trim()).find(Boolean)
            || el.getAttribute('aria-label')
            || (el.getAttribute('aria-labelledby') || '').split(' ')
                 .map(id => document.getElementById(id)?.innerText.trim() || '').join(' ').trim()
            || ''),
  }))"""


def _expect_every_control_labelled(page: Page, where: str) -> int:
    controls = page.evaluate(CONTROLS)
    unlabelled = [c["control"] for c in controls if not c["label"]]
    assert not unlabelled, f"{where}: controls without a label: {unlabelled}"
    for control in controls:
        assert page.get_by_label(control["label"], exact=True).count() >= 1, f"{where}: {control}"
    return len(controls)


def test_every_form_control_on_every_form_has_a_label_get_by_label_finds(
        page: Page, app_server: AppServer, xero_admin: SandboxAdmin) -> None:
    business = own_business(app_server, xero_admin, "Labelled Forms")
    business.unmap_gst_free()
    invoice_id, _ = business.invoice("40", rate="gst free")
    page.goto(f"{app_server.url}/login")
    expect(page.get_by_role("button", name="Sign in")).to_be_visible()
    checked = _expect_every_control_labelled(page, "sign-in")
    login(page, app_server, business.email(Role.OWNER), then="/invoices")
    expect(page.get_by_test_id("invoice-row")).to_have_count(1)
    checked += _expect_every_control_labelled(page, "invoices list")

    forms = {"/invoices/new": "save-invoice", "/quotes/new": "save", "/jobs/new": "save", "/clients/new": "save"}
    for path, save in forms.items():
        page.goto(f"{app_server.url}{path}")
        expect(page.get_by_test_id(save)).to_be_visible()
        checked += _expect_every_control_labelled(page, path)

    page.goto(f"{app_server.url}/invoices/{invoice_id}")
    panel = page.get_by_test_id("xero-panel")
    panel.get_by_test_id("push-to-xero").click()
    expect(panel.get_by_test_id("fix-map_tax_rate")).to_be_visible(timeout=30_000)
    checked += _expect_every_control_labelled(page, "invoice page with a sync error's fixes")
    page.get_by_test_id("mark-paid").click()
    expect(page.get_by_role("dialog")).to_be_visible()
    checked += _expect_every_control_labelled(page, "Mark as paid")
    page.keyboard.press("Escape")
    page.get_by_test_id("send-to-client").click()
    expect(page.get_by_role("dialog")).to_be_visible()
    checked += _expect_every_control_labelled(page, "Send to client")
    page.keyboard.press("Escape")

    loaded = {"business": page.get_by_label("Business name"), "team": page.get_by_test_id("settings-tab").first,
              "integrations": page.get_by_test_id("xero-connection"), "xero": page.get_by_test_id("save-xero-settings"),
              "security": page.get_by_test_id("settings-tab").first}
    for tab, shown in loaded.items():
        page.goto(f"{app_server.url}/settings/{tab}")
        expect(shown).to_be_visible()
        checked += _expect_every_control_labelled(page, f"settings/{tab}")
    assert checked > 40, f"only {checked} controls were found: the walk missed the forms"


def test_finance_is_asked_to_go_to_the_owner_only_while_xero_is_not_connected_and_then_sees_the_organisation(
        page: Page, app_server: AppServer, xero_admin: SandboxAdmin) -> None:
    business = own_business(app_server, xero_admin, "Finance Words", connected=False)
    business.invoice("100")
    login(page, app_server, business.email(Role.FINANCE), then="/invoices")
    page.get_by_test_id("invoice-row").get_by_test_id("row-menu").click()
    page.get_by_test_id("menu-push").click()
    expect(page.locator(ANY_TOAST)).to_have_text("Xero isn't connected yet. Ask your Business Owner or Admin to "
                                                 "connect it.")

    page.goto(f"{app_server.url}/settings/xero")
    expect(page.get_by_test_id("xero-connection-status")).to_have_text("Not connected")
    expect(page.get_by_test_id("xero-ask-owner")).to_have_text("Ask your Business Owner or Admin to connect Xero.")
    expect(page.get_by_text("Integrations")).to_have_count(0)

    tenant = xero_admin.new_organisation(f"{business.name} Books")
    connect_xero(app_server, xero_admin, tenant, business.name)
    page.reload()
    expect(page.get_by_test_id("xero-connection")).to_have_text(f"Connected · {business.name} Books")
    expect(page.get_by_test_id("xero-ask-owner")).to_have_count(0)
    screenshot(page, "xero-settings-finance-connected")


def test_a_supervisor_can_retry_and_is_told_whom_to_ask_for_the_other_fixes(
        page: Page, app_server: AppServer, xero_admin: SandboxAdmin) -> None:
    business = own_business(app_server, xero_admin, "Supervisor Words")
    business.unmap_gst_free()
    invoice_id, _ = business.invoice("40", rate="gst free")
    login(page, app_server, business.email(Role.SUPERVISOR), then=f"/invoices/{invoice_id}")
    panel = page.get_by_test_id("xero-panel")
    panel.get_by_test_id("push-to-xero").click()
    expect(panel.get_by_test_id("sync-status")).to_have_text("Error", timeout=30_000)

    expect(panel.get_by_role("button", name="Retry now")).to_be_visible()
    expect(panel.get_by_test_id("fix-map_tax_rate")).to_have_count(0)
    expect(panel.get_by_test_id("ask-for-fixes")).to_have_text(
        "To fix the cause (map the tax rate and retry), ask your Business Owner, Office Admin or Finance.")
    screenshot(page, "xero-panel-supervisor")


def test_a_refused_page_says_so_once_without_a_toast(page: Page, app_server: AppServer,
                                                      xero_admin: SandboxAdmin) -> None:
    business = own_business(app_server, xero_admin, "Refused Once", connected=False)
    invoice_id, _ = business.invoice("100")
    refusals = [(Role.TRADIE, "/jobs", "Jobs", "/invoices"), (Role.TRADIE, "/jobs", "Jobs", f"/invoices/{invoice_id}"),
                (Role.FINANCE, "/invoices", "Invoices", "/settings/integrations"),
                (Role.SUPERVISOR, "/invoices", "Invoices", "/settings/team")]
    for role, allowed, title, refused in refusals:
        page.context.clear_cookies()
        login(page, app_server, business.email(role), then=allowed)
        expect(page.get_by_role("heading", name=title, exact=True)).to_be_visible()
        page.evaluate(CLIENT_SIDE_NAVIGATION, refused)  # as a link or a redirect inside the app would go there
        expect(page.get_by_test_id("no-access")).to_have_text("You don't have access to this page")
        page.wait_for_timeout(1500)  # nothing marks the end of the page's loaders: give a toast time to arrive
        expect(page.locator(ANY_TOAST)).to_have_count(0)
        page.get_by_role("link", name="Go to your start page").click()
        expect(page.get_by_role("heading", name=title, exact=True)).to_be_visible()


def test_on_a_phone_the_first_invoice_shows_above_the_folded_filters_and_payments_keep_their_xero_column(
        page: Page, app_server: AppServer, xero_admin: SandboxAdmin) -> None:
    business = own_business(app_server, xero_admin, "Phone Width", connected=False)
    invoice_id, number = business.invoice("100")
    for _ in range(3):
        business.invoice("50")
    page.set_viewport_size({"width": 375, "height": 667})
    login(page, app_server, business.email(Role.OWNER), then="/invoices")

    expect(page.get_by_test_id("invoice-row").first).to_be_in_viewport(ratio=1)
    expect(page.get_by_label("Search")).to_be_hidden()
    screenshot(page, "phone-invoices-folded-filters")
    page.get_by_test_id("filters-toggle").click()
    expect(page.get_by_label("Search")).to_be_visible()

    page.goto(f"{app_server.url}/invoices/{invoice_id}")
    page.get_by_test_id("mark-paid").click()
    page.get_by_label("Amount").fill("40")
    page.get_by_test_id("record-payment").click()
    expect(page.get_by_test_id("payment-row")).to_have_count(1)
    page.get_by_role("heading", name="Payments").scroll_into_view_if_needed()
    for cell in (page.get_by_role("columnheader", name="Xero"), page.get_by_test_id("payment-xero")):
        box = cell.bounding_box()
        assert box is not None and box["x"] + box["width"] <= 375, f"the Xero column is off the screen: {box}"
    expect(page.get_by_test_id("payment-xero")).to_have_text("Not synced")
    assert page.evaluate("document.documentElement.scrollWidth") <= 376
    screenshot(page, f"phone-invoice-{number}-payments")


def test_an_invoice_that_is_not_there_says_so_on_the_page_without_a_toast(
        page: Page, app_server: AppServer, xero_admin: SandboxAdmin) -> None:
    business = own_business(app_server, xero_admin, "Missing Invoice", connected=False)
    login(page, app_server, business.email(Role.OWNER), then="/invoices/999999")

    expect(page.get_by_test_id("invoice-missing")).to_have_text("That invoice was not found.")
    page.get_by_role("link", name="← All invoices").click()
    expect(page.get_by_role("heading", name="Invoices", exact=True)).to_be_visible()
    expect(page.locator(ANY_TOAST)).to_have_count(0)
