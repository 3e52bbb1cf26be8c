"""stripe: connected accounts, checkout sessions, webhook events, card payments; refunds and the fee account

Revision ID: d4a7c9e2f1b6
Revises: c3f1a8d0e5b2
Create Date: 2026-11-30 09:00:00.000000
"""

import sqlalchemy as sa
from alembic import op

import myapprentice_app.db

revision = 'd4a7c9e2f1b6'
down_revision = 'c3f1a8d0e5b2'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'stripeaccount',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('business_id', sa.Integer(), nullable=False),
        sa.Column('account_id', sa.String(length=64), nullable=False),
        sa.Column('status', sa.String(length=20), nullable=False),
        sa.Column('charges_enabled', sa.Boolean(), nullable=False),
        sa.Column('payouts_enabled', sa.Boolean(), nullable=False),
        sa.Column('details_submitted', sa.Boolean(), nullable=False),
        sa.Column('currently_due', sa.Text(), nullable=False),
        sa.Column('disabled_reason', sa.String(length=100), nullable=True),
        sa.Column('country', sa.String(length=2), nullable=True),
        sa.Column('connected_by_user_id', sa.Integer(), nullable=True),
        sa.Column('updated_at', myapprentice_app.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['business_id'], ['business.id']),
        sa.ForeignKeyConstraint(['connected_by_user_id'], ['user.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('business_id'),
        sa.UniqueConstraint('account_id'),
    )
    op.create_table(
        'stripecheckout',
        sa.Column('id', sa.String(length=255), nullable=False),
        sa.Column('business_id', sa.Integer(), nullable=False),
        sa.Column('invoice_id', sa.Integer(), nullable=False),
        sa.Column('account_id', sa.String(length=64), nullable=False),
        sa.Column('amount', sa.Integer(), nullable=False),
        sa.Column('currency', sa.String(length=3), nullable=False),
        sa.Column('url', sa.String(length=1000), nullable=False),
        sa.Column('status', sa.String(length=10), nullable=False),
        sa.Column('expires_at', myapprentice_app.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column('failure', sa.Text(), nullable=True),
        sa.Column('created_at', myapprentice_app.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['business_id'], ['business.id']),
        sa.ForeignKeyConstraint(['invoice_id'], ['invoice.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_stripecheckout_business_id', 'stripecheckout', ['business_id'])
    op.create_index('ix_stripecheckout_invoice_id', 'stripecheckout', ['invoice_id'])
    op.create_table(
        'stripeevent',
        sa.Column('id', sa.String(length=255), nullable=False),
        sa.Column('type', sa.String(length=80), nullable=False),
        sa.Column('account_id', sa.String(length=64), nullable=True),
        sa.Column('business_id', sa.Integer(), nullable=True),
        sa.Column('created', sa.Integer(), nullable=False),
        sa.Column('received_at', myapprentice_app.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column('status', sa.String(length=14), nullable=False),
        sa.Column('problem', sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(['business_id'], ['business.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_stripeevent_business_id', 'stripeevent', ['business_id'])
    op.create_table(
        'stripepayment',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('business_id', sa.Integer(), nullable=False),
        sa.Column('invoice_id', sa.Integer(), nullable=False),
        sa.Column('payment_intent_id', sa.String(length=255), nullable=False),
        sa.Column('checkout_session_id', sa.String(length=255), nullable=True),
        sa.Column('charge_id', sa.String(length=255), nullable=True),
        sa.Column('currency', sa.String(length=3), nullable=False),
        sa.Column('amount_received', sa.Integer(), nullable=False),
        sa.Column('amount_refunded', sa.Integer(), nullable=False),
        sa.Column('fee', sa.Integer(), nullable=False),
        sa.Column('payment_id', sa.Integer(), nullable=True),
        sa.Column('xero_fee_transaction_id', sa.String(length=36), nullable=True),
        sa.Column('fee_sync_message', sa.Text(), nullable=True),
        sa.Column('created_at', myapprentice_app.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['business_id'], ['business.id']),
        sa.ForeignKeyConstraint(['invoice_id'], ['invoice.id']),
        sa.ForeignKeyConstraint(['payment_id'], ['payment.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('payment_intent_id'),
    )
    op.create_index('ix_stripepayment_business_id', 'stripepayment', ['business_id'])
    op.create_index('ix_stripepayment_invoice_id', 'stripepayment', ['invoice_id'])
    with op.batch_alter_table('payment', schema=None) as batch_op:
        batch_op.add_column(sa.Column('refunded_amount', myapprentice_app.db.ExactDecimal(), nullable=False,
                                      server_default='0'))
        batch_op.add_column(sa.Column('xero_reversal_due', sa.Boolean(), nullable=False, server_default=sa.false()))
    with op.batch_alter_table('xerosettings', schema=None) as batch_op:
        batch_op.add_column(sa.Column('stripe_fee_account', sa.String(length=10), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('xerosettings', schema=None) as batch_op:
        batch_op.drop_column('stripe_fee_account')
    with op.batch_alter_table('payment', schema=None) as batch_op:
        batch_op.drop_column('xero_reversal_due')
        batch_op.drop_column('refunded_amount')
    op.drop_table('stripepayment')
    op.drop_table('stripeevent')
    op.drop_table('stripecheckout')
    op.drop_table('stripeaccount')
