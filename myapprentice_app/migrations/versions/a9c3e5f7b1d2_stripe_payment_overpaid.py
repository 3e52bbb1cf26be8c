"""stripe payment: how much of it was paid beyond what was owing

Revision ID: a9c3e5f7b1d2
Revises: f1a2b3c4d5e6
Create Date: 2026-11-30 23:00:00.000000
"""

import sqlalchemy as sa
from alembic import op

revision = 'a9c3e5f7b1d2'
down_revision = 'f1a2b3c4d5e6'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('stripepayment') as batch:
        batch.add_column(sa.Column('overpaid', sa.Integer(), nullable=False, server_default='0'))


def downgrade() -> None:
    with op.batch_alter_table('stripepayment') as batch:
        batch.drop_column('overpaid')
