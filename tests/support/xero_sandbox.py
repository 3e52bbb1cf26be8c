"""The Xero sandbox's /sandbox-admin/ API, as every test tier uses it: arrange faults, see what reached Xero.

Also the one sandbox a test run serves (`sandbox_url`, `admin`), registered once as a plugin (tests/conftest.py):
a session fixture imported into several conftests is a separate fixture in each, and a test tier that ran
between two others would point the app at a second sandbox the first tier's admin doesn't know.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import AbstractContextManager
from typing import Any

import httpx
import pytest

from myapprentice_app.config import get_settings
from myapprentice_app.sandbox.xero.server import create_app
from tests.support.waiting import served_in_a_thread


class SandboxAdmin:
    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self.http = httpx.Client(base_url=base_url, timeout=30)

    def post(self, path: str, body: dict | None = None) -> Any:
        response = self.http.post(f"/sandbox-admin/{path}", json=body or {})
        assert response.status_code < 300, response.text
        return response.json()

    def get(self, path: str) -> Any:
        response = self.http.get(f"/sandbox-admin/{path}")
        assert response.status_code == 200, response.text
        return response.json()

    def organisations(self) -> list[dict[str, str]]:
        return self.get("organisations")

    def new_organisation(self, name: str = "Sparky Test Co") -> str:
        return self.post("organisations", {"name": name, "country": "AU"})["tenantId"]

    def token(self, *tenant_ids: str, **extra: Any) -> dict:
        """A token response exactly like /connect/token's, without the consent page."""
        return self.post("tokens", {"tenantIds": list(tenant_ids), **extra})

    def calls(self, endpoint: str) -> int:
        """How many times an endpoint (e.g. 'POST /connect/token') was called, whatever its status."""
        return sum(self.get("stats")["calls"].get(endpoint, {}).values())

    def faults(self, **knobs: Any) -> dict:
        return self.post("faults", knobs)

    def stored(self, tenant_id: str, kind: str) -> list[dict]:
        """Everything the organisation holds: kind is invoices, contacts or payments."""
        return self.get(f"organisations/{tenant_id}/{kind}")[kind.capitalize()]

    def invoices_numbered(self, tenant_id: str) -> dict[str, list[dict]]:
        found: dict[str, list[dict]] = {}
        for invoice in self.stored(tenant_id, "invoices"):
            found.setdefault(invoice["InvoiceNumber"], []).append(invoice)
        return found


def serving_sandbox() -> AbstractContextManager[str]:
    """The Xero sandbox on a free port for as long as the block lasts; gives its base URL."""
    return served_in_a_thread(create_app(), name="the Xero sandbox", lifespan="on")


@pytest.fixture(scope="session")
def sandbox_url() -> Iterator[str]:
    with serving_sandbox() as url:
        os.environ["XERO_SANDBOX_URL"] = url
        get_settings.cache_clear()
        yield url


@pytest.fixture(scope="session")
def admin(sandbox_url: str) -> SandboxAdmin:
    return SandboxAdmin(sandbox_url)
