"""Messages (core.notifications) and each person's language (accounts, checkouts, bookings)

Revision ID: f2b8d3a61c07
Revises: e4a1c9f07b52
Create Date: 2026-12-01 12:20:00

"""
from alembic import op
import sqlalchemy as sa


revision = 'f2b8d3a61c07'
down_revision = 'e4a1c9f07b52'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'messages',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('event', sa.String(length=40), nullable=False),
        sa.Column('channel', sa.String(length=20), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=True),
        sa.Column('address', sa.String(length=254), nullable=False),
        sa.Column('language', sa.String(length=5), nullable=False),
        sa.Column('subject', sa.String(length=200), nullable=False),
        sa.Column('text', sa.Text(), nullable=False),
        sa.Column('status', sa.String(length=10), nullable=False),
        sa.Column('attempts', sa.Integer(), nullable=False),
        sa.Column('last_error', sa.String(length=500), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('sent_at', sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_messages_user_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_messages')),
    )
    with op.batch_alter_table('messages', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_messages_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_messages_event'), ['event'], unique=False)
        batch_op.create_index(batch_op.f('ix_messages_status'), ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_messages_user_id'), ['user_id'], unique=False)
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('language', sa.String(length=5), server_default='vi', nullable=False))
    for table in ('checkouts', 'bookings'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column('language', sa.String(length=5), server_default='vi', nullable=False))


def downgrade():
    for table in ('bookings', 'checkouts'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column('language')
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('language')
    with op.batch_alter_table('messages', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_messages_user_id'))
        batch_op.drop_index(batch_op.f('ix_messages_status'))
        batch_op.drop_index(batch_op.f('ix_messages_event'))
        batch_op.drop_index(batch_op.f('ix_messages_created_at'))
    op.drop_table('messages')
