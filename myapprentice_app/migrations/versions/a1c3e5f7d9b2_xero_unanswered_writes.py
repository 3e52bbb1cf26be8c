"""xero unanswered writes: a single write sent and not yet answered, by its Idempotency-Key

Revision ID: a1c3e5f7d9b2
Revises: d4f6b8c0e2a3
Create Date: 2026-12-02 03:40:00.000000
"""

import sqlalchemy as sa
from alembic import op

from myapprentice_app.db import UTCDateTime

revision = 'a1c3e5f7d9b2'
down_revision = 'd4f6b8c0e2a3'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('xerounansweredwrite',
                    sa.Column('idempotency_key', sa.String(length=128), nullable=False),
                    sa.Column('sent_at', UTCDateTime(timezone=True), nullable=False),
                    sa.PrimaryKeyConstraint('idempotency_key'))


def downgrade() -> None:
    op.drop_table('xerounansweredwrite')
