"""xero: one organisation per business (unique tenant_id); every problem of an invoice in Error, by cause

Revision ID: e5b8c1d2f3a4
Revises: d4a7c9e2f1b6
Create Date: 2026-11-30 10:50:00.000000
"""

import sqlalchemy as sa
from alembic import op

revision = 'e5b8c1d2f3a4'
down_revision = 'd4a7c9e2f1b6'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('xeroconnection', schema=None) as batch_op:
        batch_op.create_unique_constraint('uq_xeroconnection_tenant_id', ['tenant_id'])


def downgrade() -> None:
    with op.batch_alter_table('xeroconnection', schema=None) as batch_op:
        batch_op.drop_constraint('uq_xeroconnection_tenant_id', type_='unique')
