"""Messages: the mail's HTML part, a channel's parameters and a once-only key

Revision ID: a7c4e2d9b310
Revises: f2b8d3a61c07
Create Date: 2026-12-01 14:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = 'a7c4e2d9b310'
down_revision = 'f2b8d3a61c07'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('messages', schema=None) as batch_op:
        batch_op.add_column(sa.Column('html', sa.Text(), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('params', sa.Text(), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('once_key', sa.String(length=120), nullable=True))
        batch_op.create_unique_constraint(batch_op.f('uq_messages_once_key'), ['once_key'])


def downgrade():
    with op.batch_alter_table('messages', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_messages_once_key'), type_='unique')
        batch_op.drop_column('once_key')
        batch_op.drop_column('params')
        batch_op.drop_column('html')
