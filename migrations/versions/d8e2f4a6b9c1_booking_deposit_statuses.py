"""Bookings: room for the statuses awaiting_deposit and expired; an index for releasing
unpaid deposits

Revision ID: d8e2f4a6b9c1
Revises: b6ffe8278fe6
Create Date: 2026-12-02 09:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'd8e2f4a6b9c1'
down_revision = 'b6ffe8278fe6'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('bookings', schema=None) as batch_op:
        batch_op.alter_column('status', existing_type=sa.String(length=12),
                              type_=sa.String(length=20), existing_nullable=False)
        batch_op.create_index('ix_bookings_status_pay_by', ['status', 'pay_by'], unique=False)

    with op.batch_alter_table('booking_events', schema=None) as batch_op:
        batch_op.alter_column('from_status', existing_type=sa.String(length=12),
                              type_=sa.String(length=20), existing_nullable=True)
        batch_op.alter_column('to_status', existing_type=sa.String(length=12),
                              type_=sa.String(length=20), existing_nullable=False)


def downgrade():
    # Bookings in the new statuses do not fit the old columns: they end as cancelled.
    op.execute("UPDATE bookings SET status = 'cancelled' WHERE status IN ('awaiting_deposit', 'expired')")
    op.execute("UPDATE booking_events SET to_status = 'cancelled' WHERE to_status IN ('awaiting_deposit', 'expired')")
    op.execute("UPDATE booking_events SET from_status = 'cancelled' WHERE from_status IN ('awaiting_deposit', 'expired')")
    with op.batch_alter_table('booking_events', schema=None) as batch_op:
        batch_op.alter_column('to_status', existing_type=sa.String(length=20),
                              type_=sa.String(length=12), existing_nullable=False)
        batch_op.alter_column('from_status', existing_type=sa.String(length=20),
                              type_=sa.String(length=12), existing_nullable=True)

    with op.batch_alter_table('bookings', schema=None) as batch_op:
        batch_op.drop_index('ix_bookings_status_pay_by')
        batch_op.alter_column('status', existing_type=sa.String(length=20),
                              type_=sa.String(length=12), existing_nullable=False)
