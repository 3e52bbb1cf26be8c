"""invoice: the Xero online-invoice link

Revision ID: b7e4d2a91c35
Revises: 0d82e1749981
Create Date: 2026-11-25 19:40:00.000000
"""

import sqlalchemy as sa
from alembic import op

revision = 'b7e4d2a91c35'
down_revision = '0d82e1749981'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('invoice', schema=None) as batch_op:
        batch_op.add_column(sa.Column('xero_online_invoice_url', sa.String(length=500), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('invoice', schema=None) as batch_op:
        batch_op.drop_column('xero_online_invoice_url')
