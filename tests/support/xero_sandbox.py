"""The Xero sandbox's /sandbox-admin/ API as browser tests use it: arrange faults, see what reached Xero."""

from __future__ import annotations

from typing import Any

import httpx


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

    def new_organisation(self, name: str) -> str:
        return self.post("organisations", {"name": name, "country": "AU"})["tenantId"]

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
