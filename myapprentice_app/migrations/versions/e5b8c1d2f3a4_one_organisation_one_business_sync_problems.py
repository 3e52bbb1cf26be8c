"""xero: one organisation per business (unique tenant_id); every problem of an invoice in Error, by cause

Revision ID: e5b8c1d2f3a4
Revises: e5b8d3f2a7c4
Create Date: 2026-11-30 10:50:00.000000
"""

import sqlalchemy as sa
from alembic import op

revision = 'e5b8c1d2f3a4'
down_revision = 'e5b8d3f2a7c4'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('xeroconnection', schema=None) as batch_op:
        batch_op.create_unique_constraint('uq_xeroconnection_tenant_id', ['tenant_id'])
    op.create_table(
        'syncproblem',
        sa.Column('invoice_id', sa.Integer(), nullable=False),
        sa.Column('cause', sa.String(length=60), nullable=False),
        sa.Column('business_id', sa.Integer(), nullable=False),
        sa.Column('code', sa.String(length=30), nullable=False),
        sa.Column('message', sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(['business_id'], ['business.id']),
        sa.ForeignKeyConstraint(['invoice_id'], ['invoice.id']),
        sa.PrimaryKeyConstraint('invoice_id', 'cause'),
    )
    with op.batch_alter_table('syncproblem', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_syncproblem_business_id'), ['business_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('syncproblem', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_syncproblem_business_id'))
    op.drop_table('syncproblem')
    with op.batch_alter_table('xeroconnection', schema=None) as batch_op:
        batch_op.drop_constraint('uq_xeroconnection_tenant_id', type_='unique')
