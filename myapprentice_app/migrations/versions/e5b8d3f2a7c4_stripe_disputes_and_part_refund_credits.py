"""stripe: disputes of card payments, and part refunds as credits (credit notes in Xero)

Revision ID: e5b8d3f2a7c4
Revises: d4a7c9e2f1b6
Create Date: 2026-11-30 11:00:00.000000
"""

import sqlalchemy as sa
from alembic import op

import myapprentice_app.db

revision = 'e5b8d3f2a7c4'
down_revision = 'd4a7c9e2f1b6'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'stripedispute',
        sa.Column('id', sa.String(length=255), nullable=False),
        sa.Column('business_id', sa.Integer(), nullable=False),
        sa.Column('invoice_id', sa.Integer(), nullable=False),
        sa.Column('stripe_payment_id', sa.Integer(), nullable=False),
        sa.Column('amount', sa.Integer(), nullable=False),
        sa.Column('currency', sa.String(length=3), nullable=False),
        sa.Column('reason', sa.String(length=40), nullable=False),
        sa.Column('status', sa.String(length=30), nullable=False),
        sa.Column('respond_by', myapprentice_app.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column('noted_in_xero', sa.String(length=30), nullable=True),
        sa.Column('reversed', sa.Boolean(), nullable=False),
        sa.Column('created_at', myapprentice_app.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['business_id'], ['business.id']),
        sa.ForeignKeyConstraint(['invoice_id'], ['invoice.id']),
        sa.ForeignKeyConstraint(['stripe_payment_id'], ['stripepayment.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_stripedispute_business_id', 'stripedispute', ['business_id'])
    op.create_index('ix_stripedispute_invoice_id', 'stripedispute', ['invoice_id'])
    op.create_table(
        'stripecredit',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('business_id', sa.Integer(), nullable=False),
        sa.Column('invoice_id', sa.Integer(), nullable=False),
        sa.Column('stripe_payment_id', sa.Integer(), nullable=False),
        sa.Column('amount', sa.Integer(), nullable=False),
        sa.Column('currency', sa.String(length=3), nullable=False),
        sa.Column('refunded_on', sa.Date(), nullable=False),
        sa.Column('xero_credit_note_id', sa.String(length=36), nullable=True),
        sa.Column('xero_refund_id', sa.String(length=36), nullable=True),
        sa.Column('sync_message', sa.Text(), nullable=True),
        sa.Column('created_at', myapprentice_app.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['business_id'], ['business.id']),
        sa.ForeignKeyConstraint(['invoice_id'], ['invoice.id']),
        sa.ForeignKeyConstraint(['stripe_payment_id'], ['stripepayment.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_stripecredit_business_id', 'stripecredit', ['business_id'])
    op.create_index('ix_stripecredit_invoice_id', 'stripecredit', ['invoice_id'])


def downgrade() -> None:
    op.drop_table('stripecredit')
    op.drop_table('stripedispute')
