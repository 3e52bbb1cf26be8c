"""Connecting and disconnecting Xero: MFA step-up, OAuth with state + PKCE, organisation picker."""

from __future__ import annotations

import datetime as dt
import json
import secrets
from dataclasses import dataclass, field

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from myapprentice_app.config import get_settings
from myapprentice_app.db import locked, utcnow
from myapprentice_app.domain.invoice_status import SyncStatus
from myapprentice_app.domain.roles import Permission
from myapprentice_app.domain.sync_errors import ErrorCode
from myapprentice_app.domain.sync_states import ConnectionStatus
from myapprentice_app.domain.xero_limits import day_quota_line
from myapprentice_app.integrations.xero import oauth, tokens
from myapprentice_app.integrations.xero.client import XeroClient
from myapprentice_app.integrations.xero.errors import XeroProblem
from myapprentice_app.integrations.xero.results import Tenant
from myapprentice_app.models import Invoice, OAuthState, XeroBudget, XeroConnection
from myapprentice_app.services import audit, follow_up, xero_links, xero_sync
from myapprentice_app.services.errors import ActionRefused
from myapprentice_app.services.principal import Principal

STATE_LIFETIME = dt.timedelta(minutes=10)
NEEDS_MFA = "Confirm it's you with a code from your authenticator app first."
NEEDS_MFA_SETUP = "Set up two-step sign-in (Business Settings → Security) before connecting Xero."


@dataclass
class ConnectionView:
    status: str = ConnectionStatus.NOT_CONNECTED.value
    label: str = ConnectionStatus.NOT_CONNECTED.label
    organisation: str = ""
    problem: str = ""
    choices: list[dict[str, str]] = field(default_factory=list)
    day_quota: str = ""  # Xero's calls left today for the organisation, once Xero's headers have told it


def redirect_uri() -> str:
    return f"{get_settings().app_url.rstrip('/')}/api/xero/callback"


def connection_view(session: Session, actor: Principal) -> ConnectionView:
    actor.require(Permission.VIEW_INVOICES)
    return view_for(session, actor.business_id)


def view_for(session: Session, business_id: int) -> ConnectionView:
    connection = _connection(session, business_id)
    if connection is None:
        return ConnectionView()
    status = ConnectionStatus(connection.status)
    return ConnectionView(status=status.value, label=status.label,
                          organisation=connection.tenant_name or "", problem=connection.problem or "",
                          choices=json.loads(connection.tenant_choices or "[]"),
                          day_quota=day_quota_line(day_calls_left(session, business_id)))


def day_calls_left(session: Session, business_id: int) -> int | None:
    """The organisation's calls left today as Xero's last X-DayLimit-Remaining said (None: not seen yet)."""
    budget = session.exec(select(XeroBudget).join(
        XeroConnection, col(XeroConnection.tenant_id) == XeroBudget.tenant_id)
        .where(XeroConnection.business_id == business_id)).first()
    return None if budget is None else budget.calls_left_today()


def start_connect(session: Session, actor: Principal) -> str:
    """The URL of Xero's consent page. Needs a fresh MFA step-up (within the last few minutes)."""
    _require_step_up(actor)
    state = secrets.token_urlsafe(32)
    verifier = oauth.new_verifier()
    session.add(OAuthState(state=state, business_id=actor.business_id, user_id=actor.user_id, code_verifier=verifier))
    session.commit()
    return oauth.authorization_url(redirect_uri(), state, verifier)


def finish_connect(session: Session, actor: Principal, *, state: str, code: str | None, error: str | None) -> str:
    """Handle Xero's redirect back. Returns a short outcome for the Integrations tab."""
    actor.require(Permission.CONNECT_XERO)
    pending = locked(session, OAuthState, state or "")  # a callback loaded twice at once uses it once
    if (pending is None or pending.used_at is not None or pending.user_id != actor.user_id
            or pending.business_id != actor.business_id or utcnow() - pending.created_at > STATE_LIFETIME):
        raise ActionRefused("That Xero sign-in link has expired or wasn't started here. Try connecting again.")
    pending.used_at = utcnow()
    session.commit()
    if error or not code:
        raise ActionRefused("Xero access wasn't granted, so nothing changed.")
    token = oauth.exchange_code(redirect_uri(), code, pending.code_verifier)
    client = XeroClient("", lambda: token)
    organisations = [tenant for tenant in client.connections() if tenant.organisation]
    if not organisations:
        raise ActionRefused("No Xero organisation was chosen. Try again and pick one.")
    # The token isn't revoked on refusal: Xero keeps one connection per app and organisation, so revoking it
    # could cut off the business that already uses the organisation.
    taken = _used_elsewhere(session, actor.business_id, [o.tenant_id for o in organisations])
    if len(taken) == len(organisations):
        raise ActionRefused(already_used(organisations[0].name))
    organisations = [o for o in organisations if o.tenant_id not in taken]
    connection = _connection(session, actor.business_id) or XeroConnection(
        business_id=actor.business_id, token_enc="", access_expires_at=utcnow())
    tokens.store(connection, token)
    connection.connected_by_user_id, connection.connected_at, connection.problem = actor.user_id, utcnow(), None
    connection.cache_refreshed_at = None
    session.add(connection)
    if len(organisations) == 1:
        _use(connection, organisations[0])
    else:
        connection.status, connection.tenant_id, connection.tenant_name = ConnectionStatus.CHOOSE_ORG, None, None
        connection.tenant_choices = json.dumps([{"id": o.tenant_id, "name": o.name,
                                                 "connection_id": o.connection_id or ""} for o in organisations])
    audit.record(session, actor, actor.business_id, "xero.connected", detail=connection.tenant_name)
    _commit_unless_taken(session, connection.tenant_name or "")
    if connection.status == ConnectionStatus.CONNECTED:
        after_connect(session, actor.business_id, actor.user_id)
    return connection.status


