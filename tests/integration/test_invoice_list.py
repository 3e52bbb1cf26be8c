from __future__ import annotations

from sqlmodel import func, select

from myapprentice_app import demo
from myapprentice_app.models import Invoice, User
from myapprentice_app.selectors.invoices import InvoiceFilters, list_invoices
from myapprentice_app.services import auth
from myapprentice_app.ui.state.invoices import InvoicesState
from tests.support.reflex_states import run, states_for


def _signed_in(session, email: str):
    return auth.resolve(session, auth.log_in(session, email=email, password=demo.DEMO_PASSWORD).token)


def test_seeding_twice_adds_nothing_the_second_time(session) -> None:
    assert demo.seed(session)
    counts = (session.exec(select(func.count()).select_from(Invoice)).one(),
              session.exec(select(func.count()).select_from(User)).one())
    assert not demo.seed(session)
    assert counts == (session.exec(select(func.count()).select_from(Invoice)).one(),
                      session.exec(select(func.count()).select_from(User)).one())


def test_the_demo_covers_every_invoice_status(session) -> None:
    demo.seed(session)
    statuses = set(session.exec(select(Invoice.status)).all())
    assert statuses == {"draft", "authorised", "sent", "part_paid", "paid", "voided"}


def test_the_list_shows_only_the_actors_business_a_page_at_a_time(session) -> None:
    demo.seed(session)
    finance = _signed_in(session, "finance@brightspark.test")
    first = list_invoices(session, finance, InvoiceFilters(), page=1)
    last = list_invoices(session, finance, InvoiceFilters(), page=99)
    assert (first.total_count, first.page_count, len(first.rows)) == (56, 3, 25)
    assert (last.page, len(last.rows)) == (3, 6)
    sole = _signed_in(session, "sole@soloplumbing.test")
    assert list_invoices(session, sole, InvoiceFilters()).total_count == 8


def test_filters_and_search_narrow_the_list(session) -> None:
    demo.seed(session)
    owner = _signed_in(session, "owner@brightspark.test")
    paid = list_invoices(session, owner, InvoiceFilters(status="paid"))
    assert paid.total_count and all(row.status_label == "Paid" for row in paid.rows)
    unsynced = list_invoices(session, owner, InvoiceFilters(sync_status="not_synced"))
    assert unsynced.total_count == 56
    assert list_invoices(session, owner, InvoiceFilters(sync_status="synced")).total_count == 0
    by_client = list_invoices(session, owner, InvoiceFilters(search="harbourside"))
    assert by_client.total_count and {row.client_name for row in by_client.rows} == {"Harbourside Cafe"}
    assert [row.number for row in list_invoices(session, owner, InvoiceFilters(search="inv-0007")).rows] == ["INV-0007"]


def test_paging_keeps_the_lists_count_and_choosing_a_filter_counts_again(session) -> None:
    demo.seed(session)
    token = auth.log_in(session, email="finance@brightspark.test", password=demo.DEMO_PASSWORD).token
    paid = list_invoices(session, _signed_in(session, "finance@brightspark.test"), InvoiceFilters(status="paid"))

    async def scenario():
        invoices = await (await states_for(token, "/invoices")).get_state(InvoicesState)
        await invoices.load()
        await invoices.go_to_page(3)
        seen = {"everything, last page": (invoices.total_count, invoices.page_count, len(invoices.rows))}
        await invoices.filter_status("paid")
        seen["paid"] = (invoices.total_count, {row.status for row in invoices.rows})
        await invoices.clear_filters()
        await invoices.go_to_page(2)
        seen["everything, page 2"] = (invoices.total_count, invoices.page, len(invoices.rows))
        return seen

    seen = run(scenario())
    assert seen["everything, last page"] == (56, 3, 6)
    assert seen["paid"] == (paid.total_count, {"paid"}) and paid.total_count < 56
    assert seen["everything, page 2"] == (56, 2, 25)
