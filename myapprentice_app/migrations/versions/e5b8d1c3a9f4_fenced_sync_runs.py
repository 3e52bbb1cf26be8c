"""sync engine: fenced ownership of runs and batches, and the limit a 429 named

Revision ID: e5b8d1c3a9f4
Revises: e5b8c1d2f3a4
Create Date: 2026-11-30 11:00:00.000000
"""

import sqlalchemy as sa
from alembic import op

revision = 'e5b8d1c3a9f4'
down_revision = 'e5b8c1d2f3a4'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('syncrun') as batch:
        batch.add_column(sa.Column('owner', sa.String(length=64), nullable=True))
        batch.add_column(sa.Column('generation', sa.Integer(), nullable=False, server_default='0'))
    with op.batch_alter_table('xerobatch') as batch:
        batch.add_column(sa.Column('owner', sa.String(length=64), nullable=True))
        batch.add_column(sa.Column('generation', sa.Integer(), nullable=False, server_default='0'))
    with op.batch_alter_table('xerobudget') as batch:
        batch.add_column(sa.Column('blocked_problem', sa.String(length=12), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('xerobudget') as batch:
        batch.drop_column('blocked_problem')
    with op.batch_alter_table('xerobatch') as batch:
        batch.drop_column('generation')
        batch.drop_column('owner')
    with op.batch_alter_table('syncrun') as batch:
        batch.drop_column('generation')
        batch.drop_column('owner')
