"""quotes: one number per quote within a business

Revision ID: c3e5a7b9d1f2
Revises: b2d4f6a8c0e1
Create Date: 2026-12-01 04:40:00.000000
"""

import sqlalchemy as sa
from alembic import op

revision = 'c3e5a7b9d1f2'
down_revision = 'b2d4f6a8c0e1'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Quotes made at the same moment could share a number before: the later ones get "-2", "-3"… (the first
    # suffix free in their business, cut to fit the column).
    connection = op.get_bind()
    taken: dict[int, set[str]] = {}
    for quote_id, business_id, number in connection.execute(
            sa.text("SELECT id, business_id, number FROM quote ORDER BY id")).all():
        numbers = taken.setdefault(business_id, set())
        if number in numbers:
            number = next(candidate for n in range(2, 10_000)
                          if (candidate := f"{number[:30 - len(f'-{n}')]}-{n}") not in numbers)
            connection.execute(sa.text("UPDATE quote SET number = :number WHERE id = :id"),
                               {"number": number, "id": quote_id})
        numbers.add(number)
    op.create_index('uq_quote_business_number', 'quote', ['business_id', 'number'], unique=True)


def downgrade() -> None:
    op.drop_index('uq_quote_business_number', table_name='quote')
