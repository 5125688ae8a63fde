"""Lots: a product's packings with their units left, the units each order line took, GTINs;
the stock already there becomes one opening lot per product

Revision ID: d5e1f3a8b924
Revises: c4d2e8f1a7b3
Create Date: 2026-12-01 23:34:57.202488

"""
import secrets
from datetime import datetime

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'd5e1f3a8b924'
down_revision = 'c4d2e8f1a7b3'
branch_labels = None
depends_on = None

# marketplace.lots' alphabet and opening lot code, as they were when this was written.
_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
OPENING_LOT_CODE = "TONDAU"


def upgrade():
    op.create_table('lots',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('product_id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=20), nullable=False),
    sa.Column('trace_code', sa.String(length=8), nullable=False),
    sa.Column('quantity', sa.Integer(), nullable=False),
    sa.Column('units_left', sa.Integer(), nullable=False),
    sa.Column('packed_on', sa.Date(), nullable=False),
    sa.Column('expires_on', sa.Date(), nullable=True),
    sa.Column('area_code', sa.String(length=60), server_default='', nullable=False),
    sa.Column('standard', sa.String(length=60), server_default='', nullable=False),
    sa.Column('note', sa.Text(), server_default='', nullable=False),
    sa.Column('status', sa.String(length=10), server_default='selling', nullable=False),
    sa.Column('recalled_at', sa.DateTime(), nullable=True),
    sa.Column('recall_reason', sa.String(length=300), server_default='', nullable=False),
    sa.Column('recalled_by_id', sa.Integer(), nullable=True),
    sa.Column('scans', sa.Integer(), server_default='0', nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint('quantity > 0', name=op.f('ck_lots_quantity_positive')),
    sa.CheckConstraint('units_left <= quantity', name=op.f('ck_lots_units_within_packed')),
    sa.CheckConstraint('units_left >= 0', name=op.f('ck_lots_units_not_negative')),
    sa.ForeignKeyConstraint(['product_id'], ['products.id'], name=op.f('fk_lots_product_id_products')),
    sa.ForeignKeyConstraint(['recalled_by_id'], ['users.id'], name=op.f('fk_lots_recalled_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lots')),
    sa.UniqueConstraint('product_id', 'code', name='uq_lots_product_code'),
    sa.UniqueConstraint('trace_code', name=op.f('uq_lots_trace_code'))
    )
    with op.batch_alter_table('lots', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_lots_expires_on'), ['expires_on'], unique=False)
        batch_op.create_index('ix_lots_product_fefo', ['product_id', 'status', 'expires_on', 'id'], unique=False)

    op.create_table('order_line_lots',
    sa.Column('order_line_id', sa.Integer(), nullable=False),
    sa.Column('lot_id', sa.Integer(), nullable=False),
    sa.Column('quantity', sa.Integer(), nullable=False),
    sa.CheckConstraint('quantity > 0', name=op.f('ck_order_line_lots_quantity_positive')),
    sa.ForeignKeyConstraint(['lot_id'], ['lots.id'], name=op.f('fk_order_line_lots_lot_id_lots')),
    sa.ForeignKeyConstraint(['order_line_id'], ['order_lines.id'], name=op.f('fk_order_line_lots_order_line_id_order_lines')),
    sa.PrimaryKeyConstraint('order_line_id', 'lot_id', name=op.f('pk_order_line_lots'))
    )
    with op.batch_alter_table('order_line_lots', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_order_line_lots_lot_id'), ['lot_id'], unique=False)

    # In place, never by a batch copy of products: a copy would lose the FTS5 triggers.
    op.add_column('products', sa.Column('gtin', sa.String(length=14), nullable=True))
    op.create_index('uq_products_gtin', 'products', ['gtin'], unique=True)


    # The stock already there is one opening lot per product: stock = its lots' units left.
    products = op.get_bind().execute(
        sa.text("SELECT id, stock, created_at FROM products WHERE stock > 0")
    ).all()
    lots = sa.table(
        'lots',
        *(sa.column(name) for name in (
            'product_id', 'code', 'trace_code', 'quantity', 'units_left', 'packed_on',
            'created_at',
        )),
    )
    rows = [
        {
            'product_id': product_id,
            'code': OPENING_LOT_CODE,
            'trace_code': ''.join(secrets.choice(_ALPHABET) for _ in range(8)),
            'quantity': stock,
            'units_left': stock,
            'packed_on': created_at.date(),
            'created_at': created_at,
        }
        for product_id, stock, created_at in (
            # SQLite hands back the text it stores; PostgreSQL a datetime.
            (i, n, datetime.fromisoformat(at) if isinstance(at, str) else at)
            for i, n, at in products
        )
    ]
    if rows:
        op.bulk_insert(lots, rows)


def downgrade():
    op.drop_index('uq_products_gtin', table_name='products')
    op.drop_column('products', 'gtin')

    with op.batch_alter_table('order_line_lots', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_order_line_lots_lot_id'))

    op.drop_table('order_line_lots')
    with op.batch_alter_table('lots', schema=None) as batch_op:
        batch_op.drop_index('ix_lots_product_fefo')
        batch_op.drop_index(batch_op.f('ix_lots_expires_on'))

    op.drop_table('lots')
