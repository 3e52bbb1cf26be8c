"""Invitations never touch an existing account's credentials: the takeover that an Office Admin of one business
could run against a user of another is refused, and an invitation link works once."""

from __future__ import annotations

import re

import pytest
from sqlmodel import Session, select
from starlette.testclient import TestClient

from myapprentice_app.api.routes import api
from myapprentice_app.config import get_settings
from myapprentice_app.domain.roles import Role
from myapprentice_app.models import Business, EmailMessage, Membership, User
from myapprentice_app.services import auth, team
from myapprentice_app.services.errors import ActionRefused
from tests.conftest import PASSWORD
from tests.security.conftest import changed_tables, member, snapshot


@pytest.fixture
def browser() -> TestClient:
    """Our own pages' form posts: same origin, redirects left for the test to read."""
    return TestClient(api, base_url=get_settings().app_url, follow_redirects=False,
                      headers={"origin": get_settings().app_url})


@pytest.fixture
def victim(session: Session):  # type: ignore[no-untyped-def]
    other = Business(name="Victim Electrical")
    session.add(other)
    session.commit()
    return member(session, other.id or 0, Role.OWNER, "victim@example.test")


def _link_from_outbox(session: Session, address: str) -> str:
    body = session.exec(select(EmailMessage.body).where(EmailMessage.to_address == address)
                        .order_by(EmailMessage.id.desc())).first()  # type: ignore[union-attr]
    assert body is not None
    found = re.search(r"/invite/(\S+)", body)
    assert found
    return found.group(1)


def _credentials(session: Session, email: str) -> tuple[str, list[tuple[int, str]]]:
    session.expire_all()
    user = session.exec(select(User).where(User.email == email)).one()
    memberships = session.exec(select(Membership.business_id, Membership.role).where(Membership.user_id == user.id))
    return user.password_hash, sorted(memberships.all())


def test_an_admin_inviting_another_businesss_user_cannot_set_their_password_or_sign_in_as_them(
        session: Session, make_actor, victim, browser: TestClient) -> None:
    attacker = make_actor(Role.ADMIN)
    before = _credentials(session, victim.email)

    team.invite(session, attacker, email_address=victim.email, name="Victim", role="admin")
    invite_token = _link_from_outbox(session, victim.email)
    assert team.invitation_view(session, invite_token, None).step is team.InvitationStep.SIGN_IN
    answer = browser.post(f"/api/invitations/{invite_token}/accept",
                          data={"password": "attacker-chosen-pw", "password_again": "attacker-chosen-pw"})
    with pytest.raises(ActionRefused, match="already has a MyApprentice account"):
        team.accept_with_new_account(session, invite_token=invite_token, password="attacker-chosen-pw")
    sign_in = browser.post("/api/session/sign-in", data={"email": victim.email, "password": "attacker-chosen-pw"})

    assert answer.status_code == 303 and "ma_session" not in answer.cookies
    assert sign_in.headers["location"].startswith("/login?") and "error=credentials" in sign_in.headers["location"]
    assert _credentials(session, victim.email) == before
    assert auth.log_in(session, email=victim.email, password=PASSWORD).token  # the victim still gets in


def test_signing_in_as_someone_else_does_not_accept_their_invitation(session: Session, make_actor, victim) -> None:
    attacker = make_actor(Role.ADMIN)
    team.invite(session, attacker, email_address=victim.email, name="Victim", role="finance")
    invite_token = _link_from_outbox(session, victim.email)
    attacker_token = auth.log_in(session, email=attacker.email, password=PASSWORD).token
    before = snapshot()

    assert team.invitation_view(session, invite_token, attacker_token).step is team.InvitationStep.WRONG_ACCOUNT
    with pytest.raises(ActionRefused, match="Sign in as victim@example.test"):
        team.accept_as_signed_in(session, invite_token=invite_token, session_token=attacker_token)
    assert changed_tables(before, snapshot()) == []


def test_an_existing_account_joins_only_after_signing_in_as_itself(session: Session, make_actor, victim) -> None:
    admin = make_actor(Role.ADMIN)
    team.invite(session, admin, email_address=victim.email, name="Victim", role="finance")
    invite_token = _link_from_outbox(session, victim.email)
    own_token = auth.log_in(session, email=victim.email, password=PASSWORD).token

    assert team.invitation_view(session, invite_token, own_token).step is team.InvitationStep.JOIN
    joined = team.accept_as_signed_in(session, invite_token=invite_token, session_token=own_token)

    assert (joined.business_id, joined.role) == (admin.business_id, Role.FINANCE)
    assert len(_credentials(session, victim.email)[1]) == 2


def test_an_invitation_link_works_once(session: Session, make_actor, browser: TestClient) -> None:
    admin = make_actor(Role.ADMIN)
    team.invite(session, admin, email_address="newcomer@example.test", name="Newcomer", role="tradie")
    invite_token = _link_from_outbox(session, "newcomer@example.test")
    form = {"password": "a-long-password", "password_again": "a-long-password"}
    first = browser.post(f"/api/invitations/{invite_token}/accept", data=form)
    before = snapshot()
    again = browser.post(f"/api/invitations/{invite_token}/accept",
                         data={"password": "a-second-password", "password_again": "a-second-password"})

    assert first.status_code == 303 and first.cookies.get("ma_session")
    assert again.status_code == 303 and again.headers["location"] == f"/invite/{invite_token}"
    assert "ma_session" not in again.cookies
    assert team.invitation_view(session, invite_token, None).step is team.InvitationStep.GONE
    assert changed_tables(before, snapshot()) == []


def test_a_newer_invitation_replaces_the_earlier_link(session: Session, make_actor) -> None:
    admin = make_actor(Role.ADMIN)
    team.invite(session, admin, email_address="newcomer@example.test", name="Newcomer", role="tradie")
    first = _link_from_outbox(session, "newcomer@example.test")
    team.invite(session, admin, email_address="newcomer@example.test", name="Newcomer", role="finance")
    assert team.invitation_view(session, first, None).step is team.InvitationStep.GONE
