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
    # Clients added at the same moment could share a name before: the later ones get their id appended.
    op.execute("UPDATE client SET name = name || ' (' || id || ')' WHERE EXISTS (SELECT 1 FROM client AS earlier "
               "WHERE earlier.business_id = client.business_id AND lower(earlier.name) = lower(client.name) "
               "AND earlier.id < client.id)")
    op.create_index('uq_client_business_name', 'client', ['business_id', sa.text('lower(name)')], unique=True)


def downgrade() -> None:
    op.drop_index('uq_client_business_name', table_name='client')
