"""Listings: what a guest needs to find the place (address, coordinates, phone and Zalo,
check-in and check-out times, directions); bookings: the calendar file's sequence

Revision ID: b7d41e9a2c35
Revises: 761dbe2dc4f3
Create Date: 2026-12-01 20:10:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b7d41e9a2c35'
down_revision = '761dbe2dc4f3'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('listings', schema=None) as batch_op:
        batch_op.add_column(sa.Column('address', sa.String(length=255), server_default='', nullable=False))
        batch_op.add_column(sa.Column('latitude', sa.Float(), nullable=True))
        batch_op.add_column(sa.Column('longitude', sa.Float(), nullable=True))
        batch_op.add_column(sa.Column('contact_phone', sa.String(length=20), server_default='', nullable=False))
        batch_op.add_column(sa.Column('zalo_phone', sa.String(length=20), server_default='', nullable=False))
        batch_op.add_column(sa.Column('check_in_time', sa.Time(), nullable=True))
        batch_op.add_column(sa.Column('check_out_time', sa.Time(), nullable=True))
        batch_op.add_column(sa.Column('directions', sa.Text(), server_default='', nullable=False))
        batch_op.add_column(sa.Column('directions_en', sa.Text(), server_default='', nullable=False))
    with op.batch_alter_table('bookings', schema=None) as batch_op:
        batch_op.add_column(sa.Column('sequence', sa.Integer(), server_default='0', nullable=False))


def downgrade():
    with op.batch_alter_table('bookings', schema=None) as batch_op:
        batch_op.drop_column('sequence')
    with op.batch_alter_table('listings', schema=None) as batch_op:
        for column in ('directions_en', 'directions', 'check_out_time', 'check_in_time',
                       'zalo_phone', 'contact_phone', 'longitude', 'latitude', 'address'):
            batch_op.drop_column(column)
