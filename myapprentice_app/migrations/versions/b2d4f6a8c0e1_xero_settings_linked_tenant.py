"""xero settings: the organisation the business's Xero ids belong to

Revision ID: b2d4f6a8c0e1
Revises: a9c3e5f7b1d2
Create Date: 2026-11-30 23:10:00.000000
"""

import sqlalchemy as sa
from alembic import op

revision = 'b2d4f6a8c0e1'
down_revision = 'a9c3e5f7b1d2'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('xerosettings') as batch:
        batch.add_column(sa.Column('linked_tenant_id', sa.String(length=36), nullable=True))
    op.execute("UPDATE xerosettings SET linked_tenant_id = (SELECT tenant_id FROM xeroconnection "
               "WHERE xeroconnection.business_id = xerosettings.business_id)")


def downgrade() -> None:
    with op.batch_alter_table('xerosettings') as batch:
        batch.drop_column('linked_tenant_id')
