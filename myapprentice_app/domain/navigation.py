"""Which pages each role sees in the navigation: derived from the permission table, never hard-coded per role."""

from __future__ import annotations

from dataclasses import dataclass

from myapprentice_app.domain.roles import Permission, Role, can


@dataclass
class NavItem:
    label: str = ""
    href: str = ""
    icon: str = ""


_PAGES = [
    ("Invoices", "/invoices", "receipt", Permission.VIEW_INVOICES),
    ("Quotes", "/quotes", "file-text", Permission.EDIT_INVOICES),
    ("Jobs", "/jobs", "hard-hat", Permission.VIEW_OWN_JOBS),
    ("Clients", "/clients", "users", Permission.MANAGE_CLIENTS),
    ("Audit trail", "/audit", "scroll-text", Permission.VIEW_AUDIT),
]

SETTINGS_TABS = [
    ("business", "Business", Permission.BUSINESS_SETTINGS),
    ("team", "Team", Permission.BUSINESS_SETTINGS),
    ("integrations", "Integrations", Permission.BUSINESS_SETTINGS),
    ("xero", "Xero", Permission.XERO_SETTINGS),
    ("security", "Security", Permission.BUSINESS_SETTINGS),
]


def settings_tabs_for(role: Role) -> list[NavItem]:
    return [NavItem(label, f"/settings/{slug}", "")
            for slug, label, permission in SETTINGS_TABS if can(role, permission)]


def navigation_for(role: Role) -> list[NavItem]:
    items = [NavItem(label, href, icon) for label, href, icon, permission in _PAGES if can(role, permission)]
    tabs = settings_tabs_for(role)
    if tabs:
        items.append(NavItem("Business Settings", tabs[0].href, "settings"))
    return items


def home_for(role: Role) -> str:
    return navigation_for(role)[0].href
