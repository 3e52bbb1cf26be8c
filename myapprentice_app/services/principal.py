"""Who is acting: resolved on the server from the session token, never taken from the client."""

from __future__ import annotations

from dataclasses import dataclass

from myapprentice_app.domain.roles import Permission, Role, require


@dataclass(frozen=True)
class Principal:
    user_id: int
    business_id: int
    role: Role
    name: str
    email: str
    business_name: str
    mfa_enabled: bool
    recent_mfa: bool  # step-up: a code was checked within the last few minutes
    several_businesses: bool = False  # may switch to another business
    session_ends_at: float = 0.0  # epoch seconds: a tab holding this principal checks again from then on

    def require(self, permission: Permission) -> None:
        require(self.role, permission)
