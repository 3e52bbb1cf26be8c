"""All sandbox state in memory, with optional JSON persistence to one file."""

from __future__ import annotations

import json
import logging
import os
import tempfile
import time
from collections import defaultdict
from typing import Any

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
        self.state = self._load() if state_file and os.path.exists(state_file) else empty_state()
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

    def _load(self) -> dict[str, Any]:
        assert self.state_file
        with open(self.state_file, encoding="utf-8") as handle:
            loaded = json.load(handle)
        state = empty_state()
        state.update(loaded)
        return state

    def save(self) -> None:
        if not self.state_file or not self.dirty:
            return
        self.dirty = False
        directory = os.path.dirname(os.path.abspath(self.state_file))
        os.makedirs(directory, exist_ok=True)
        fd, tmp_path = tempfile.mkstemp(dir=directory, prefix=".xero-sandbox-", suffix=".json")
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(self.state, handle, separators=(",", ":"))
        os.replace(tmp_path, self.state_file)
        log.debug("sandbox state written to %s", self.state_file)
