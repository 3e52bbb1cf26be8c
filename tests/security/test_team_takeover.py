"""Inside one business, nobody reaches a role above their own through the team page: an Office Admin can't take
an Owner's invitation from the outbox, change or remove the business's Sole Trader, or keep letting people in
with links sent before they were removed or demoted."""

from __future__ import annotations

import re

import pytest
from sqlmodel import Session, select

from myapprentice_app.domain.roles import Role
from myapprentice_app.models import EmailMessage, Membership
from myapprentice_app.selectors.outbox import outbox
from myapprentice_app.services import team
from myapprentice_app.services.errors import ActionRefused
from tests.integration.test_send_to_client import Inbox, smtp_inbox  # noqa: F401  (a real SMTP server fixture)
from tests.security.conftest import changed_tables, snapshot

INVITE_LINK = re.compile(r"/invite/(\S+)")


def _stored_token(session: Session, address: str) -> str:
    body = session.exec(select(EmailMessage.body).where(EmailMessage.to_address == address)).one()
    found = INVITE_LINK.search(body)
    assert found
    return found.group(1)


def test_an_office_admin_cannot_read_an_owners_invitation_link_in_the_outbox(session: Session, make_actor) -> None:
    owner, admin = make_actor(Role.OWNER), make_actor(Role.ADMIN)
    team.invite(session, owner, email_address="partner@example.test", name="Partner", role="owner")

    [seen_by_admin] = [row for row in outbox(session, admin) if row.to_address == "partner@example.test"]
    [seen_by_owner] = [row for row in outbox(session, owner) if row.to_address == "partner@example.test"]

    assert "/invite/" not in seen_by_admin.body and "shown only to whoever sent it" in seen_by_admin.body
    assert INVITE_LINK.search(seen_by_owner.body)  # the sender delivers it by hand when there is no SMTP


def test_an_emailed_invitation_keeps_no_link_in_the_database(session: Session, make_actor,
                                                             smtp_inbox: Inbox) -> None:  # noqa: F811
    owner = make_actor(Role.OWNER)
    team.invite(session, owner, email_address="partner@example.test", name="Partner", role="owner")

    [received] = smtp_inbox.messages
    stored = session.exec(select(EmailMessage.body).where(EmailMessage.to_address == "partner@example.test")).one()
    assert INVITE_LINK.search(received.get_payload()) and not INVITE_LINK.search(stored)


@pytest.mark.parametrize("change", ["demote", "remove"])
def test_an_office_admin_cannot_change_or_remove_the_businesss_sole_trader(session: Session, make_actor,
                                                                          change: str) -> None:
    sole_trader, admin = make_actor(Role.SOLE_TRADER), make_actor(Role.ADMIN)
    before = snapshot()

    with pytest.raises(ActionRefused, match="Only a Business Owner can change or remove a Sole Trader"):
        if change == "demote":
            team.change_role(session, admin, sole_trader.user_id, Role.TRADIE.value)
        else:
            team.remove(session, admin, sole_trader.user_id)
    assert changed_tables(before, snapshot()) == []


def test_an_owner_still_changes_a_sole_traders_role_while_another_owner_remains(session: Session,
                                                                               make_actor) -> None:
    owner, sole_trader = make_actor(Role.OWNER), make_actor(Role.SOLE_TRADER)

    team.change_role(session, owner, sole_trader.user_id, Role.FINANCE.value)

    assert session.exec(select(Membership.role).where(Membership.user_id == sole_trader.user_id)).one() == "finance"


@pytest.mark.parametrize("change", ["removed", "demoted"])
def test_links_a_member_sent_stop_working_once_they_are_removed_or_demoted(session: Session, make_actor,
                                                                           change: str) -> None:
    owner, admin = make_actor(Role.OWNER), make_actor(Role.ADMIN)
    team.invite(session, admin, email_address="accomplice@example.test", name="Accomplice", role="admin")
    invite_token = _stored_token(session, "accomplice@example.test")

    if change == "removed":
        team.remove(session, owner, admin.user_id)
    else:
        team.change_role(session, owner, admin.user_id, Role.TRADIE.value)

    assert team.invitation_view(session, invite_token, None).step is team.InvitationStep.GONE
    with pytest.raises(ActionRefused, match="expired or was already used"):
        team.accept_with_new_account(session, invite_token=invite_token, password="a-long-password")
    assert team.pending_invitations(session, owner) == []
    assert session.exec(select(Membership).where(Membership.role == Role.ADMIN.value,
                                                 Membership.user_id != admin.user_id)).all() == []


def test_an_owner_cancels_an_invitation_and_its_link_stops_working(session: Session, make_actor) -> None:
    owner = make_actor(Role.OWNER)
    invitation = team.invite(session, owner, email_address="newcomer@example.test", name="Newcomer", role="admin")
    invite_token = _stored_token(session, "newcomer@example.test")

    assert team.cancel_invitation(session, owner, invitation.id or 0) == "newcomer@example.test"

    assert team.invitation_view(session, invite_token, None).step is team.InvitationStep.GONE
    assert team.pending_invitations(session, owner) == []


def test_an_office_admin_cannot_cancel_an_owners_invitation_to_join_as_owner(session: Session, make_actor) -> None:
    owner, admin = make_actor(Role.OWNER), make_actor(Role.ADMIN)
    invitation = team.invite(session, owner, email_address="partner@example.test", name="Partner", role="owner")
    before = snapshot()

    with pytest.raises(ActionRefused, match="Only a Business Owner can cancel"):
        team.cancel_invitation(session, admin, invitation.id or 0)
    assert changed_tables(before, snapshot()) == []
