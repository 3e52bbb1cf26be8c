"""clients: one client of each name within a business (case aside)

Revision ID: d4f6b8c0e2a3
Revises: c3e5a7b9d1f2
Create Date: 2026-12-01 05:00:00.000000
"""

import sqlalchemy as sa
from alembic import op

revision = 'd4f6b8c0e2a3'
down_revision = 'c3e5a7b9d1f2'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Clients added at the same moment could share a name before: the later ones get " (2)", " (3)"… (the first
    # suffix free in their business, case aside, cut to fit the column).
    connection = op.get_bind()
    taken: dict[int, set[str]] = {}
    for client_id, business_id, name in connection.execute(
            sa.text("SELECT id, business_id, name FROM client ORDER BY id")).all():
        names = taken.setdefault(business_id, set())
        if name.lower() in names:
            name = next(candidate for n in range(2, 10_000)
                        if (candidate := f"{name[:200 - len(f' ({n})')]} ({n})").lower() not in names)
            connection.execute(sa.text("UPDATE client SET name = :name WHERE id = :id"), {"name": name, "id": client_id})
        names.add(name.lower())
    op.create_index('uq_client_business_name', 'client', ['business_id', sa.text('lower(name)')], unique=True)


def downgrade() -> None:
    op.drop_index('uq_client_business_name', table_name='client')
