"""Xero's OAuth start and callback, as plain HTTP routes (the consent page is a full-page redirect)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from myapprentice_app.api.integrations_tab import back, back_refused, sign_in_first
from myapprentice_app.db import session_scope
from myapprentice_app.domain.roles import PermissionDenied
from myapprentice_app.integrations.xero.errors import XeroProblem
from myapprentice_app.services import auth, xero_connection
from myapprentice_app.services.auth import SESSION_COOKIE
from myapprentice_app.services.errors import ActionRefused


def connect(request: Request) -> Response:
    with session_scope() as session:
        actor = auth.resolve(session, request.cookies.get(SESSION_COOKIE))
        if actor is None:
            return sign_in_first()
        try:
            url = xero_connection.start_connect(session, actor)
        except (ActionRefused, PermissionDenied) as refused:
            return back_refused("xero_error", str(refused))
    return RedirectResponse(url, status_code=302)


def callback(request: Request) -> Response:
    params = request.query_params
    with session_scope() as session:
        actor = auth.resolve(session, request.cookies.get(SESSION_COOKIE))
        if actor is None:
            return sign_in_first()
        try:
            status = xero_connection.finish_connect(session, actor, state=params.get("state", ""),
                                                    code=params.get("code"), error=params.get("error"))
        except (ActionRefused, PermissionDenied) as refused:
            return back_refused("xero_error", str(refused))
        except XeroProblem:
            return back_refused("xero_error", "Xero didn't complete the connection. Try again in a minute.")
    return back(xero=status)
