"""xero budget: when Xero last said how many calls are left today

Revision ID: f1a2b3c4d5e6
Revises: e5b8d1c3a9f4
Create Date: 2026-11-30 14:20:00.000000
"""

import sqlalchemy as sa
from alembic import op

revision = 'f1a2b3c4d5e6'
down_revision = 'e5b8d1c3a9f4'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('xerobudget') as batch:
        batch.add_column(sa.Column('day_remaining_at', sa.Float(), nullable=False, server_default='0'))


def downgrade() -> None:
    with op.batch_alter_table('xerobudget') as batch:
        batch.drop_column('day_remaining_at')
