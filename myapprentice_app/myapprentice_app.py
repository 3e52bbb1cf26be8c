"""Composition root: the Reflex app, its pages and the plain HTTP routes beside them."""

import reflex as rx

# Reflex imports reflex.model, and alembic with it, at the first event with a form argument, on the event loop
# while every tab waits: imported at start instead.
import reflex.model  # noqa: F401

from myapprentice_app.api.local_address import LocalAddress
from myapprentice_app.api.routes import api
from myapprentice_app.api.security_headers import SecurityHeaders
from myapprentice_app.jobs import tasks  # noqa: F401  (registers the tasks the services queue)
from myapprentice_app.ui.pages.audit import audit_page
from myapprentice_app.ui.pages.business_picker import business_picker_page
from myapprentice_app.ui.pages.home import home_page
from myapprentice_app.ui.pages.invite import invite_page
from myapprentice_app.ui.pages.invoice_detail import invoice_detail_page
from myapprentice_app.ui.pages.invoice_form import invoice_form_page
from myapprentice_app.ui.pages.invoices import invoices_page
from myapprentice_app.ui.pages.login import login_page
from myapprentice_app.ui.pages.outbox import outbox_page
from myapprentice_app.ui.pages.settings import settings_page
from myapprentice_app.ui.pages.work import clients_page, jobs_page, quotes_page
from myapprentice_app.ui.pages.work_forms import client_form_page, job_form_page, quote_form_page
from myapprentice_app.ui.socket_owners import free_sockets_of_dead_processes
from myapprentice_app.ui.state.audit import AuditState
from myapprentice_app.ui.state.business_picker import BusinessPickerState
from myapprentice_app.ui.state.client_form import ClientFormState
from myapprentice_app.ui.state.home import HomeState
from myapprentice_app.ui.state.invite import InviteState
from myapprentice_app.ui.state.invoice_detail import InvoiceDetailState
from myapprentice_app.ui.state.invoice_form import InvoiceFormState
from myapprentice_app.ui.state.invoices import InvoicesState
from myapprentice_app.ui.state.login import LoginState
from myapprentice_app.ui.state.outbox import OutboxState
from myapprentice_app.ui.state.outcomes import unexpected
from myapprentice_app.ui.state.settings import SettingsState
from myapprentice_app.ui.state.work import WorkState
from myapprentice_app.ui.state.work_form import WorkFormState

app = rx.App(api_transformer=[api, SecurityHeaders, LocalAddress], stylesheets=["/styles.css"],
             backend_exception_handler=unexpected)
app.register_lifespan_task(free_sockets_of_dead_processes)
app.add_page(home_page, route="/", title="MyApprentice", on_load=HomeState.load)
app.add_page(login_page, route="/login", title="Sign in · MyApprentice", on_load=LoginState.load)
app.add_page(business_picker_page, route="/choose-business", title="Choose a business · MyApprentice",
             on_load=BusinessPickerState.load)
app.add_page(invite_page, route="/invite/[invite_token]", title="Join your team · MyApprentice",
             on_load=InviteState.load)
app.add_page(invoices_page, route="/invoices", title="Invoices · MyApprentice", on_load=InvoicesState.load)
app.add_page(invoice_form_page, route="/invoices/new", title="New invoice · MyApprentice",
             on_load=InvoiceFormState.load)
app.add_page(invoice_detail_page, route="/invoices/[id]", title="Invoice · MyApprentice",
             on_load=InvoiceDetailState.load)
app.add_page(invoice_form_page, route="/invoices/[id]/edit", title="Edit invoice · MyApprentice",
             on_load=InvoiceFormState.load)
app.add_page(outbox_page, route="/outbox", title="Sent emails · MyApprentice", on_load=OutboxState.load)
app.add_page(client_form_page, route="/clients/[id]", title="Client · MyApprentice", on_load=ClientFormState.load)
app.add_page(job_form_page, route="/jobs/[id]", title="Job · MyApprentice", on_load=WorkFormState.load_job)
app.add_page(quote_form_page, route="/quotes/[id]", title="Quote · MyApprentice", on_load=WorkFormState.load_quote)
app.add_page(jobs_page, route="/jobs", title="Jobs · MyApprentice", on_load=WorkState.load_jobs)
app.add_page(clients_page, route="/clients", title="Clients · MyApprentice", on_load=WorkState.load_clients)
app.add_page(quotes_page, route="/quotes", title="Quotes · MyApprentice", on_load=WorkState.load_quotes)
app.add_page(audit_page, route="/audit", title="Audit trail · MyApprentice", on_load=AuditState.load)
app.add_page(settings_page, route="/settings/[tab]", title="Business Settings · MyApprentice",
             on_load=SettingsState.load)