def choose_organisation(session: Session, actor: Principal, tenant_id: str) -> None:
    actor.require(Permission.CONNECT_XERO)
    connection = _connection(session, actor.business_id)
    if connection is None or connection.status != ConnectionStatus.CHOOSE_ORG:
        raise ActionRefused("There's no organisation to choose right now.")
    choice = next((c for c in json.loads(connection.tenant_choices or "[]") if c["id"] == tenant_id), None)
    if choice is None:
        raise ActionRefused("Choose one of the organisations you allowed.")
    if _used_elsewhere(session, actor.business_id, [tenant_id]):
        raise ActionRefused(already_used(choice["name"]))
    _use(connection, Tenant(tenant_id=choice["id"], name=choice["name"],
                            connection_id=choice["connection_id"] or None, organisation=True))
    audit.record(session, actor, actor.business_id, "xero.organisation_chosen", detail=choice["name"])
    _commit_unless_taken(session, choice["name"])
    after_connect(session, actor.business_id, actor.user_id)


def after_connect(session: Session, business_id: int, user_id: int | None) -> None:
    """Once an organisation is in use (OAuth callback or picker): start afresh if it is another than the one
    the business's Xero ids belong to, load its data, resume what a lost connection stopped."""
    connection = _connection(session, business_id)
    if connection is not None and connection.tenant_id:
        xero_links.now_in(session, business_id, connection.tenant_id)
        session.commit()
    follow_up.enqueue("refresh_organisation_cache", business_id)
    resumed = resume_after_reconnect(session, business_id)
    session.commit()
    xero_sync.resume_run(session, business_id, resumed, user_id)


def disconnect(session: Session, actor: Principal) -> str | None:
    """Forget the connection now (the step-up is required here too), and queue `disconnect_at_xero` for a
    worker: Xero is never called while a person waits on a foreground event. Returns the encrypted token.
    """
    _require_step_up(actor)
    connection = _connection(session, actor.business_id)
    if connection is None:
        return None
    session.delete(connection)
    audit.record(session, actor, actor.business_id, "xero.disconnected", detail=connection.tenant_name)
    session.commit()
    follow_up.enqueue("disconnect_at_xero", connection.token_enc, connection.tenant_id)
    return connection.token_enc


def disconnect_at_xero(token_enc: str, tenant_id: str) -> None:
    """Remove the organisation's connection at Xero (DELETE /connections/{id}). The token itself is revoked
    only once it reaches no organisation: revoking removes every connection its Xero user gave the app
    (reference §1.3), and another business of ours may be using one of them. A dead token needs no cleaning
    up, so failures are not retried."""
    try:
        token = tokens.decrypt_token(token_enc)
        if not tokens.fresh(token):
            token = oauth.refresh(token)
        xero = XeroClient(tenant_id, lambda: token)
        for organisation in xero.connections():
            if organisation.tenant_id == tenant_id and organisation.connection_id:
                xero.delete_connection(organisation.connection_id)
        if not xero.connections():
            oauth.revoke(token)
    except (XeroProblem, OSError, ValueError):
        pass


def resume_after_reconnect(session: Session, business_id: int) -> list[int]:
    """Invoices stopped by a lost connection go back to Pending; returns their ids."""
    stopped = session.exec(select(Invoice).where(Invoice.business_id == business_id,
                                                 Invoice.sync_error_code == ErrorCode.NEEDS_RECONNECT.value)).all()
    for invoice in stopped:
        invoice.sync_status = SyncStatus.PENDING
        invoice.sync_error_code = invoice.sync_error_message = invoice.sync_error_detail = None
    return [invoice.id or 0 for invoice in stopped]


def already_used(organisation: str) -> str:
    return (f"The Xero organisation {organisation} is already connected to another MyApprentice business. "
            "One Xero organisation serves one business: connect a different organisation, or disconnect it "
            "from the other business first.")


def _used_elsewhere(session: Session, business_id: int, tenant_ids: list[str]) -> set[str]:
    rows = session.exec(select(XeroConnection.tenant_id).where(
        col(XeroConnection.tenant_id).in_(tenant_ids), XeroConnection.business_id != business_id)).all()
    return {tenant_id for tenant_id in rows if tenant_id}


def _commit_unless_taken(session: Session, organisation: str) -> None:
    """Commit; when another business took the organisation meanwhile, the unique index refuses it."""
    try:
        session.commit()
    except IntegrityError as clash:
        session.rollback()
        raise ActionRefused(already_used(organisation)) from clash


def _use(connection: XeroConnection, organisation: Tenant) -> None:
    connection.status = ConnectionStatus.CONNECTED
    connection.tenant_id = organisation.tenant_id
    connection.tenant_name = organisation.name
    connection.connection_id = organisation.connection_id
    connection.tenant_choices = None


def _require_step_up(actor: Principal) -> None:
    actor.require(Permission.CONNECT_XERO)
    if not actor.mfa_enabled:
        raise ActionRefused(NEEDS_MFA_SETUP)
    if not actor.recent_mfa:
        raise ActionRefused(NEEDS_MFA)


def _connection(session: Session, business_id: int) -> XeroConnection | None:
    return session.exec(select(XeroConnection).where(XeroConnection.business_id == business_id)).first()
