"""Roles and SPEC.md's permission matrix: the single table every check reads."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    OWNER = "owner"
    ADMIN = "admin"
    FINANCE = "finance"
    SOLE_TRADER = "sole_trader"
    SUPERVISOR = "supervisor"
    TRADIE = "tradie"

    @property
    def label(self) -> str:
        return ROLE_LABELS[self]


ROLE_LABELS = {
    Role.OWNER: "Business Owner",
    Role.ADMIN: "Office Admin",
    Role.FINANCE: "Finance",
    Role.SOLE_TRADER: "Sole Trader",
    Role.SUPERVISOR: "Supervisor",
    Role.TRADIE: "Tradie",
}


class Permission(StrEnum):
    VIEW_INVOICES = "view_invoices"
    EDIT_INVOICES = "edit_invoices"
    RECORD_PAYMENT = "record_payment"
    EXPORT_INVOICE_CSV = "export_invoice_csv"
    PUSH_TO_XERO = "push_to_xero"
    RETRY_SYNC = "retry_sync"
    RESOLVE_SYNC_ERRORS = "resolve_sync_errors"
    XERO_SETTINGS = "xero_settings"
    CONNECT_XERO = "connect_xero"
    BUSINESS_SETTINGS = "business_settings"
    CONNECT_STRIPE = "connect_stripe"
    MANAGE_CLIENTS = "manage_clients"
    VIEW_ALL_JOBS = "view_all_jobs"
    VIEW_OWN_JOBS = "view_own_jobs"
    VIEW_AUDIT = "view_audit"


_EVERYONE_BUT_TRADIE = frozenset(Role) - {Role.TRADIE}
_SETTINGS_ROLES = frozenset({Role.OWNER, Role.ADMIN, Role.SOLE_TRADER})
_MONEY_ROLES = frozenset({Role.OWNER, Role.ADMIN, Role.FINANCE, Role.SOLE_TRADER})

PERMISSIONS: dict[Permission, frozenset[Role]] = {
    Permission.VIEW_INVOICES: _EVERYONE_BUT_TRADIE,
    Permission.EDIT_INVOICES: _EVERYONE_BUT_TRADIE,
    Permission.RECORD_PAYMENT: _MONEY_ROLES,
    Permission.EXPORT_INVOICE_CSV: _EVERYONE_BUT_TRADIE,
    Permission.PUSH_TO_XERO: _EVERYONE_BUT_TRADIE,
    Permission.RETRY_SYNC: _EVERYONE_BUT_TRADIE,
    Permission.RESOLVE_SYNC_ERRORS: _MONEY_ROLES,
    Permission.XERO_SETTINGS: _MONEY_ROLES,
    Permission.CONNECT_XERO: _SETTINGS_ROLES,
    Permission.BUSINESS_SETTINGS: _SETTINGS_ROLES,
    Permission.CONNECT_STRIPE: _SETTINGS_ROLES,
    Permission.MANAGE_CLIENTS: _EVERYONE_BUT_TRADIE,
    Permission.VIEW_ALL_JOBS: _EVERYONE_BUT_TRADIE,
    Permission.VIEW_OWN_JOBS: frozenset(Role),
    Permission.VIEW_AUDIT: frozenset({Role.OWNER, Role.ADMIN, Role.SOLE_TRADER}),
}


class PermissionDenied(Exception):
    """The actor's role does not allow the action; the message is safe to show."""

    def __init__(self, role: Role | None, permission: Permission) -> None:
        self.role = role
        self.permission = permission
        super().__init__("You don't have permission to do that.")


def can(role: Role | str | None, permission: Permission) -> bool:
    if role is None:
        return False
    return Role(role) in PERMISSIONS[permission]


def require(role: Role | str | None, permission: Permission) -> None:
    if not can(role, permission):
        raise PermissionDenied(Role(role) if role else None, permission)
