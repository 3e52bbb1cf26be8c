"""Which business's sync board a tab may stay linked to: the board of its session's business, while its role may
view invoices. Reflex pushes a shared state's every change to every tab linked to it without asking who is
behind the tab, so a link the session no longer grants has to be broken, not merely left unused."""

from __future__ import annotations

import reflex as rx

from myapprentice_app.domain.roles import Permission, can
from myapprentice_app.services.principal import Principal

BOARD_PREFIX = "board-"


def board_token(business_id: int) -> str:
    return f"{BOARD_PREFIX}{business_id}"  # Reflex's link tokens may not contain underscores


def board_allowed(principal: Principal | None) -> str:
    """The token of the one board this person may watch, or "" for none."""
    if principal is None or not can(principal.role, Permission.VIEW_INVOICES):
        return ""
    return board_token(principal.business_id)


def leave_boards_not_allowed(state: rx.State, principal: Principal | None) -> None:
    """Forget this tab's link to any board but the one its session allows, so its next events do not link it
    again (the board drops it from its own list of tabs before it next pushes a change)."""
    root = state._get_root_state()
    links = root._reflex_internal_links or {}
    allowed = board_allowed(principal)
    kept = {name: token for name, token in links.items() if not token.startswith(BOARD_PREFIX) or token == allowed}
    if kept != links:
        root._reflex_internal_links = kept
