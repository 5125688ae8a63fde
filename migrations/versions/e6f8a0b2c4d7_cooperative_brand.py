"""The cooperative's registered brand (nhãn hiệu), the trace record's "Nhãn hiệu"

Revision ID: e6f8a0b2c4d7
Revises: c7d9e1f3a5b8
Create Date: 2026-12-03 06:45:00

"""
from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision = 'e6f8a0b2c4d7'
down_revision = 'c7d9e1f3a5b8'
branch_labels = None
depends_on = None


def upgrade():
    # A column added in place (no batch copy): the table keeps its page-version trigger.
    op.add_column(
        'cooperatives',
        sa.Column('brand', sa.String(length=120), nullable=False, server_default=''),
    )


def downgrade():
    # In place too (SQLite 3.35+ drops a column itself): the trigger stays.
    op.drop_column('cooperatives', 'brand')
