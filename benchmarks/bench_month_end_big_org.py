"""Month-end for one big business: a Send all of 10,000 invoices through a real huey worker to the sandbox,
under Xero's real per-organisation limits (60 a minute, 5 at a time, 150 ms a call) with time running
TIME_SCALE times faster, so the minute limit binds and the run still takes well under a minute.

Prints: month_end_big_org: invoices=10000 calls=C seconds=S floor_seconds=F ratio_to_floor=R
  C: the Accounting API calls the sandbox answered during the run (any status).
  S: from the Send all click until the worker marks the run done.
  F: the least time the limits allow for the calls the job needs (200 invoice batches of 50 and the contact
     batches): every full "minute" of 60 calls waited out, then the last calls 5 at a time at 150 ms each.
"""

from __future__ import annotations

import math
import sys

from benchmarks.pushing import BATCH, configure, floor_seconds

INVOICES = 10_000
CLIENTS = 200
TIME_SCALE = 5.0  # a 12 s "minute": 201+ calls need 3 full minutes, ~37 s; 60 calls 5 at a time take 1.8 s

configure("bench-big-org-", TIME_SCALE)

from benchmarks.pushing import accounting_calls, connected_org, send_all, synced_and_numbers  # noqa: E402


def main() -> int:
    with connected_org(INVOICES, CLIENTS, TIME_SCALE) as org:
        before = accounting_calls(org.admin)
        seconds = send_all(org, 300)
        after = accounting_calls(org.admin)
        synced, numbers = synced_and_numbers(org)
    calls = sum(count - before.get(endpoint, 0) for endpoint, count in after.items())
    needed = math.ceil(INVOICES / BATCH) + math.ceil(CLIENTS / BATCH)
    floor = floor_seconds(needed, TIME_SCALE)
    print(f"month_end_big_org: invoices={INVOICES} calls={calls} seconds={seconds:.2f} floor_seconds={floor:.2f} "
          f"ratio_to_floor={seconds / floor:.2f}")
    print(f"# time_scale={TIME_SCALE:g} (a minute lasts {60 / TIME_SCALE:g} s); floor from the {needed} calls needed; "
          f"{synced} synced, {len(numbers)} in Xero under {len(set(numbers))} numbers (unique_numbers off)")
    return 0 if synced == INVOICES == len(numbers) == len(set(numbers)) else 1


if __name__ == "__main__":
    sys.exit(main())
