"""The same 300 invoices pushed one invoice per call (the way other invoicing apps push to Xero), actually run,
against our Send all of them, both under the same time-scaled Xero limits (60 a minute, 5 at a time, 150 ms a
call) on the sandbox.

Prints: per_invoice_baseline: invoices=300 seconds=S ours_seconds=O speedup=S/O
  O: our Send all, from the click to the worker's finish (300 invoices in 6 batches, plus their contacts).
  S: one PUT /Invoices per invoice through our integrations client (xero-python), 5 at a time, each call in
     a slot of the organisation's rate budget, a 429 waited out: the best a per-invoice pusher can do. It runs
     after ours, in the same organisation (Xero's number check off), with the contacts ours created, so it
     makes no contact calls of its own; its floor from the limits is printed beside it.
Time runs TIME_SCALE times faster than Xero's for both (a "minute" lasts 60/TIME_SCALE s), so the minute limit
binds: at Xero's own pace S would be TIME_SCALE times longer and O nearly the same.
"""

from __future__ import annotations

import sys
import time
import uuid
from concurrent.futures import ThreadPoolExecutor

from benchmarks.pushing import CONCURRENT, configure, floor_seconds

INVOICES = 300
CLIENTS = 40
TIME_SCALE = 20.0  # a 3 s "minute": longer than 60 calls take 5 at a time (1.8 s), so the minute limit binds

configure("bench-baseline-", TIME_SCALE)

from sqlmodel import select  # noqa: E402

from benchmarks.pushing import connected_org, send_all, synced_and_numbers  # noqa: E402
from myapprentice_app.db import session_scope  # noqa: E402
from myapprentice_app.integrations.xero.errors import RateLimited  # noqa: E402
from myapprentice_app.integrations.xero.mapping import invoice_wire  # noqa: E402
from myapprentice_app.models import Invoice  # noqa: E402
from myapprentice_app.sync import preflight  # noqa: E402
from myapprentice_app.sync.budget import WaitForXero  # noqa: E402
from myapprentice_app.sync.context import OrgContext  # noqa: E402
from myapprentice_app.sync.runs import settings_for  # noqa: E402
from myapprentice_app.sync.snapshot import load_cache, load_invoices  # noqa: E402


def bodies(business_id: int) -> list[dict]:
    """Each invoice as the SDK puts it on the wire, with the Xero contact our Send all linked."""
    with session_scope() as session:
        ids = [i for i in session.exec(select(Invoice.id).where(Invoice.business_id == business_id)) if i]
        snapshots = load_invoices(session, ids)
        cache = load_cache(session, business_id)
        settings = settings_for(session, business_id)
    return [invoice_wire(preflight.outgoing(snapshot, cache, settings)) for snapshot in snapshots]


def push_one(ctx: OrgContext, body: dict) -> int:
    """One invoice, one call, until Xero takes it; returns the calls it took."""
    key = str(uuid.uuid4())
    calls = 0
    while True:
        calls += 1
        try:
            ctx.call(lambda xero: xero.create_invoices([body], key))
            return calls
        except WaitForXero as later:
            calls -= 1  # not sent: the budget said wait
            time.sleep(max(0.0, later.until - time.time()))
        except RateLimited as limited:
            time.sleep(limited.retry_after)


def main() -> int:
    with connected_org(INVOICES, CLIENTS, TIME_SCALE) as org:
        ours = send_all(org, 120)
        synced, _ = synced_and_numbers(org)
        wired = bodies(org.principal.business_id)
        time.sleep(60.0 / TIME_SCALE + 0.2)  # our run's minute window is over for Xero and for the budget
        ctx = OrgContext(business_id=org.principal.business_id, tenant_id=org.tenant_id,
                         settings=settings_for(org.session, org.principal.business_id))
        started = time.time()
        with ThreadPoolExecutor(max_workers=CONCURRENT) as pushers:
            calls = sum(pushers.map(lambda body: push_one(ctx, body), wired))
        theirs = time.time() - started
        _, numbers = synced_and_numbers(org)
    floor = floor_seconds(INVOICES, TIME_SCALE)
    print(f"per_invoice_baseline: invoices={INVOICES} seconds={theirs:.2f} ours_seconds={ours:.2f} "
          f"speedup={theirs / ours:.1f}")
    print(f"# time_scale={TIME_SCALE:g} (a minute lasts {60 / TIME_SCALE:g} s): per-invoice made {calls} calls "
          f"(floor {floor:.2f} s from the limits), ours {synced} synced; Xero holds {len(numbers)} invoices "
          f"({INVOICES} each way expected). At Xero's own pace the per-invoice push takes ~{theirs * TIME_SCALE:.0f} s")
    return 0 if synced == INVOICES and len(numbers) == 2 * INVOICES else 1


if __name__ == "__main__":
    sys.exit(main())
