"""Business Settings → Team: invite, change role, remove — with the guard rails, and every change audited."""

from __future__ import annotations

import pytest
from sqlmodel import Session, select

from myapprentice_app.domain.roles import PermissionDenied, Role
from myapprentice_app.models import AuditEvent, EmailMessage, Membership
from myapprentice_app.selectors.audit import recent_events
from myapprentice_app.services import auth, business, team
from myapprentice_app.services.errors import ActionRefused, ValidationFailed


def _invite_link(session: Session) -> str:
    body = session.exec(select(EmailMessage.body).order_by(EmailMessage.id.desc())).first()  # type: ignore[union-attr]
    assert body is not None
    return next(word for word in body.split() if "/invite/" in word)


def test_an_invited_person_sets_a_password_and_signs_in_with_the_role_given(session: Session, make_actor) -> None:
    admin = make_actor(Role.ADMIN)
    team.invite(session, admin, email_address="New.Bookkeeper@Example.test", name="Nina", role="finance")
    token = _invite_link(session).rsplit("/", 1)[1]

    assert team.invitation_view(session, token, None).step is team.InvitationStep.NEW_ACCOUNT
    session_token = team.accept_with_new_account(session, invite_token=token, password="a-long-password")
    principal = auth.resolve(session, session_token)

    assert principal is not None and principal.role == Role.FINANCE
    assert principal.email == "new.bookkeeper@example.test" and principal.name == "Nina"
    with pytest.raises(ActionRefused, match="already used"):
        team.accept_with_new_account(session, invite_token=token, password="another-password")


def test_until_accepted_an_invitation_is_listed_as_pending_and_makes_no_member(session: Session, make_actor) -> None:
    admin = make_actor(Role.ADMIN)
    team.invite(session, admin, email_address="nina@example.test", name="Nina", role="finance")
    assert [(row.email, row.role_label) for row in team.pending_invitations(session, admin)] == [
        ("nina@example.test", "Finance")]
    assert "nina@example.test" not in [member.email for member in business.team(session, admin)]


def test_bad_invitations_are_refused_field_by_field(session: Session, make_actor) -> None:
    admin = make_actor(Role.ADMIN)
    with pytest.raises(ValidationFailed) as refused:
        team.invite(session, admin, email_address="nope", name="", role="owner")  # admins can't make owners
    assert set(refused.value.errors) == {"invite_email", "invite_name", "invite_role"}


def test_changing_a_role_and_removing_someone_are_audited_and_removal_signs_them_out(
    session: Session, make_actor
) -> None:
    owner = make_actor(Role.OWNER)
    tradie = make_actor(Role.TRADIE, email="tom@example.test")
    token = auth.log_in(session, email="tom@example.test", password="correct-horse-battery").token

    team.change_role(session, owner, tradie.user_id, "supervisor")
    team.remove(session, owner, tradie.user_id)

    assert auth.resolve(session, token) is None
    assert session.exec(select(Membership).where(Membership.user_id == tradie.user_id)).first() is None
    trail = [(row.action, row.target, row.detail) for row in recent_events(session, owner)][:2]
    assert trail == [
        ("Team removed", "tom@example.test", "Supervisor"),
        ("Team role changed", "tom@example.test", "Tradie → Supervisor"),
    ]


def test_nobody_changes_their_own_role_and_the_last_owner_stays(session: Session, make_actor) -> None:
    owner, admin = make_actor(Role.OWNER), make_actor(Role.ADMIN)
    with pytest.raises(ActionRefused, match="your own"):
        team.change_role(session, owner, owner.user_id, "admin")
    with pytest.raises(ActionRefused, match="Only a Business Owner"):
        team.remove(session, admin, owner.user_id)


def test_finance_and_supervisors_cannot_manage_the_team(session: Session, make_actor) -> None:
    owner = make_actor(Role.OWNER)
    for role in (Role.FINANCE, Role.SUPERVISOR):
        with pytest.raises(PermissionDenied):
            team.change_role(session, make_actor(role), owner.user_id, "admin")
    assert session.exec(select(AuditEvent).where(AuditEvent.action == "team.role_changed")).all() == []
