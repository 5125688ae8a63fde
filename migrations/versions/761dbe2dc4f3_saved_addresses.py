"""Saved addresses: a buyer's address book, at most one default per account

Revision ID: 761dbe2dc4f3
Revises: c8e2f4a6b0d1
Create Date: 2026-12-01 16:46:05

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '761dbe2dc4f3'
down_revision = 'c8e2f4a6b0d1'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('saved_addresses',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('phone', sa.String(length=20), nullable=False),
    sa.Column('province', sa.String(length=60), nullable=False),
    sa.Column('ward', sa.String(length=120), nullable=False),
    sa.Column('street', sa.String(length=255), nullable=False),
    sa.Column('is_default', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_saved_addresses_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_saved_addresses'))
    )
    with op.batch_alter_table('saved_addresses', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_saved_addresses_user_id'), ['user_id'], unique=False)
        batch_op.create_index('uq_saved_addresses_one_default', ['user_id'], unique=True, sqlite_where=sa.text('is_default'), postgresql_where=sa.text('is_default'))



def downgrade():
    with op.batch_alter_table('saved_addresses', schema=None) as batch_op:
        batch_op.drop_index('uq_saved_addresses_one_default', sqlite_where=sa.text('is_default'), postgresql_where=sa.text('is_default'))
        batch_op.drop_index(batch_op.f('ix_saved_addresses_user_id'))

    op.drop_table('saved_addresses')
