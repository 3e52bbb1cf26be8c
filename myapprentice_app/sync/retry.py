"""The one retry policy for every Xero call (contacts, invoices, payments, reads).

A 429 waits out its Retry-After in the organisation's budget; 5xx and lost answers back off and try again. Both
are bounded: past the policy's limits `WaitForXero` says when to try again, and the run leaves the work Pending
until then instead of retrying in a loop.

A write whose answer was lost goes again as it was, under its own Idempotency-Key: the retries are seconds apart,
well inside the ~6 minutes Xero remembers a key, so Xero answers with what it did the first time, even when it was
still working on the first request when the answer was lost (a look-up then would find nothing yet, and a new key
would make a second copy). A batch whose answers stay lost is looked up much later, by `reconcile_leftovers`,
once Xero has long finished with it; a single write's, by `write_once` before it is sent again.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

import sqlalchemy as sa
from sqlmodel import Session, col

from myapprentice_app.db import session_scope
from myapprentice_app.integrations.xero.client import Reply, XeroClient
from myapprentice_app.integrations.xero.errors import OutcomeUnknown, RateLimited, Rejected, Unavailable
from myapprentice_app.integrations.xero.results import PaymentResult, TransactionResult
from myapprentice_app.models import XeroUnansweredWrite
from myapprentice_app.sync.budget import SHORT_WAIT, WaitForXero, Write
from myapprentice_app.sync.context import OrgContext

Action = Callable[[XeroClient], Reply]
Found = TypeVar("Found", TransactionResult, PaymentResult)


@dataclass(frozen=True)
class RetryPolicy:
    failures: int = 6  # 5xx and lost answers in a row before leaving the work for later
    refusals: int = 5  # 429s in a row
    longest_wait: float = SHORT_WAIT  # a longer Retry-After (or a spent minute or day) leaves the work for later
    later: float = 60.0  # how long "later" is after repeated failures

    def backoff(self, failures: int) -> float:
        return min(0.2 * 2 ** failures, 10.0)


POLICY = RetryPolicy()


def call(ctx: OrgContext, action: Action, settle: Callable[[], Action | None] | None = None,
         policy: RetryPolicy = POLICY, before: Write | None = None,
         after: Callable[[Reply], Write] | None = None) -> Reply | None:
    """Make the call until Xero answers it. For a write, `settle` looks up what a lost attempt did and gives
    the call to make instead (None: nothing is left to send, and None is returned). `before` and `after`
    write with each attempt's slot (`OrgContext.call`)."""
    failures = refusals = 0
    while True:
        try:
            return ctx.call(action, policy.longest_wait, before=before, after=after)
        except WaitForXero:
            raise
        except RateLimited as limited:
            refusals += 1
            if refusals >= policy.refusals or limited.retry_after > policy.longest_wait:
                raise WaitForXero(time.time() + limited.retry_after, limited.problem) from limited
        except (Unavailable, OutcomeUnknown) as trouble:
            failures += 1
            if failures >= policy.failures:
                raise WaitForXero(time.time() + policy.later, "unavailable") from trouble
            time.sleep(policy.backoff(failures))
            if settle is not None:
                settled = settle()
                if settled is None:
                    return None
                action = settled


def write_again_under_its_key(ctx: OrgContext, action: Action) -> Reply:
    """A write of one thing under its own fixed Idempotency-Key (a Stripe fee, credit note, refund or note).

    A lost answer is settled by sending the same request again under the same key: the retries are seconds
    apart, well inside the minutes Xero remembers a key for, so Xero answers with what it did the first time
    instead of doing it twice."""
    reply = call(ctx, action, settle=lambda: action)
    assert reply is not None
    return reply


def write_once(ctx: OrgContext, key: str, write: Callable[..., Reply], find: Action,
               found_in: Callable[[Reply], list[Found]], record: Callable[[Session, Found], None]) -> Found:
    """One thing (a Stripe fee, a credit note, its refund) written to Xero at most once, across cycles; `record`
    keeps Xero's answer (in the transaction that marks the write answered).

    Within a cycle a lost answer is settled by sending again under the same Idempotency-Key. But the cycle may end
    with the answer still lost (Xero down, the worker killed), and Xero forgets a key after about 6 minutes: sent
    again under it any later, the write would be made twice. So the write is recorded as unanswered before it is
    sent, and a write found unanswered is first looked up by its reference (`find`)."""
    if _sent_before(key):
        found = _found(ctx, find, found_in)
        if found:
            _answered(key, lambda session: record(session, found[0]))
            return found[0]
    try:
        reply = write_again_under_its_key(ctx, functools.partial(write, key=key))
    except Rejected as rejected:
        if rejected.key_in_use:
            # Xero still works on (or remembers) an earlier send under this key whose body differed, as a setting
            # changed since: whatever it made is looked for on the next cycle.
            raise OutcomeUnknown(str(rejected)) from rejected
        _answered(key)  # refused: nothing was made
        raise
    result = _sole_or_found(ctx, found_in(reply), find, found_in)
    _answered(key, lambda session: record(session, result))
    return result


def _sole_or_found(ctx: OrgContext, elements: list[Found], find: Action,
                   found_in: Callable[[Reply], list[Found]]) -> Found:
    """The one element a single write's answer holds. An answer without it (a Xero bug, a proxy on the way) is
    settled at once by looking the write up by its reference. Xero holding none: OutcomeUnknown, and the next
    cycle looks again before sending it."""
    if len(elements) == 1:
        return elements[0]
    found = _found(ctx, find, found_in)
    if not found:
        raise OutcomeUnknown(f"Xero's answer to a single write held {len(elements)} elements, and Xero has none")
    return found[0]


def _found(ctx: OrgContext, find: Action, found_in: Callable[[Reply], list[Found]]) -> list[Found]:
    """What Xero holds under the write's reference (one deleted or voided there since is not taken for it)."""
    return [element for element in found_in(read(ctx, find)) if not element.deleted]


def _sent_before(key: str) -> bool:
    """Record the write as sent and unanswered; True when an earlier send of it already was."""
    with session_scope() as session:
        if session.get(XeroUnansweredWrite, key) is not None:
            return True
        session.add(XeroUnansweredWrite(idempotency_key=key))
        session.commit()
        return False


def _answered(key: str, record: Callable[[Session], None] | None = None) -> None:
    """The answer kept and the write no longer unanswered, in one transaction: a worker stopped between the two
    would leave a write Xero made that nothing here knows of, sent again after Xero forgot its key."""
    with session_scope() as session:
        if record is not None:
            record(session)
        session.execute(sa.delete(XeroUnansweredWrite).where(col(XeroUnansweredWrite.idempotency_key) == key))
        session.commit()


def read(ctx: OrgContext, action: Action) -> Reply:
    """A read: safe to repeat."""
    reply = call(ctx, action)
    assert reply is not None
    return reply
