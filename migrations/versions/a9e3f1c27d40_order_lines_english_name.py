"""Order lines: the product's English name as the buyer saw it (a snapshot, like the name)

Revision ID: a9e3f1c27d40
Revises: 0559407459b3
Create Date: 2026-12-01 20:40:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a9e3f1c27d40'
down_revision = '0559407459b3'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('order_lines', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('name_en', sa.String(length=160), server_default='', nullable=False)
        )


def downgrade():
    with op.batch_alter_table('order_lines', schema=None) as batch_op:
        batch_op.drop_column('name_en')
