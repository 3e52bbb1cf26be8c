"""Fix once for all: a cause of errors (an unmapped account or tax rate, a missing contact) fixed once re-queues
every invoice in Error with it."""

from __future__ import annotations

from sqlmodel import Session

from myapprentice_app.domain.roles import Permission
from myapprentice_app.domain.sync_errors import Fix
from myapprentice_app.models import Invoice
from myapprentice_app.services import xero_sync
from myapprentice_app.services.errors import ActionRefused
from myapprentice_app.services.principal import Principal
from myapprentice_app.services.sync_problems import invoices_in_error


def fix_cause(session: Session, actor: Principal, cause: str, action: Fix, value: str = "") -> int | None:
    """Apply a fix to a cause; returns the run that sends its invoices again."""
    actor.require(Permission.RETRY_SYNC if action == Fix.RETRY else Permission.RESOLVE_SYNC_ERRORS)
    in_error = invoices_in_error(session, actor.business_id, [cause])
    if not in_error:
        raise ActionRefused("No invoice is in Error for that any more.")
    if action == Fix.RETRY:
        return xero_sync.requeue(session, actor, in_error)
    if action in (Fix.PICK_ACCOUNT, Fix.MAP_TAX_RATE):
        value = f"{cause.partition(':')[2]}:{value}"  # the line category, or the tax rate, the cause names
    first = session.get(Invoice, in_error[0])
    assert first is not None
    # The cause's invoices were read in Error just now: that check stands for a page's stamp here.
    return xero_sync.fix(session, actor, in_error[0], action, value, shown=first.sync_stamp)  # re-queues the rest
