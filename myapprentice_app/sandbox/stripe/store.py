"""All sandbox state in one dict (objects by id, who owns each, webhook endpoints, account links), kept in
memory in a single process and optionally written to one JSON file."""

from __future__ import annotations

import copy
import secrets
import string
import time
from typing import Any

from ..state_files import load_state, save_state
from . import account_object
from .errors import no_such

ALPHABET = string.ascii_letters + string.digits
PLATFORM_NAME = "MyApprentice (sandbox platform)"


def random_part(length: int) -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(length))


def new_id(prefix: str) -> str:
    if prefix == "cs":
        return f"cs_test_a1{random_part(56)}"
    if prefix == "acct":
        return f"acct_1{random_part(15)}"
    return f"{prefix}_3{random_part(23)}"


def empty_state() -> dict[str, Any]:
    return {
        "objects": {},  # id -> the object's JSON, exactly as served
        "owners": {},  # id -> the account it lives on (the platform's own id for platform objects)
        "endpoints": {},  # we_ id -> webhook endpoint, including its secret
        "links": {},  # account link token -> {account, refresh_url, return_url, expires_at, used}
        "deauthorized": [],  # connected accounts that have disconnected the platform
        "platform": "",
    }


class Store:
    def __init__(self, state_file: str | None = None) -> None:
        self.state_file = state_file
        self.clock_offset = 0
        self.dirty = False
        self.state = load_state(state_file, empty_state)
        if not self.state["platform"]:
            self._add_platform()

    def _add_platform(self) -> None:
        platform = account_object.new_account(new_id("acct"), "AU", None, self.now(), "standard")
        account_object.complete_onboarding(platform, PLATFORM_NAME, "127.0.0.1", self.now())
        platform["controller"] = {"type": "account"}
        self.state["platform"] = platform["id"]
        self.put(platform, platform["id"])

    def reset(self) -> None:
        self.state = empty_state()
        self._add_platform()

    # -- clock -------------------------------------------------------------------------------------

    def now(self) -> int:
        return int(time.time()) + self.clock_offset

    # -- objects -----------------------------------------------------------------------------------

    @property
    def platform(self) -> str:
        return self.state["platform"]

    @property
    def objects(self) -> dict[str, dict[str, Any]]:
        return self.state["objects"]

    def put(self, obj: dict[str, Any], owner: str) -> dict[str, Any]:
        self.objects[obj["id"]] = obj
        self.state["owners"][obj["id"]] = owner
        self.changed()
        return obj

    def owner(self, object_id: str) -> str | None:
        return self.state["owners"].get(object_id)

    def get(self, kind: str, object_id: str, account: str, param: str = "id") -> dict[str, Any]:
        """The object if it lives on `account`; otherwise Stripe's 404, whoever else owns it."""
        obj = self.objects.get(object_id)
        if obj is None or obj.get("object") != kind or self.owner(object_id) != account:
            raise no_such(kind.split(".")[-1], object_id, param)
        return obj

    def find(self, object_id: str) -> dict[str, Any] | None:
        return self.objects.get(object_id)

    def all(self, kind: str, account: str | None = None) -> list[dict[str, Any]]:
        """Newest first, as Stripe lists them."""
        return [
            obj
            for object_id, obj in reversed(self.objects.items())
            if obj.get("object") == kind and (account is None or self.owner(object_id) == account)
        ]

    def snapshot(self, obj: dict[str, Any]) -> dict[str, Any]:
        return copy.deepcopy(obj)

    # -- connected accounts ------------------------------------------------------------------------

    def is_connected(self, account: str) -> bool:
        obj = self.objects.get(account)
        return (
            obj is not None
            and obj.get("object") == "account"
            and self.owner(account) == self.platform
            and account != self.platform
            and account not in self.state["deauthorized"]
        )

    # -- persistence -------------------------------------------------------------------------------

    def changed(self) -> None:
        self.dirty = True

    def save(self) -> None:
        if not self.state_file or not self.dirty:
            return
        self.dirty = False
        save_state(self.state_file, self.state, ".stripe-sandbox-")


def no_such_account(account_id: str) -> Exception:
    return no_such("account", account_id, "account")
