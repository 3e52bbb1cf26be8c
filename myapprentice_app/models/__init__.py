"""SQLModel tables, one module per aggregate; importing this package registers them all."""

from myapprentice_app.models.audit import AuditEvent
from myapprentice_app.models.business import Business, Membership
from myapprentice_app.models.client import Client
from myapprentice_app.models.email import EmailMessage
from myapprentice_app.models.invoice import Invoice, LineItem, Payment, TaxRate
from myapprentice_app.models.stripe import (
    StripeAccount,
    StripeCheckout,
    StripeCredit,
    StripeDispute,
    StripeEvent,
    StripePayment,
)
from myapprentice_app.models.team import Invitation
from myapprentice_app.models.user import AuthSession, LoginThrottle, RecoveryCode, User
from myapprentice_app.models.work import Job, Quote
from myapprentice_app.models.xero import (
    OAuthState,
    SyncAttempt,
    SyncProblem,
    SyncRun,
    SyncRunItem,
    XeroAccount,
    XeroBatch,
    XeroBudget,
    XeroCallSlot,
    XeroConnection,
    XeroContact,
    XeroInvoiceRef,
    XeroSettings,
    XeroTaxRate,
    XeroUnansweredWrite,
)

__all__ = [
    "AuditEvent",
    "AuthSession",
    "Business",
    "Client",
    "EmailMessage",
    "Invitation",
    "Invoice",
    "Job",
    "LineItem",
    "LoginThrottle",
    "Membership",
    "Payment",
    "Quote",
    "RecoveryCode",
    "StripeAccount",
    "StripeCheckout",
    "StripeCredit",
    "StripeDispute",
    "StripeEvent",
    "StripePayment",
    "TaxRate",
    "User",
    "OAuthState",
    "SyncAttempt",
    "SyncProblem",
    "SyncRun",
    "SyncRunItem",
    "XeroAccount",
    "XeroBatch",
    "XeroBudget",
    "XeroCallSlot",
    "XeroConnection",
    "XeroContact",
    "XeroInvoiceRef",
    "XeroSettings",
    "XeroTaxRate",
    "XeroUnansweredWrite",
]
