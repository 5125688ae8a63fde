"""Statement uploads: a bank statement file kept between its upload and the choice of its columns

Revision ID: c8e2f4a6b0d1
Revises: d8e2f4a6b9c1
Create Date: 2026-12-01 14:30:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c8e2f4a6b0d1'
down_revision = 'd8e2f4a6b9c1'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('statement_uploads',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('payee_id', sa.Integer(), nullable=False),
    sa.Column('token', sa.String(length=32), nullable=False),
    sa.Column('filename', sa.String(length=120), nullable=False),
    sa.Column('content', sa.LargeBinary(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['payee_id'], ['cooperatives.id'], name=op.f('fk_statement_uploads_payee_id_cooperatives')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_statement_uploads')),
    sa.UniqueConstraint('token', name=op.f('uq_statement_uploads_token'))
    )
    with op.batch_alter_table('statement_uploads', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_statement_uploads_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_statement_uploads_payee_id'), ['payee_id'], unique=False)


def downgrade():
    with op.batch_alter_table('statement_uploads', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_statement_uploads_payee_id'))
        batch_op.drop_index(batch_op.f('ix_statement_uploads_created_at'))

    op.drop_table('statement_uploads')
