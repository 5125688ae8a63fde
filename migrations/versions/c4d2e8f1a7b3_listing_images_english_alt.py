"""Listing photos: their alt text in English

Revision ID: c4d2e8f1a7b3
Revises: a9e3f1c27d40
Create Date: 2026-12-01 20:40:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c4d2e8f1a7b3'
down_revision = 'a9e3f1c27d40'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('listing_images', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('alt_en', sa.String(length=200), server_default='', nullable=False)
        )


def downgrade():
    with op.batch_alter_table('listing_images', schema=None) as batch_op:
        batch_op.drop_column('alt_en')
