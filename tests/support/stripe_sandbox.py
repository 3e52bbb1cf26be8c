"""The Stripe sandbox's /sandbox-admin/ API, as the test tiers use it: pay a session, onboard, see deliveries."""

from __future__ import annotations

import time
from typing import Any

import httpx


class StripeAdmin:
    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self.http = httpx.Client(base_url=base_url, timeout=30)

    def post(self, path: str, body: dict | None = None) -> Any:
        response = self.http.post(f"/sandbox-admin/{path}", json=body or {})
        assert response.status_code == 200, response.text
        return response.json()

    def get(self, path: str) -> Any:
        response = self.http.get(f"/sandbox-admin/{path}")
        assert response.status_code == 200, response.text
        return response.json()

    def objects(self, kind: str) -> list[dict]:
        return [row["object"] for row in self.get(f"objects?type={kind}")["objects"]]

    def deliveries(self, event_type: str | None = None) -> list[dict]:
        return self.get("deliveries" + (f"?type={event_type}" if event_type else ""))["deliveries"]

    def pay(self, session_id: str, card: str = "4242424242424242") -> dict:
        return self.post(f"checkout/sessions/{session_id}/pay", {"card": card, "email": "client@example.test"})


def card_payment(invoice_id: int, intent_id: str, cents: int, refunded: int = 0) -> dict[str, Any]:
    """A succeeded PaymentIntent as Stripe sends it (the fields the webhook reads), `refunded` cents of it
    refunded."""
    return {"id": intent_id, "object": "payment_intent", "status": "succeeded", "amount": cents,
            "amount_received": cents, "currency": "aud", "created": int(time.time()),
            "metadata": {"invoice_id": str(invoice_id)},
            "latest_charge": {"id": f"ch_{intent_id}", "amount_refunded": refunded,
                              "balance_transaction": {"fee": 0}}}
