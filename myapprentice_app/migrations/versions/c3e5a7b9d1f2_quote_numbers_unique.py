"""quotes: one number per quote within a business

Revision ID: c3e5a7b9d1f2
Revises: b2d4f6a8c0e1
Create Date: 2026-12-01 04:40:00.000000
"""

from alembic import op

revision = 'c3e5a7b9d1f2'
down_revision = 'b2d4f6a8c0e1'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Quotes made at the same moment could share a number before: the later ones get the quote's id appended.
    op.execute("UPDATE quote SET number = number || '-' || id WHERE EXISTS (SELECT 1 FROM quote AS earlier "
               "WHERE earlier.business_id = quote.business_id AND earlier.number = quote.number "
               "AND earlier.id < quote.id)")
    op.create_index('uq_quote_business_number', 'quote', ['business_id', 'number'], unique=True)


def downgrade() -> None:
    op.drop_index('uq_quote_business_number', table_name='quote')
