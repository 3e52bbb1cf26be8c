"""All sandbox state in memory, with optional JSON persistence to one file."""

from __future__ import annotations

import logging
import time
from collections import defaultdict
from typing import Any

from ..state_files import load_state, save_state
from . import dates, seed, signing

log = logging.getLogger(__name__)


def empty_state() -> dict[str, Any]:
    return {
        "orgs": {},
        "clients": {},
        "grants": {},
        "access_tokens": {},
        "refresh_tokens": {},
        "codes": {},
        "connections": {},
        "event_sequence": 0,
    }


class Store:
    def __init__(self, state_file: str | None = None) -> None:
        self.state_file = state_file
        self.clock_offset_ms = 0
        self.dirty = False
        self.state = load_state(state_file, empty_state)
        self.stats: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
        self._rebuild_indexes()
        self.dirty = signing.STATE_KEY not in self.state
        self._signing_key = signing.of(self.state)  # made at start, kept in the state file
        if not self.state["orgs"]:
            for name in seed.DEMO_ORGANISATION_NAMES:
                self.add_organisation(name, "AU")

    # -- clock -------------------------------------------------------------------------------------

    def now_ms(self) -> int:
        return int(time.time() * 1000) + self.clock_offset_ms

    def now(self) -> float:
        return self.now_ms() / 1000

    # -- organisations -----------------------------------------------------------------------------

    @property
    def orgs(self) -> dict[str, dict[str, Any]]:
        return self.state["orgs"]

    def add_organisation(self, name: str, country: str) -> dict[str, Any]:
        now = self.now_ms()
        org = seed.organisation(name, country, now)
        invoice = seed.first_invoice(org, now, dates.today(now))
        org["invoices"][invoice["InvoiceID"]] = invoice
        org["contacts"][invoice["ContactID"]]["IsCustomer"] = True
        org["invoice_seq"] = 2
        self.orgs[org["OrganisationID"]] = org
        self.invoice_numbers[org["OrganisationID"]] = {"INV-0001": invoice["InvoiceID"]}
        self.changed()
        return org

    @property
    def signing_key(self) -> signing.SigningKey:
        return self._signing_key

    def reset(self) -> None:
        """Forget everything but the signing key: tokens a client verified before stay verifiable."""
        self.state = {**empty_state(), signing.STATE_KEY: self._signing_key.pem}
        self.stats.clear()
        self._rebuild_indexes()
        self.changed()

    def _rebuild_indexes(self) -> None:
        # ACCREC numbers are unique per organisation (case-insensitive), looked up on every write.
        self.invoice_numbers: dict[str, dict[str, str]] = {}
        for tenant_id, org in self.orgs.items():
            self.invoice_numbers[tenant_id] = {
                inv["InvoiceNumber"].upper(): inv_id
                for inv_id, inv in org["invoices"].items()
                if inv["Type"] == "ACCREC" and inv.get("InvoiceNumber") and inv["Status"] != "DELETED"
            }

    # -- stats -------------------------------------------------------------------------------------

    def count(self, endpoint: str, status: int | str) -> None:
        self.stats[endpoint][str(status)] += 1

    # -- persistence -------------------------------------------------------------------------------

    def changed(self) -> None:
        self.dirty = True

    def save(self) -> None:
        if not self.state_file or not self.dirty:
            return
        self.dirty = False
        save_state(self.state_file, self.state, ".xero-sandbox-")
        log.debug("sandbox state written to %s", self.state_file)
