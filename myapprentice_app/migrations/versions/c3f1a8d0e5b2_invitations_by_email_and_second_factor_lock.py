"""invitations carry email and role (membership made on acceptance); per-account second-factor lock;
a session's business is picked after sign-in

Revision ID: c3f1a8d0e5b2
Revises: b7e4d2a91c35
Create Date: 2026-11-30 08:00:00.000000
"""

import sqlalchemy as sa
from alembic import op

import myapprentice_app.db

revision = 'c3f1a8d0e5b2'
down_revision = 'b7e4d2a91c35'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.add_column(sa.Column('mfa_failures', sa.Integer(), nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('mfa_locked_until', myapprentice_app.db.UTCDateTime(timezone=True),
                                      nullable=True))
    with op.batch_alter_table('authsession', schema=None) as batch_op:
        batch_op.alter_column('business_id', existing_type=sa.Integer(), nullable=True)
    with op.batch_alter_table('invitation', schema=None) as batch_op:
        batch_op.add_column(sa.Column('email', sa.String(length=320), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('name', sa.String(length=200), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('role', sa.String(length=20), nullable=False, server_default='tradie'))
        batch_op.alter_column('user_id', existing_type=sa.Integer(), nullable=True)
        batch_op.create_index(batch_op.f('ix_invitation_email'), ['email'], unique=False)
    # Invitations made before this revision created the membership up front: carry their email and role.
    op.execute(sa.text(
        'UPDATE invitation SET email = (SELECT email FROM "user" WHERE "user".id = invitation.user_id), '
        'name = (SELECT name FROM "user" WHERE "user".id = invitation.user_id), '
        'role = COALESCE((SELECT role FROM membership WHERE membership.user_id = invitation.user_id '
        'AND membership.business_id = invitation.business_id), role)'
    ))


def downgrade() -> None:
    with op.batch_alter_table('invitation', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_invitation_email'))
        batch_op.alter_column('user_id', existing_type=sa.Integer(), nullable=False)
        batch_op.drop_column('role')
        batch_op.drop_column('name')
        batch_op.drop_column('email')
    with op.batch_alter_table('authsession', schema=None) as batch_op:
        batch_op.alter_column('business_id', existing_type=sa.Integer(), nullable=False)
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.drop_column('mfa_locked_until')
        batch_op.drop_column('mfa_failures')
